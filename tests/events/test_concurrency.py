"""
Capacity under concurrency, on PostgreSQL, with one database connection per thread.

The second test switches the Session row lock off (the pretix debug-flag
idea) and shows overbooking then happens, so the first test can fail.
"""

import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections

from events.models import SessionSignup
from events.services import signup as signup_services
from tests.factories import RegistrationFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

CONFIRMED = SessionSignup.Status.CONFIRMED
WAITLISTED = SessionSignup.Status.WAITLISTED


def run_at_once(calls: list[Callable[[], object]]) -> list[object]:
    """Run each call in its own thread and connection, released together by a barrier."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[object] = [None] * len(calls)

    def run(index: int, call: Callable[[], object]) -> None:
        try:
            connection.ensure_connection()
            barrier.wait(timeout=30)
            outcomes[index] = call()
        except Exception as error:  # reported to the test below, not swallowed
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def fifty_attendees_for_ten_seats():
    session = SessionFactory(capacity=10)
    users = [UserFactory(verified_email=False) for _ in range(50)]
    for user in users:
        RegistrationFactory(event=session.event, user=user)
    return session, users


def active(session):
    return SessionSignup.objects.filter(session=session).exclude(status=SessionSignup.Status.CANCELLED)


def test_fifty_simultaneous_signups_fill_ten_seats_and_queue_forty():
    """50 attendees at once on a 10-seat session: exactly 10 seats, waitlist 1–40 with no gaps."""
    session, users = fifty_attendees_for_ten_seats()

    outcomes = run_at_once(
        [lambda user=user: signup_services.signup_create(user=user, session=session) for user in users]
    )

    assert [o for o in outcomes if isinstance(o, Exception)] == []
    assert active(session).filter(status=CONFIRMED).count() == 10
    positions = sorted(active(session).filter(status=WAITLISTED).values_list("waitlist_position", flat=True))
    assert positions == list(range(1, 41))


def test_three_simultaneous_cancellations_promote_exactly_the_first_three():
    """Three seat holders cancel at once: waitlist positions 1–3 get the seats, the rest move up by 3."""
    session, users = fifty_attendees_for_ten_seats()
    for user in users:
        signup_services.signup_create(user=user, session=session)
    queue = list(
        active(session).filter(status=WAITLISTED).order_by("waitlist_position").values_list("user", flat=True)
    )
    leaving = list(active(session).filter(status=CONFIRMED).values_list("user", flat=True)[:3])
    by_pk = {user.pk: user for user in users}

    outcomes = run_at_once(
        [lambda pk=pk: signup_services.signup_cancel(user=by_pk[pk], session=session) for pk in leaving]
    )

    assert [o for o in outcomes if isinstance(o, Exception)] == []
    confirmed = set(active(session).filter(status=CONFIRMED).values_list("user", flat=True))
    assert len(confirmed) == 10
    assert set(queue[:3]) <= confirmed
    remaining = list(
        active(session)
        .filter(status=WAITLISTED)
        .order_by("waitlist_position")
        .values_list("user", "waitlist_position")
    )
    assert remaining == [(pk, position) for position, pk in enumerate(queue[3:], start=1)]


def test_without_the_session_lock_simultaneous_signups_overbook(monkeypatch):
    """With the row lock switched off, the same 50 sign-ups overbook or duplicate waitlist places."""
    monkeypatch.setattr(signup_services, "SKIP_SESSION_LOCK", True)
    session, users = fifty_attendees_for_ten_seats()

    run_at_once(
        [lambda user=user: signup_services.signup_create(user=user, session=session) for user in users]
    )

    confirmed = active(session).filter(status=CONFIRMED).count()
    positions = list(active(session).filter(status=WAITLISTED).values_list("waitlist_position", flat=True))
    assert confirmed > 10 or len(set(positions)) < len(positions)


def test_opposite_simultaneous_swaps_neither_deadlock_nor_overbook():
    """Ten people swap A→B while ten swap B→A at once: sessions are locked in pk order, so all finish."""
    first = SessionFactory(capacity=10)
    second = SessionFactory(event=first.event, capacity=10)
    users = [UserFactory(verified_email=False) for _ in range(20)]
    for user in users:
        RegistrationFactory(event=first.event, user=user)
    for index, user in enumerate(users):
        signup_services.signup_create(user=user, session=first if index < 10 else second)
    moves = [
        (user, first, second) if index < 10 else (user, second, first) for index, user in enumerate(users)
    ]

    outcomes = run_at_once(
        [
            lambda move=move: signup_services.signup_swap(
                user=move[0], from_session=move[1], to_session=move[2], waitlist_ok=True
            )
            for move in moves
        ]
    )

    assert [o for o in outcomes if isinstance(o, Exception)] == []
    for session in (first, second):
        assert active(session).filter(status=CONFIRMED).count() <= 10
        positions = sorted(
            active(session).filter(status=WAITLISTED).values_list("waitlist_position", flat=True)
        )
        assert positions == list(range(1, len(positions) + 1))
    assert SessionSignup.objects.exclude(status=SessionSignup.Status.CANCELLED).count() == 20
