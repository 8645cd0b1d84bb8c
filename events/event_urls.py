"""An event's own pages, under /<event_slug>/ (included last in trialoog/urls.py)."""

from django.urls import path

from events.views import feeds, programme, registration, signup

app_name = "event"
urlpatterns = [
    path("", programme.event_home, name="home"),
    path("programma/", programme.programme_grid_view, name="programme_grid"),
    path("programma/lijst/", programme.programme_list_view, name="programme_list"),
    path("programma/sessie/<int:pk>/", programme.session_detail, name="session_detail"),
    path("programma/sessie/<int:pk>/inschrijven/", signup.session_signup, name="session_signup"),
    path("programma/sessie/<int:pk>/afmelden/", signup.session_cancel, name="session_cancel"),
    path("programma/sessie/<int:pk>/ruilen/", signup.session_swap, name="session_swap"),
    path("aanmelden/", registration.registration, name="registration"),
    path("aanmelden/aanmelden/", registration.registration_create, name="registration_create"),
    path("aanmelden/afmelden/", registration.registration_cancel, name="registration_cancel"),
    path("agenda/", programme.agenda, name="agenda"),
    path("schedule.ics", feeds.schedule_ics, name="schedule_ics"),
    path("schedule.json", feeds.schedule_json, name="schedule_json"),
    path("schedule.xml", feeds.schedule_xml, name="schedule_xml"),
]
