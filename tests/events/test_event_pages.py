"""Every event has its own pages under its slug; the site's home lists them all."""

import datetime as dt

import icalendar
import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from events import selectors
from events.models import SessionSignup
from events.services.signup import signup_create
from tests.events.conftest import logged_in
from tests.factories import (
    EventFactory,
    OrganisationFactory,
    RegistrationFactory,
    SessionFactory,
    UserFactory,
    at,
)

pytestmark = pytest.mark.django_db


def today() -> dt.date:
    return timezone.localdate()


def future_event(days: int = 30, **fields):
    """An event `days` from today, with its sessions' day to match."""
    return EventFactory(date=today() + dt.timedelta(days=days), **fields)


def future_session(event, hour: int = 10, **fields):
    return SessionFactory(
        event=event, starts_at=at(hour, date=event.date), ends_at=at(hour, 50, date=event.date), **fields
    )


# --- The event's home -------------------------------------------------------------------------


def test_event_home_shows_what_when_where_who_and_the_registration(client):
    """/<event>/ names the event, its days, venue and organisation, its description and the sign-up link."""
    province = OrganisationFactory(name="Provincie Utrecht")
    event = future_event(
        name="Trialoog Utrecht",
        organisation=province,
        venue="Provinciehuis",
        description="Over de woningnood.",
        end_date=today() + dt.timedelta(days=31),
    )
    future_session(event, title="Wonen en zorg")

    content = client.get(f"/{event.slug}/").content.decode()

    assert '<h1 class="hero__title" id="event-title">Trialoog Utrecht</h1>' in content
    assert "Georganiseerd door Provincie Utrecht" in content
    assert "Provinciehuis" in content
    assert "Over de woningnood." in content
    assert " tot en met " in content
    assert "Wonen en zorg" in content
    assert f'href="/{event.slug}/aanmelden/">Aanmelden</a>' in content


def test_event_home_of_an_unknown_slug_is_404(client):
    """A slug no event has is a 404, not a crash."""
    assert client.get("/geen-evenement/").status_code == 404


def test_site_paths_still_win_over_event_slugs(client):
    """The event pages are included last: /zaal/ and /kennisbank/ keep their own views."""
    EventFactory()

    assert (client.get("/zaal/").status_code, client.get("/kennisbank/").status_code) == (200, 200)


def test_unpublished_programme_is_announced_on_the_event_home_without_sessions(client):
    """Before publication the event's home is public, but names no session and no programme link."""
    event = future_event(programme_published=False)
    future_session(event, title="Geheime sessie")

    content = client.get(f"/{event.slug}/").content.decode()

    assert "Het programma wordt later bekendgemaakt." in content
    assert "Geheime sessie" not in content
    assert f"/{event.slug}/programma/" not in content


# --- Scoping by slug --------------------------------------------------------------------------


def test_a_session_of_another_event_is_404_under_this_slug(client):
    """/<a>/programma/sessie/<pk of b>/ is a 404: a session lives under its own event only."""
    a, b = EventFactory(), EventFactory()
    session = SessionFactory(event=b)

    assert client.get(f"/{a.slug}/programma/sessie/{session.pk}/").status_code == 404
    assert client.get(f"/{b.slug}/programma/sessie/{session.pk}/").status_code == 200


def test_signing_up_for_a_session_of_another_event_under_this_slug_is_404():
    """The sign-up post checks the slug too, and takes no seat."""
    a, b = EventFactory(), EventFactory()
    session = SessionFactory(event=b)
    person = UserFactory()
    RegistrationFactory(user=person, event=b)

    response = logged_in(person).post(f"/{a.slug}/programma/sessie/{session.pk}/inschrijven/")

    assert response.status_code == 404
    assert not SessionSignup.objects.exists()


def test_each_event_programme_shows_its_own_sessions_only(client):
    """Two events, two programmes."""
    a, b = EventFactory(), EventFactory()
    SessionFactory(event=a, title="Van A")
    SessionFactory(event=b, title="Van B")

    content = client.get(f"/{a.slug}/programma/").content.decode()

    assert ("Van A" in content, "Van B" in content) == (True, False)


def test_registration_for_one_event_is_not_a_registration_for_another(client):
    """Registering under /<a>/aanmelden/ registers for a only; signing up in b still asks for b's."""
    a, b = EventFactory(), EventFactory()
    session_b = SessionFactory(event=b)
    person = UserFactory()
    client = logged_in(person)

    client.post(f"/{a.slug}/aanmelden/aanmelden/")
    response = client.post(f"/{b.slug}/programma/sessie/{session_b.pk}/inschrijven/", follow=True)

    assert list(person.registrations.values_list("event__slug", flat=True)) == [a.slug]
    assert [str(m) for m in response.context["messages"]][-1] == (
        "Meld u eerst aan voor de dag. Daarna kunt u zich inschrijven voor sessies."
    )


# --- The old root addresses -------------------------------------------------------------------


