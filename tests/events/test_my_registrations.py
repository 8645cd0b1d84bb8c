"""Mijn aanmeldingen: every event a person registered for, with their session places, upcoming first."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from events.models import Registration
from events.services.signup import signup_create
from tests.factories import EventFactory, RegistrationFactory, SessionFactory, UserFactory, at

pytestmark = pytest.mark.django_db


def day(offset: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=offset)


def session_on(event, title: str, hour: int = 10):
    return SessionFactory(
        event=event, title=title, starts_at=at(hour, date=event.date), ends_at=at(hour, 50, date=event.date)
    )


@pytest.fixture
def person_of_three_events():
    """Registered for a past day, a day to come and a trialoog to come, with a seat in two of them."""
    person = UserFactory()
    past = EventFactory(name="Dag 2026", slug="dvdpd-2026", date=day(-100))
    later = EventFactory(name="Dag 2027", slug="dvdpd-2027", date=day(200))
    soon = EventFactory(name="Trialoog Utrecht", slug="utrecht", date=day(20))
    for event in (past, later, soon):
        RegistrationFactory(user=person, event=event)
    signup_create(user=person, session=session_on(past, "Vorig jaar"))
    signup_create(user=person, session=session_on(soon, "Wonen"))
    return person


def test_my_registrations_groups_by_event_upcoming_soonest_first_then_past(person_of_three_events):
    client = Client()
    client.force_login(person_of_three_events)

    response = client.get("/mijn-aanmeldingen/")

    groups = response.context["groups"]
    assert [(g.event.slug, g.upcoming, [s.session.title for s in g.signups]) for g in groups] == [
        ("utrecht", True, ["Wonen"]),
        ("dvdpd-2027", True, []),
        ("dvdpd-2026", False, ["Vorig jaar"]),
    ]


def test_my_registrations_links_each_event_its_registration_and_sessions(person_of_three_events):
    client = Client()
    client.force_login(person_of_three_events)

    content = client.get("/mijn-aanmeldingen/").content.decode()

    assert '<a href="/utrecht/">Trialoog Utrecht</a>' in content
    assert 'href="/utrecht/aanmelden/">Mijn aanmelding' in content
    assert 'href="/utrecht/agenda/">Mijn agenda' in content
    assert "/utrecht/programma/sessie/" in content


def test_a_cancelled_registration_shows_as_cancelled():
    person = UserFactory()
    RegistrationFactory(user=person, event=EventFactory(date=day(5)), status=Registration.Status.CANCELLED)
    client = Client()
    client.force_login(person)

    content = client.get("/mijn-aanmeldingen/").content.decode()

    assert '<span class="badge badge--status">Afgemeld</span>' in content


def test_my_registrations_shows_nobody_else(person_of_three_events):
    """Another person sees only their own (here: nothing)."""
    client = Client()
    client.force_login(UserFactory())

    response = client.get("/mijn-aanmeldingen/")

    assert response.context["groups"] == []
    assert "U heeft zich nog niet aangemeld voor een evenement." in response.content.decode()


def test_my_registrations_requires_login(client):
    response = client.get("/mijn-aanmeldingen/")

    assert (response.status_code, response["Location"]) == (302, "/account/login/?next=/mijn-aanmeldingen/")


@pytest.mark.parametrize("events", [1, 20])
def test_my_registrations_uses_a_constant_number_of_queries(django_assert_num_queries, events):
    """Session, user, registrations with their events, the platform-admin check, the visible sign-ups, the
    menu's current event and its organiser check, the back-office link and the Mijn sessies check: nine
    queries for 1 or 20 events."""
    person = UserFactory()
    for n in range(events):
        event = EventFactory(date=day(n))
        RegistrationFactory(user=person, event=event)
        signup_create(user=person, session=session_on(event, f"Sessie {n}"))
    client = Client()
    client.force_login(person)

    with django_assert_num_queries(9):
        response = client.get("/mijn-aanmeldingen/")

    assert len(response.context["groups"]) == events


def test_the_menu_leads_to_my_registrations():
    EventFactory()
    client = Client()
    client.force_login(UserFactory())

    content = client.get("/").content.decode()

    assert '<a class="site-nav__link" href="/mijn-aanmeldingen/">Mijn aanmeldingen</a>' in content
