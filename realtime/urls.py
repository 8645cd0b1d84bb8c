from django.urls import path

from realtime import views

app_name = "realtime"
urlpatterns = [
    path("zaal/", views.join, name="join"),
    path("zaal/<str:code>/", views.room, name="room"),
    path("zaal/<str:code>/meer/", views.room_more, name="room_more"),
    path("zaal/<str:code>/vraag/", views.ask, name="ask"),
    path("zaal/<str:code>/steun/", views.vote, name="vote"),
    path("zaal/<str:code>/intrekken/", views.withdraw, name="withdraw"),
    path("zaal/<str:code>/stem/", views.poll_vote, name="poll_vote"),
    path("zaal/<str:code>/notitie/", views.note_add, name="note_add"),
    path("zaal/<str:code>/reactie/", views.note_react, name="note_react"),
    path("zaal/<str:code>/console/", views.console, name="console"),
    path("zaal/<str:code>/console/peiling/", views.poll_create, name="poll_create"),
    path("zaal/<str:code>/console/peiling/stap/", views.poll_step, name="poll_step"),
    path("zaal/<str:code>/console/notitie/", views.note_curate, name="note_curate"),
    path("zaal/<str:code>/console/notitie/bewerken/", views.note_edit, name="note_edit"),
    path("zaal/<str:code>/console/notitie/samenvoegen/", views.note_merge, name="note_merge"),
    path("zaal/<str:code>/console/actie/", views.action_save, name="action_save"),
    path("zaal/<str:code>/console/fase/volgende/", views.phase_next, name="phase_next"),
    path("zaal/<str:code>/console/fase/kiezen/", views.phase_set, name="phase_set"),
    path("zaal/<str:code>/console/fase/", views.phase_save, name="phase_save"),
    path("zaal/<str:code>/console/projector/", views.projector_mode, name="projector_mode"),
    path("zaal/<str:code>/console/open/", views.set_open, name="set_open"),
    path("zaal/<str:code>/console/voormoderatie/", views.set_premoderation, name="set_premoderation"),
    path("zaal/<str:code>/console/modereren/", views.moderate, name="moderate"),
    path("zaal/<str:code>/console/verbeteren/", views.edit, name="edit"),
    path("zaal/<str:code>/console/vastzetten/", views.pin, name="pin"),
    path("zaal/<str:code>/console/projectorlink/", views.projector_reset, name="projector_reset"),
    path("zaal/<str:code>/projector/", views.projector, name="projector"),
    path("projector/<str:token>/", views.projector_token, name="projector_token"),
]