@pytest.fixture
def two_events():
    """Last year's day (past) and this year's (upcoming): the current event is the upcoming one."""
    past = EventFactory(slug="dvdpd-2026", date=today() - dt.timedelta(days=200))
    upcoming = future_event(slug="dvdpd-2027")
    return past, upcoming


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/programma/", "/dvdpd-2027/programma/"),
        ("/programma/lijst/", "/dvdpd-2027/programma/lijst/"),
        ("/programma/?soort=trialoog", "/dvdpd-2027/programma/?soort=trialoog"),
        ("/aanmelding/", "/dvdpd-2027/aanmelden/"),
        ("/agenda/", "/dvdpd-2027/agenda/"),
        ("/schedule.json", "/dvdpd-2027/schedule.json"),
        ("/schedule.xml", "/dvdpd-2027/schedule.xml"),
        ("/schedule.ics", "/dvdpd-2027/schedule.ics"),
    ],
)
def test_an_old_root_address_redirects_temporarily_to_the_current_event(client, two_events, old, new):
    """302, not 301: "the current event" moves on each year, and a browser keeps a 301 for good."""
    response = client.get(old)

    assert (response.status_code, response["Location"]) == (302, new)


def test_an_old_session_address_redirects_permanently_to_its_own_event(client, two_events):
    """A session of last year's day goes to last year's page, with 301: that mapping never changes."""
    past, _upcoming = two_events
    session = SessionFactory(event=past)

    response = client.get(f"/programma/sessie/{session.pk}/")

    assert (response.status_code, response["Location"]) == (
        301,
        f"/dvdpd-2026/programma/sessie/{session.pk}/",
    )


def test_an_old_address_of_an_unknown_session_is_404(client, two_events):
    assert client.get("/programma/sessie/999999/").status_code == 404


def test_old_root_addresses_are_404_without_any_event(client):
    """Nothing to redirect to: 404, not a crash."""
    assert [client.get(path).status_code for path in ("/programma/", "/aanmelding/", "/schedule.json")] == [
        404,
        404,
        404,
    ]


def test_the_personal_calendar_feed_answers_without_a_redirect_across_events(client, two_events):
    """Calendar apps keep /agenda/<token>/trialoog.ics: 200 at once, with sessions of every event."""
    past, upcoming = two_events
    person = UserFactory()
    for event, title in ((past, "Vorig jaar"), (upcoming, "Dit jaar")):
        RegistrationFactory(user=person, event=event)
        session = SessionFactory(
            event=event, title=title, starts_at=at(10, date=event.date), ends_at=at(11, date=event.date)
        )
        signup_create(user=person, session=session)

    response = client.get(f"/agenda/{person.calendar_token}/trialoog.ics")

    calendar = icalendar.Calendar.from_ical(response.content)
    assert response.status_code == 200
    assert [str(e["summary"]) for e in calendar.events] == ["Vorig jaar", "Dit jaar"]


# --- The current event ------------------------------------------------------------------------


def test_current_event_is_the_next_one_not_over(two_events):
    """Of a past and an upcoming event, the upcoming one; of two upcoming, the soonest."""
    _past, upcoming = two_events
    future_event(days=90, slug="later")

    assert selectors.event_get_current().slug == upcoming.slug


def test_current_event_is_the_latest_when_all_are_over():
    EventFactory(slug="oud", date=today() - dt.timedelta(days=400))
    EventFactory(slug="recent", date=today() - dt.timedelta(days=10))

    assert selectors.event_get_current().slug == "recent"


def test_current_event_passes_over_an_unpublished_programme(two_events):
    """The menu should not lead the public to a 404: an upcoming event whose programme only its team sees
    comes after one the public can see."""
    past, upcoming = two_events
    upcoming.programme_published = False
    upcoming.save()

    assert selectors.event_get_current().slug == past.slug


def test_the_menu_programme_link_points_to_the_current_event(client, two_events):
    """On a page without an event of its own (the join page), "Programma" leads to the current event's programme."""
    content = client.get("/zaal/").content.decode()

    assert '<a class="site-nav__link" href="/dvdpd-2027/programma/">Programma</a>' in content


def test_the_menu_programme_link_stays_on_the_event_being_viewed(client, two_events):
    """On last year's pages the menu's "Programma" is last year's programme."""
    content = client.get("/dvdpd-2026/").content.decode()

    assert '<a class="site-nav__link" href="/dvdpd-2026/programma/">Programma</a>' in content


def test_the_registration_email_links_to_this_events_programme_and_registration(
    client, django_capture_on_commit_callbacks
):
    """The confirmation leads to the event's own pages, not to the old root addresses."""
    event = EventFactory(slug="utrecht")
    client.force_login(UserFactory())

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/utrecht/aanmelden/aanmelden/")

    body = mail.outbox[0].body
    assert (
        f"{settings.SITE_URL}/utrecht/programma/" in body,
        f"{settings.SITE_URL}/utrecht/aanmelden/" in body,
    ) == (
        True,
        True,
    )
    assert event.name in body
