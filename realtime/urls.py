from django.urls import path

from realtime import views

app_name = "realtime"
urlpatterns = [
    path("zaal/", views.join, name="join"),
    path("zaal/<str:code>/", views.room, name="room"),
    path("zaal/<str:code>/vraag/", views.ask, name="ask"),
    path("zaal/<str:code>/steun/", views.vote, name="vote"),
    path("zaal/<str:code>/intrekken/", views.withdraw, name="withdraw"),
    path("zaal/<str:code>/console/", views.console, name="console"),
    path("zaal/<str:code>/console/open/", views.set_open, name="set_open"),
    path("zaal/<str:code>/console/voormoderatie/", views.set_premoderation, name="set_premoderation"),
    path("zaal/<str:code>/console/modereren/", views.moderate, name="moderate"),
    path("zaal/<str:code>/console/verbeteren/", views.edit, name="edit"),
    path("zaal/<str:code>/console/vastzetten/", views.pin, name="pin"),
    path("zaal/<str:code>/console/projectorlink/", views.projector_reset, name="projector_reset"),
    path("zaal/<str:code>/projector/", views.projector, name="projector"),
    path("projector/<str:token>/", views.projector_token, name="projector_token"),
]
