import datetime as dt

import icalendar
import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import Perspective
from events.models import Registration, SessionSignup
from events.services.signup import signup_cancel, signup_create, signup_swap, signup_waitlist_fill
from tests.factories import (
    EventFactory,
    RoomFactory,
    SessionFactory,
    SessionSignupFactory,
    UserFactory,
    at,
)

pytestmark = pytest.mark.django_db

CONFIRMED = SessionSignup.Status.CONFIRMED
WAITLISTED = SessionSignup.Status.WAITLISTED
CANCELLED = SessionSignup.Status.CANCELLED


def waitlist(session):
    return list(
        SessionSignup.objects.filter(session=session, status=WAITLISTED)
        .order_by("waitlist_position")
        .values_list("user__email", "waitlist_position")
    )


def status_of(user, session):
    return SessionSignup.objects.exclude(status=CANCELLED).get(user=user, session=session).status


@pytest.fixture
def full_session(attendee):
    """A two-seat session with both seats taken and two people waiting."""
    session = SessionFactory(capacity=2)
    people = [attendee(session.event, email=f"p{i}@example.org") for i in range(4)]
    for person in people:
        signup_create(user=person, session=session)
    return session, people


def test_signup_create_confirms_when_a_seat_is_free(attendee):
    """A registered attendee takes a free seat straight away."""
    session = SessionFactory(capacity=2)
    user = attendee(session.event)

    signup = signup_create(user=user, session=session)

    assert (signup.status, signup.waitlist_position, signup.perspective) == (CONFIRMED, None, "uitvoering")


def test_signup_create_waitlists_at_the_next_position_when_full(full_session):
    """When every seat is taken, newcomers queue in arrival order."""
    session, _ = full_session

    assert waitlist(session) == [("p2@example.org", 1), ("p3@example.org", 2)]


def test_signup_create_twice_returns_the_existing_signup(attendee):
    """Signing up again for the same session changes nothing."""
    session = SessionFactory(capacity=2)
    user = attendee(session.event)
    first = signup_create(user=user, session=session)

    second = signup_create(user=user, session=session)

    assert second.pk == first.pk
    assert SessionSignup.objects.filter(session=session).count() == 1


def test_signup_create_requires_an_active_registration():
    """Without a registration for the day, sign-up is refused."""
    session = SessionFactory()
    user = UserFactory()

    with pytest.raises(PermissionDenied, match="Meld u eerst aan voor de dag"):
        signup_create(user=user, session=session)

    assert SessionSignup.objects.count() == 0


def test_signup_create_refuses_a_cancelled_registration(attendee):
    """A cancelled registration does not allow sign-up."""
    session = SessionFactory()
    user = attendee(session.event)
    Registration.objects.filter(user=user).update(status=Registration.Status.CANCELLED)

    with pytest.raises(PermissionDenied):
        signup_create(user=user, session=session)


def test_signup_create_refuses_a_session_with_signup_closed(attendee):
    """The organiser can close one session for sign-up."""
    session = SessionFactory(signup_open=False)
    user = attendee(session.event)

    with pytest.raises(ValidationError) as error:
        signup_create(user=user, session=session)

    assert error.value.code == "signup_closed"


def test_signup_create_refuses_when_registration_for_the_day_is_closed(attendee):
    """Closing registration for the day also closes session sign-up."""
    session = SessionFactory(event=EventFactory(registration_open=False))
    user = attendee(session.event)

    with pytest.raises(ValidationError) as error:
        signup_create(user=user, session=session)

    assert error.value.code == "registration_closed"


def test_signup_create_accepts_a_past_day_while_registration_is_open(attendee):
    """The example day lies in the past; the organiser's setting decides, not today's date."""
    session = SessionFactory(event=EventFactory(date=dt.date(2026, 6, 17), registration_open=True))
    user = attendee(session.event)

    assert signup_create(user=user, session=session).status == CONFIRMED


def test_signup_create_refuses_an_overlapping_session_with_a_swap_offer(attendee):
    """Holding a seat at 10:30–11:45 blocks another session at 11:00–12:00, with code clash."""
    held = SessionFactory(title="Gegevensdeling")
    other = SessionFactory(event=held.event, starts_at=at(11), ends_at=at(12))
    user = attendee(held.event)
    signup_create(user=user, session=held)

    with pytest.raises(ValidationError) as error:
        signup_create(user=user, session=other)

    assert error.value.code == "clash"
    assert error.value.messages == [
        "U staat op dat moment al ingeschreven voor “Gegevensdeling”. U kunt die sessie ruilen voor deze sessie."
    ]
    assert not SessionSignup.objects.filter(session=other).exists()


def test_signup_create_counts_a_waitlist_place_as_a_clash(full_session):
    """A waitlist place holds the time slot too, so promotion can never double-book someone."""
    session, people = full_session
    other = SessionFactory(event=session.event)

    with pytest.raises(ValidationError) as error:
        signup_create(user=people[3], session=other)

    assert error.value.code == "clash"


