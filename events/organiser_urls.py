"""An event's back-office: /<event_slug>/organisator/... (included from trialoog/urls.py)."""

from django.urls import path

from events.views import organiser as views

app_name = "organiser"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("evenement/", views.event_edit, name="event_edit"),
    path("evenement/publiceren/", views.event_publish, name="event_publish"),
    path("evenement/kopieren/", views.event_clone, name="event_clone"),
    path("zalen/", views.rooms, name="rooms"),
    path("zalen/<int:room_pk>/", views.room_edit, name="room_edit"),
    path("zalen/<int:room_pk>/verwijderen/", views.room_delete, name="room_delete"),
    path("sessies/", views.sessions, name="sessions"),
    path("sessies/nieuw/", views.session_create, name="session_create"),
    path("sessies/<int:pk>/", views.session_edit, name="session_edit"),
    path("sessies/<int:pk>/dupliceren/", views.session_duplicate, name="session_duplicate"),
    path("sessies/<int:pk>/annuleren/", views.session_cancel, name="session_cancel"),
    path("sessies/<int:pk>/fases/", views.session_phases, name="session_phases"),
    path("sessies/<int:pk>/team/", views.session_team, name="session_team"),
    path(
        "sessies/<int:pk>/team/toevoegen/",
        views.session_team_change,
        {"change": "add"},
        name="session_team_add",
    ),
    path(
        "sessies/<int:pk>/team/verwijderen/",
        views.session_team_change,
        {"change": "remove"},
        name="session_team_remove",
    ),
    path("sessies/<int:pk>/team/uitnodigen/", views.session_team_invite, name="session_team_invite"),
    path("programma/importeren/", views.programme_import, name="programme_import"),
    path("programma/export.csv", views.programme_export, name="programme_export"),
]
