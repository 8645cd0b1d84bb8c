import datetime as dt
import zoneinfo

import icalendar
import pytest
from django.core.management import call_command

from accounts.models import Perspective
from events.models import Session
from events.services.signup import signup_create
from tests.factories import EventFactory, SessionFactory, UserFactory, at, event_path

pytestmark = pytest.mark.django_db


def parse(response):
    return icalendar.Calendar.from_ical(response.content)


def test_schedule_ics_holds_every_seeded_session(client):
    """/schedule.ics parses back into twelve events with Amsterdam times and a VTIMEZONE."""
    call_command("seed_demo", verbosity=0)

    response = client.get(event_path("schedule.ics"))

    calendar = parse(response)
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert len(calendar.events) == 12
    assert [str(tz["tzid"]) for tz in calendar.timezones] == ["Europe/Amsterdam"]
    opening = calendar.events[0]
    assert str(opening["summary"]) == "Opening: werk aan uitvoering, samen met de Kamer"
    assert opening.decoded("dtstart") == at(9, 30)
    assert opening.decoded("dtstart").tzinfo == zoneinfo.ZoneInfo("Europe/Amsterdam")


def test_schedule_ics_uids_are_unique_and_stable(client):
    """Every session has one UID, the same on each download."""
    event = EventFactory()
    SessionFactory.create_batch(3, event=event)

    first = [str(e["uid"]) for e in parse(client.get(event_path("schedule.ics"))).events]
    second = [str(e["uid"]) for e in parse(client.get(event_path("schedule.ics"))).events]

    assert len(set(first)) == 3
    assert first == second


def test_schedule_ics_keeps_wall_clock_across_the_dst_change(client):
    """A session on the last Sunday of October keeps its 10:00 Amsterdam start after the clocks go back."""
    day = dt.date(2026, 10, 25)
    event = EventFactory(date=day)
    SessionFactory(event=event, starts_at=at(10, date=day), ends_at=at(11, date=day))

    start = parse(client.get(event_path("schedule.ics"))).events[0].decoded("dtstart")

    assert (start.hour, start.utcoffset()) == (10, dt.timedelta(hours=1))


def test_personal_feed_shows_seats_and_marks_waitlist_places_tentative(client, attendee):
    """The secret feed holds the user's seat as CONFIRMED and their waitlist place as TENTATIVE."""
    event = EventFactory()
    seated = SessionFactory(event=event, title="Zitplaats", starts_at=at(14), ends_at=at(15))
    full = SessionFactory(event=event, title="Wachtlijst", capacity=1)
    SessionFactory(event=event, title="Niet gekozen", starts_at=at(16), ends_at=at(17))
    user = attendee(event, perspective=Perspective.BELEID)
    signup_create(user=attendee(event), session=full)
    signup_create(user=user, session=seated)
    signup_create(user=user, session=full)

    calendar = parse(client.get(f"/agenda/{user.calendar_token}/trialoog.ics"))

    assert [(str(e["summary"]), str(e["status"])) for e in calendar.events] == [
        ("Wachtlijst", "TENTATIVE"),
        ("Zitplaats", "CONFIRMED"),
    ]


def test_personal_feed_with_an_unknown_token_is_404(client):
    """A wrong token reveals nothing."""
    UserFactory()

    assert client.get("/agenda/geen-geldig-token/trialoog.ics").status_code == 404


def test_personal_feed_needs_no_login(client, attendee):
    """Calendar apps cannot log in: the token alone opens the feed."""
    session = SessionFactory()
    user = attendee(session.event)
    signup_create(user=user, session=session)

    response = client.get(f"/agenda/{user.calendar_token}/trialoog.ics")

    assert response.status_code == 200
    assert [str(e["summary"]) for e in parse(response).events] == [session.title]


def test_schedule_ics_uses_a_constant_number_of_queries(client, django_assert_num_queries):
    """Event and sessions, plus the cache's next-change moment: three queries, whatever the size of the
    programme; the next request is served from the public-page cache without any."""
    call_command("seed_demo", verbosity=0)
    assert Session.objects.filter(event__slug="dvdpd-2026").count() == 12

    url = event_path("schedule.ics")
    with django_assert_num_queries(3):
        client.get(url)
    with django_assert_num_queries(0):
        client.get(url)