def test_signup_create_allows_back_to_back_sessions(attendee):
    """A session that starts when the held one ends does not clash."""
    held = SessionFactory()
    next_one = SessionFactory(event=held.event, starts_at=at(11, 45), ends_at=at(12, 30))
    user = attendee(held.event)
    signup_create(user=user, session=held)

    assert signup_create(user=user, session=next_one).status == CONFIRMED


def test_reserved_seats_are_held_for_their_perspective(attendee):
    """With one of three seats reserved for politiek, the third uitvoering attendee waits."""
    session = SessionFactory(
        capacity=3, reserved_politiek=1, reserved_until=timezone.now() + dt.timedelta(days=1)
    )
    others = [attendee(session.event) for _ in range(3)]

    statuses = [signup_create(user=user, session=session).status for user in others]

    assert statuses == [CONFIRMED, CONFIRMED, WAITLISTED]


def test_reserved_seat_goes_to_its_perspective(attendee):
    """A politiek attendee takes the reserved seat first, keeping general seats for others."""
    session = SessionFactory(
        capacity=2, reserved_politiek=1, reserved_until=timezone.now() + dt.timedelta(days=1)
    )
    kamerlid = attendee(session.event, perspective=Perspective.POLITIEK, is_kamerlid=True)
    other = attendee(session.event)

    first = signup_create(user=kamerlid, session=session)
    second = signup_create(user=other, session=session)

    assert (first.status, first.reserved_seat) == (CONFIRMED, True)
    assert (second.status, second.reserved_seat) == (CONFIRMED, False)


def test_reserved_seats_open_to_all_after_the_deadline(attendee):
    """Once reserved_until has passed, a reserved seat is an ordinary seat."""
    session = SessionFactory(
        capacity=1, reserved_politiek=1, reserved_until=timezone.now() - dt.timedelta(minutes=1)
    )
    user = attendee(session.event)

    assert signup_create(user=user, session=session).status == CONFIRMED


def test_expired_reservation_goes_to_the_waitlist_before_a_newcomer(attendee):
    """Seats released by the deadline go to the first in the queue, not to whoever signs up next."""
    session = SessionFactory(
        capacity=2, reserved_politiek=1, reserved_until=timezone.now() + dt.timedelta(days=1)
    )
    seated, waiting, newcomer = (attendee(session.event) for _ in range(3))
    signup_create(user=seated, session=session)
    signup_create(user=waiting, session=session)
    session.reserved_until = timezone.now() - dt.timedelta(minutes=1)
    session.save()

    late = signup_create(user=newcomer, session=session)

    assert status_of(waiting, session) == CONFIRMED
    assert (late.status, late.waitlist_position) == (WAITLISTED, 1)


def test_signup_cancel_promotes_the_first_waitlisted_and_emails_them(
    full_session, django_capture_on_commit_callbacks
):
    """A freed seat goes to waitlist position 1 in the same transaction; they get an email with an .ics."""
    session, people = full_session

    with django_capture_on_commit_callbacks(execute=True):
        signup_cancel(user=people[0], session=session)

    assert status_of(people[2], session) == CONFIRMED
    assert waitlist(session) == [("p3@example.org", 1)]
    assert [m.to for m in mail.outbox] == [["p2@example.org"]]
    assert mail.outbox[0].subject == f"Er is een plaats vrij: u bent ingeschreven voor {session.title}"
    filename, content, mimetype = mail.outbox[0].attachments[0]
    assert (filename, mimetype) == ("sessie.ics", "text/calendar; charset=utf-8")
    assert [str(e["summary"]) for e in icalendar.Calendar.from_ical(content).events] == [session.title]


def test_signup_cancel_skips_a_waitlisted_person_who_would_get_a_clash(full_session):
    """If promotion would double-book someone (e.g. after a time change), the next person gets the seat."""
    session, people = full_session
    elsewhere = SessionFactory(event=session.event, room=RoomFactory(event=session.event))
    SessionSignupFactory(user=people[2], session=elsewhere)

    signup_cancel(user=people[0], session=session)

    assert status_of(people[3], session) == CONFIRMED
    assert waitlist(session) == [("p2@example.org", 1)]


def test_signup_cancel_gives_a_freed_reserved_seat_to_that_perspective(attendee):
    """A freed politiek seat skips the uitvoering person ahead in the queue while the reservation runs."""
    session = SessionFactory(
        capacity=2, reserved_politiek=1, reserved_until=timezone.now() + dt.timedelta(days=1)
    )
    politiek = [attendee(session.event, perspective=Perspective.POLITIEK) for _ in range(2)]
    uitvoering = [attendee(session.event) for _ in range(2)]
    for user in [uitvoering[0], politiek[0], uitvoering[1], politiek[1]]:
        signup_create(user=user, session=session)

    signup_cancel(user=politiek[0], session=session)

    assert status_of(politiek[1], session) == CONFIRMED
    assert waitlist(session) == [(uitvoering[1].email, 1)]


