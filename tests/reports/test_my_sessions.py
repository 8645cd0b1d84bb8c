"""Mijn sessies: every session, across events, that a person moderates or reports on, with its state and links."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from events.models import SessionStatus
from realtime.models import LiveRoom
from reports.models import OutcomeReport
from reports.my_sessions import TeamSessionState, session_groups_for_team_member
from tests.factories import EventFactory, RoomFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 2, 12, 0, tzinfo=dt.UTC)


def session_on(event, title, hours_from_now, **fields):
    start = NOW + dt.timedelta(hours=hours_from_now)
    return SessionFactory(
        event=event, title=title, starts_at=start, ends_at=start + dt.timedelta(hours=1), **fields
    )


def test_groups_sessions_by_event_upcoming_first_with_their_state():
    person = UserFactory()
    past = EventFactory(slug="dag-2026", name="Dag 2026", date=dt.date(2026, 6, 17))
    older = EventFactory(slug="dag-2025", name="Dag 2025", date=dt.date(2025, 6, 17))
    today = EventFactory(slug="trialoog", name="Trialoog vandaag", date=NOW.date())
    later = EventFactory(slug="dag-2027", name="Dag 2027", date=dt.date(2027, 6, 17))
    published = SessionFactory(event=past, title="Gepubliceerd")
    OutcomeReport.objects.create(
        session=published, status=OutcomeReport.Status.PUBLISHED, snapshot={}, published_at=NOW
    )
    approved = SessionFactory(event=past, title="Goedgekeurd", starts_at=published.ends_at, ends_at=published.ends_at + dt.timedelta(hours=1))  # fmt: skip
    OutcomeReport.objects.create(session=approved, status=OutcomeReport.Status.APPROVED, snapshot={})
    finished = SessionFactory(event=older, title="Afgelopen zonder verslag")
    live = session_on(today, "Nu live", -0.5)
    LiveRoom.objects.create(session=live, is_open=True)
    waiting = session_on(later, "Volgend jaar", 24 * 200)
    cancelled = session_on(later, "Geschrapt", 24 * 201, status=SessionStatus.CANCELLED)
    for session in (published, approved, live, waiting, cancelled):
        session.moderators.add(person)
    for session in (finished, live):
        session.rapporteurs.add(person)
    SessionFactory(event=later, title="Van een ander").moderators.add(UserFactory())

    groups = session_groups_for_team_member(user=person, now=NOW)

    assert [
        (
            g.event.name,
            g.upcoming,
            [(s.session.title, s.state, s.is_moderator, s.is_rapporteur) for s in g.sessions],
        )
        for g in groups
    ] == [
        ("Trialoog vandaag", True, [("Nu live", TeamSessionState.LIVE, True, True)]),
        (
            "Dag 2027",
            True,
            [
                ("Volgend jaar", TeamSessionState.NOT_STARTED, True, False),
                ("Geschrapt", TeamSessionState.CANCELLED, True, False),
            ],
        ),
        (
            "Dag 2026",
            False,
            [
                ("Gepubliceerd", TeamSessionState.PUBLISHED, True, False),
                ("Goedgekeurd", TeamSessionState.REPORT_APPROVED, True, False),
            ],
        ),
        ("Dag 2025", False, [("Afgelopen zonder verslag", TeamSessionState.REPORT_DRAFT, False, True)]),
    ]


@pytest.mark.parametrize(("events", "sessions"), [(1, 12), (20, 200)])
def test_my_sessions_page_runs_a_constant_number_of_queries(
    client, django_assert_num_queries, events, sessions
):
    """
    The session and user, one query for every session in every event, and the nav's four: the organiser
    check, Mijn sessies, the back-office link and the menu's current event.
    """
    person = UserFactory()
    made = [EventFactory(slug=f"dag-{n}") for n in range(events)]
    rooms = [RoomFactory(event=event) for event in made]
    for n in range(sessions):
        session = SessionFactory(event=made[n % events], room=rooms[n % events])
        (session.moderators if n % 2 else session.rapporteurs).add(person)
    client.force_login(person)

    with django_assert_num_queries(7):
        response = client.get(reverse("reports:my_sessions"))

    assert sum(len(g.sessions) for g in response.context["groups"]) == sessions


def test_my_sessions_links_console_and_report(client):
    person = UserFactory()
    session = SessionFactory(title="Digitale post", starts_at=timezone.now() + dt.timedelta(days=3),
                             ends_at=timezone.now() + dt.timedelta(days=3, hours=1))  # fmt: skip
    session.moderators.add(person)
    client.force_login(person)

    page = client.get(reverse("reports:my_sessions")).content.decode()

    assert f'href="/zaal/{session.code}/console/"' in page
    assert f'href="/verslag/sessie/{session.pk}/"' in page
    assert "Nog niet begonnen" in page


def test_my_sessions_asks_a_visitor_to_log_in(client):
    response = client.get(reverse("reports:my_sessions"))

    assert response.status_code == 302
    assert response["Location"] == "/account/login/?next=/mijn-sessies/"


def test_my_sessions_without_sessions_says_how_they_come(client):
    client.force_login(UserFactory())

    page = client.get(reverse("reports:my_sessions")).content.decode()

    assert "U leidt nog geen sessies en maakt nog geen verslagen." in page


def test_nav_shows_my_sessions_only_to_a_moderator_or_rapporteur(client):
    rapporteur, participant = UserFactory(), UserFactory()
    SessionFactory().rapporteurs.add(rapporteur)
    link = 'href="/mijn-sessies/"'

    client.force_login(rapporteur)
    for_rapporteur = client.get(reverse("reports:kennisbank")).content.decode()
    client.force_login(participant)
    for_participant = client.get(reverse("reports:kennisbank")).content.decode()

    assert link in for_rapporteur
    assert link not in for_participant


def test_nav_asks_nothing_for_a_visitor_who_is_not_logged_in(client, django_assert_num_queries):
    """The anonymous kennisbank runs the same queries with or without the Mijn sessies link in the nav."""
    # Filter choices (3), the count, the menu's current event, the cache's next change; no EXISTS.
    with django_assert_num_queries(6):
        response = client.get(reverse("reports:kennisbank"))

    assert 'href="/mijn-sessies/"' not in response.content.decode()


def test_an_event_with_a_session_not_yet_over_counts_as_upcoming():
    """A standalone trialoog dated in the past but with a session still to end is listed with what is to come."""
    person = UserFactory()
    over = EventFactory(slug="dag-2025", name="Dag 2025", date=dt.date(2025, 6, 17))
    running = EventFactory(slug="dag-2026", name="Dag 2026", date=dt.date(2026, 6, 17))
    session_on(running, "Nog bezig", -0.5).moderators.add(person)
    SessionFactory(event=over, title="Lang geleden").moderators.add(person)

    groups = session_groups_for_team_member(user=person, now=NOW)

    assert [(g.event.name, g.upcoming) for g in groups] == [("Dag 2026", True), ("Dag 2025", False)]
