"""The site's home lists every event: the next one first and prominent, then the others, then past ones."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from accounts.roles import organiser_group_ensure
from reports.services import report_approve, report_publish
from tests.factories import EventFactory, OrganisationFactory, RoomFactory, SessionFactory, UserFactory, at

pytestmark = pytest.mark.django_db


def day(offset: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=offset)


def test_the_next_event_comes_first_with_its_highlights(client):
    """Of three upcoming events the soonest is the hero, with its first sessions; the others follow."""
    EventFactory(name="Over een jaar", slug="later", date=day(365))
    soon = EventFactory(name="Binnenkort", slug="binnenkort", date=day(10))
    EventFactory(name="Over een maand", slug="maand", date=day(30))
    SessionFactory(
        event=soon, title="Eerste sessie", starts_at=at(10, date=soon.date), ends_at=at(11, date=soon.date)
    )

    response = client.get("/")

    content = response.content.decode()
    assert [e.slug for e in response.context["home"].upcoming] == ["binnenkort", "maand", "later"]
    assert '<h1 class="hero__title" id="next-title"><a href="/binnenkort/">Binnenkort</a></h1>' in content
    assert "Eerste sessie" in content
    assert content.index("Over een maand") < content.index("Over een jaar")


def test_past_events_come_latest_first_with_a_link_to_their_published_outcomes(client):
    """A past event with a published report links to the kennisbank filtered by the event; one without says so."""
    EventFactory(name="Dag 2025", slug="dvdpd-2025", date=day(-400))
    published = EventFactory(name="Dag 2026", slug="dvdpd-2026", date=day(-30))
    session = SessionFactory(event=published)
    organiser = UserFactory()
    organiser.groups.add(organiser_group_ensure())
    report_approve(session=session, user=organiser)
    report_publish(session=session, user=organiser)

    response = client.get("/")

    content = response.content.decode()
    assert [(e.slug, e.has_outcomes) for e in response.context["home"].past] == [
        ("dvdpd-2026", True),
        ("dvdpd-2025", False),
    ]
    assert '<a href="/kennisbank/?event=dvdpd-2026">Uitkomsten van Dag 2026 in de kennisbank</a>' in content
    assert "/kennisbank/?event=dvdpd-2025" not in content
    assert "Nog geen gepubliceerde uitkomsten." in content
    assert "Er is nu geen evenement gepland." in content


def test_a_multi_day_event_is_upcoming_until_its_last_day(client):
    """An event that began yesterday and ends tomorrow is still the next event."""
    EventFactory(slug="loopt-nog", date=day(-1), end_date=day(1))

    assert client.get("/").context["home"].next_event.slug == "loopt-nog"


def test_the_home_names_the_organisation_of_each_event(client):
    province = OrganisationFactory(name="Provincie Gelderland")
    EventFactory(organisation=province, date=day(5))

    assert "Georganiseerd door Provincie Gelderland" in client.get("/").content.decode()


def _many_events(count: int) -> None:
    """`count` events, about half past and the rest to come, each with two rooms and three sessions."""
    for n in range(count):
        event = EventFactory(date=day(30 * (n - count // 2) + 15), organisation=OrganisationFactory())
        rooms = RoomFactory.create_batch(2, event=event)
        for hour in (10, 11, 12):
            SessionFactory(
                event=event,
                room=rooms[hour % 2],
                starts_at=at(hour, date=event.date),
                ends_at=at(hour, 50, date=event.date),
            )


@pytest.mark.parametrize("count", [1, 20])
def test_the_home_uses_a_constant_number_of_queries(client, django_assert_num_queries, count):
    """Events with their organisations, the next event's highlights, the menu's current event and the
    cache's next-change moment: four queries for 1 or 20 events; the next visitor costs none."""
    _many_events(count)

    with django_assert_num_queries(4):
        response = client.get("/")
    with django_assert_num_queries(0):
        Client().get("/")

    assert len(response.context["home"].upcoming) + len(response.context["home"].past) == count