def test_signup_cancel_from_the_waitlist_closes_the_gap(attendee):
    """Leaving the waitlist moves everyone behind up one place."""
    session = SessionFactory(capacity=1)
    people = [attendee(session.event, email=f"w{i}@example.org") for i in range(4)]
    for person in people:
        signup_create(user=person, session=session)

    signup_cancel(user=people[2], session=session)

    assert waitlist(session) == [("w1@example.org", 1), ("w3@example.org", 2)]


def test_signup_cancel_without_a_signup_returns_none(attendee):
    """Cancelling what you do not hold is a no-op."""
    session = SessionFactory()
    user = attendee(session.event)

    assert signup_cancel(user=user, session=session) is None


def test_signup_swap_moves_the_seat_and_promotes_on_the_old_session(full_session, attendee):
    """A swap frees the old seat for the waitlist and takes a seat in the new session, atomically."""
    session, people = full_session
    target = SessionFactory(event=session.event, starts_at=at(11), ends_at=at(12), capacity=5)

    new = signup_swap(user=people[0], from_session=session, to_session=target)

    assert new.status == CONFIRMED
    assert SessionSignup.objects.get(user=people[0], session=session).status == CANCELLED
    assert status_of(people[2], session) == CONFIRMED


def test_signup_swap_to_a_full_session_without_consent_changes_nothing(full_session, attendee):
    """Nobody trades a seat for a waitlist place by surprise: code full, the old seat stays."""
    session, people = full_session
    target = SessionFactory(event=session.event, starts_at=at(11), ends_at=at(12), capacity=1)
    signup_create(user=attendee(session.event), session=target)

    with pytest.raises(ValidationError) as error:
        signup_swap(user=people[0], from_session=session, to_session=target)

    assert error.value.code == "full"
    assert status_of(people[0], session) == CONFIRMED
    assert not SessionSignup.objects.filter(user=people[0], session=target).exists()


def test_signup_swap_to_a_full_session_with_consent_joins_its_waitlist(full_session, attendee):
    """With waitlist_ok the swap gives up the seat for a waitlist place."""
    session, people = full_session
    target = SessionFactory(event=session.event, starts_at=at(11), ends_at=at(12), capacity=1)
    signup_create(user=attendee(session.event), session=target)

    new = signup_swap(user=people[0], from_session=session, to_session=target, waitlist_ok=True)

    assert (new.status, new.waitlist_position) == (WAITLISTED, 1)
    assert status_of(people[2], session) == CONFIRMED


def test_signup_swap_requires_a_place_in_the_first_session(attendee):
    """You can only swap a session you hold."""
    held = SessionFactory()
    target = SessionFactory(event=held.event)
    user = attendee(held.event)

    with pytest.raises(ValidationError) as error:
        signup_swap(user=user, from_session=held, to_session=target)

    assert error.value.code == "not_signed_up"


def test_signup_confirmation_email_carries_the_session_as_ics(attendee, django_capture_on_commit_callbacks):
    """The confirmation email has a parseable .ics with the session's Amsterdam start time."""
    session = SessionFactory(title="Trialoog: de Vereenvoudigingswet")
    user = attendee(session.event)

    with django_capture_on_commit_callbacks(execute=True):
        signup_create(user=user, session=session)

    message = mail.outbox[0]
    assert message.subject == "Ingeschreven: Trialoog: de Vereenvoudigingswet"
    assert "Wanneer: woensdag 17 juni 2026, 10:30–11:45" in message.body
    event = icalendar.Calendar.from_ical(message.attachments[0][1]).events[0]
    assert event.decoded("dtstart") == at(10, 30)


def test_waitlisted_signup_email_names_the_position(
    full_session, attendee, django_capture_on_commit_callbacks
):
    """Joining the waitlist sends an email with the position and no attachment."""
    session, _ = full_session
    user = attendee(session.event)

    with django_capture_on_commit_callbacks(execute=True):
        signup_create(user=user, session=session)

    assert "U staat op de wachtlijst, op plaats 3." in mail.outbox[0].body
    assert mail.outbox[0].attachments == []


def test_signup_waitlist_fill_promotes_after_the_capacity_is_raised(full_session):
    """Raising the capacity and filling the waitlist seats the whole queue in order."""
    session, people = full_session
    session.capacity = 4
    session.save()

    promoted = signup_waitlist_fill(session=session)

    assert [s.user for s in promoted] == people[2:]
    assert waitlist(session) == []


def test_waitlist_fill_command_seats_the_queue_after_the_reservation_deadline(attendee):
    """Once reserved seats are released, the periodic command gives them to the waitlist."""
    from django.core.management import call_command

    session = SessionFactory(
        capacity=2, reserved_politiek=1, reserved_until=timezone.now() + dt.timedelta(days=1)
    )
    seated, waiting = attendee(session.event), attendee(session.event)
    signup_create(user=seated, session=session)
    signup_create(user=waiting, session=session)
    session.reserved_until = timezone.now() - dt.timedelta(minutes=1)
    session.save()

    call_command("waitlist_fill", verbosity=0)

    assert status_of(waiting, session) == CONFIRMED
