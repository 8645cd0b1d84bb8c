"""Site-wide event pages, and the root addresses of the time before events had their own pages."""

from django.urls import path

from events import views
from events.views import feeds, legacy, programme

urlpatterns = [
    path("", views.home, name="home"),
    path("mijn-aanmeldingen/", programme.my_registrations, name="my_registrations"),
    path("agenda/nieuw-adres/", programme.agenda_feed_rotate, name="agenda_feed_rotate"),
    # The personal calendar subscription: one address for every event, never redirected.
    path("agenda/<str:token>/trialoog.ics", feeds.agenda_feed, name="agenda_feed"),
    # Until the next release: the old root addresses send visitors on (events/views/legacy.py).
    path("programma/", legacy.to_current("programme_grid"), name="legacy_programme_grid"),
    path("programma/lijst/", legacy.to_current("programme_list"), name="legacy_programme_list"),
    path("programma/sessie/<int:pk>/", legacy.session_detail, name="legacy_session_detail"),
    path("aanmelding/", legacy.to_current("registration"), name="legacy_registration"),
    path("agenda/", legacy.to_current("agenda"), name="legacy_agenda"),
    path("schedule.ics", legacy.to_current("schedule_ics"), name="legacy_schedule_ics"),
    path("schedule.json", legacy.to_current("schedule_json"), name="legacy_schedule_json"),
    path("schedule.xml", legacy.to_current("schedule_xml"), name="legacy_schedule_xml"),
]
