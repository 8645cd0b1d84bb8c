"""
Session sign-up: seats, reserved perspective seats, the waitlist, clashes and swaps.

Capacity holds under concurrency because every change that takes or frees a
seat locks the Session row (`SELECT … FOR UPDATE`) inside the transaction and
counts again once the lock is held. Locks are always taken in one order: the
user's Registration row first, then Session rows by ascending pk. That order
keeps a swap and a cancellation from deadlocking each other.
"""

import functools

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from accounts.models import User
from events import calendar
from events.models import Registration, Session, SessionSignup, SessionStatus
from events.permissions import can_see_session
from events.selectors import RESERVED, SeatCounts, seat_counts_get, signup_active_get, signup_clash_get
from mail.services import mail_send

# Debug switch for the concurrency tests, after pretix: with it on, no Session
# row lock is taken, so a test can show that overbooking then really happens.
SKIP_SESSION_LOCK = False


def _sessions_lock(*pks: int) -> dict[int, Session]:
    """Lock the Session rows in ascending pk order and return fresh copies keyed by pk."""
    queryset = Session.objects.select_related("event", "room").filter(pk__in=pks).order_by("pk")
    if not SKIP_SESSION_LOCK:
        # Lock only the session rows: locking the joined event would serialise the whole day.
        queryset = queryset.select_for_update(of=("self",))
    return {session.pk: session for session in queryset}


def _registration_lock(*, user: User, event_id: int, require_active: bool) -> Registration | None:
    """
    Lock the user's registration row, which serialises one person's sign-up changes.

    Raises PermissionDenied when an active registration is required and missing.
    """
    if not user.is_authenticated:
        raise PermissionDenied(_("Log eerst in."))
    registration = Registration.objects.select_for_update().filter(user=user, event_id=event_id).first()
    if require_active and (registration is None or registration.status != Registration.Status.REGISTERED):
        raise PermissionDenied(
            _("Meld u eerst aan voor de dag. Daarna kunt u zich inschrijven voor sessies.")
        )
    return registration


def _ensure_may_sign_up(*, user: User, session: Session) -> None:
    """
    Refuse a session this person may not see (404 to the view), then a cancelled one.

    A draft session, or any session of an unpublished programme, is open only
    to the event's team, who may try it out before it goes public.
    """
    if not can_see_session(user, session):
        raise PermissionDenied(_("Deze sessie bestaat niet (meer)."))
    if session.status == SessionStatus.CANCELLED:
        raise ValidationError(
            _("Deze sessie is geannuleerd. U kunt zich er niet voor inschrijven."), code="cancelled"
        )


def _ensure_signup_open(session: Session) -> None:
    if not session.event.registration_is_open():
        raise ValidationError(_("Inschrijven voor deze dag is gesloten."), code="registration_closed")
    if not session.signup_open:
        raise ValidationError(_("Inschrijven voor deze sessie is gesloten."), code="signup_closed")


def _ensure_no_clash(*, user: User, session: Session, ignore: Session | None = None) -> None:
    clash = signup_clash_get(user=user, session=session, ignore=ignore)
    if clash is not None:
        raise ValidationError(
            _(
                "U staat op dat moment al ingeschreven voor “%(title)s”. "
                "U kunt die sessie ruilen voor deze sessie."
            ),
            code="clash",
            params={"title": clash.title},
        )


def _waitlist_renumber(session: Session) -> None:
    """Close the gaps: waitlist positions become 1..n in their current order."""
    waiting = list(
        SessionSignup.objects.filter(session=session, status=SessionSignup.Status.WAITLISTED).order_by(
            "waitlist_position", "created_at", "pk"
        )
    )
    changed = []
    for position, signup in enumerate(waiting, start=1):
        if signup.waitlist_position != position:
            signup.waitlist_position = position
            changed.append(signup)
    SessionSignup.objects.bulk_update(changed, ["waitlist_position"])


def _waitlist_fill(session: Session) -> tuple[list[SessionSignup], SeatCounts]:
    """
    Promote waitlisted people, first come first served, while seats they may take are free.

    Skips (and keeps in place) anyone whose perspective does not fit the free
    seat, who would get a clash, or whose registration is no longer active.
    Renumbers the waitlist and emails each promoted person after commit.
    The Session row must be locked. Returns the promoted sign-ups and the
    seat counts after promotion.
    """
    counts = seat_counts_get(session=session)
    seatable = counts.seatable_perspectives()
    if seatable == []:
        return [], counts
    waiting = SessionSignup.objects.filter(session=session, status=SessionSignup.Status.WAITLISTED).order_by(
        "waitlist_position", "pk"
    )
    if seatable is not None:
        # Only reserved seats are free: look at the queue of those perspectives alone.
        waiting = waiting.filter(perspective__in=seatable)
    promoted = []
    for signup in waiting.select_related("user"):
        seat = counts.seat_for(signup.perspective)
        if seat is None:
            continue
        if signup_clash_get(user=signup.user, session=session) is not None:
            continue
        if not Registration.objects.filter(
            user=signup.user, event_id=session.event_id, status=Registration.Status.REGISTERED
        ).exists():
            continue
        signup.session = session
        signup.status = SessionSignup.Status.CONFIRMED
        signup.waitlist_position = None
        signup.reserved_seat = seat == RESERVED
        signup.save(update_fields=["status", "waitlist_position", "reserved_seat", "updated_at"])
        counts.take(seat, signup.perspective)
        promoted.append(signup)
        transaction.on_commit(functools.partial(_mail_signup, signup=signup, template="signup_promoted"))
        if counts.free == 0:
            break
    if promoted:
        _waitlist_renumber(session)
    return promoted, counts


def _place(*, user: User, session: Session, counts: SeatCounts) -> SessionSignup:
    """Give the user a seat if one is free for their perspective, else the last waitlist place."""
    perspective = user.perspective
    seat = counts.seat_for(perspective)
    signup = SessionSignup(user=user, session=session, perspective=perspective)
    if seat is None:
        last = SessionSignup.objects.filter(
            session=session, status=SessionSignup.Status.WAITLISTED
        ).aggregate(last=Max("waitlist_position"))["last"]
        signup.status = SessionSignup.Status.WAITLISTED
        signup.waitlist_position = (last or 0) + 1
    else:
        signup.status = SessionSignup.Status.CONFIRMED
        signup.reserved_seat = seat == RESERVED
    # The constraints are left to the database: the Registration lock already
    # serialises this user's changes, and validating them here costs two queries.
    signup.full_clean(validate_constraints=False)
    signup.save()
    template = "signup_confirmed" if seat else "signup_waitlisted"
    transaction.on_commit(functools.partial(_mail_signup, signup=signup, template=template))
    return signup


def _mail_signup(*, signup: SessionSignup, template: str) -> None:
    """Email the person about their seat; a confirmed seat comes with an .ics file."""
    attachments = []
    if signup.status == SessionSignup.Status.CONFIRMED:
        attachments.append(
            ("sessie.ics", calendar.calendar_for_sessions([signup.session]), "text/calendar; charset=utf-8")
        )
    mail_send(
        to=signup.user.email,
        template=template,
        context={"user": signup.user, "session": signup.session, "signup": signup},
        attachments=attachments,
    )


@transaction.atomic
def signup_create(*, user: User, session: Session) -> SessionSignup:
    """
    Take a seat in the session, or the last place on its waitlist when it is full.

    Requires an active registration for the session's own event and open
    sign-up; refuses a cancelled session (code "cancelled"), and a draft or
    a session of an unpublished programme to anyone outside the event's team
    (PermissionDenied). Reserved
    perspective seats go only to that perspective until `reserved_until`.
    Refuses, with code "clash", a session that overlaps one the user already
    holds (seat or waitlist place). Signing up twice returns the existing
    sign-up. Side effects: may first promote waitlisted people into seats
    freed by an expired reservation; sends a confirmation or waitlist email
    after commit (the confirmation carries an .ics file).
    """
    _ensure_may_sign_up(user=user, session=session)
    _registration_lock(user=user, event_id=session.event_id, require_active=True)
    existing = signup_active_get(user=user, session=session)
    if existing is not None:
        return existing
    _ensure_signup_open(session)
    _ensure_no_clash(user=user, session=session)
    locked = _sessions_lock(session.pk)[session.pk]
    counts = _waitlist_fill(locked)[1]
    return _place(user=user, session=locked, counts=counts)


@transaction.atomic
def signup_cancel(*, user: User, session: Session) -> SessionSignup | None:
    """
    Give up the seat or waitlist place in the session; allowed at any time.

    A freed seat goes at once, in the same transaction, to the first eligible
    person on the waitlist, who is emailed after commit. The waitlist closes
    its gaps. Returns the cancelled sign-up, or None when there was nothing
    to cancel.
    """
    _registration_lock(user=user, event_id=session.event_id, require_active=False)
    if signup_active_get(user=user, session=session) is None:
        return None
    locked = _sessions_lock(session.pk)[session.pk]
    return _cancel_locked(user=user, session=locked)


def _cancel_locked(*, user: User, session: Session) -> SessionSignup | None:
    signup = signup_active_get(user=user, session=session)
    if signup is None:
        return None
    was_confirmed = signup.status == SessionSignup.Status.CONFIRMED
    signup.status = SessionSignup.Status.CANCELLED
    signup.waitlist_position = None
    signup.save(update_fields=["status", "waitlist_position", "updated_at"])
    if was_confirmed:
        _waitlist_fill(session)
    _waitlist_renumber(session)
    return signup


@transaction.atomic
def signup_swap(
    *, user: User, from_session: Session, to_session: Session, waitlist_ok: bool = False
) -> SessionSignup:
    """
    Exchange the user's place in one session for a place in another, all or nothing.

    The new place is a seat when one is free; otherwise a waitlist place, but
    only with `waitlist_ok`, so nobody trades a seat for a queue by surprise
    (code "full"). The seat given up goes to the first eligible person on
    that session's waitlist, who is emailed. Sends the usual confirmation or
    waitlist email for the new place. The new session must be one the user
    may sign up for (as in `signup_create`), of the same event.
    """
    if from_session.pk == to_session.pk or from_session.event_id != to_session.event_id:
        raise ValidationError(_("Kies twee verschillende sessies van dezelfde dag."), code="invalid_swap")
    _ensure_may_sign_up(user=user, session=to_session)
    _registration_lock(user=user, event_id=to_session.event_id, require_active=True)
    if signup_active_get(user=user, session=from_session) is None:
        raise ValidationError(
            _("U staat niet ingeschreven voor de sessie die u wilt ruilen."), code="not_signed_up"
        )
    if signup_active_get(user=user, session=to_session) is not None:
        raise ValidationError(_("U staat al ingeschreven voor deze sessie."), code="already_signed_up")
    _ensure_signup_open(to_session)
    _ensure_no_clash(user=user, session=to_session, ignore=from_session)
    locked = _sessions_lock(from_session.pk, to_session.pk)
    target = locked[to_session.pk]
    counts = _waitlist_fill(target)[1]
    if not waitlist_ok and counts.seat_for(user.perspective) is None:
        raise ValidationError(
            _("Er is geen plaats meer vrij in “%(title)s”. U houdt uw huidige plaats."),
            code="full",
            params={"title": target.title},
        )
    _cancel_locked(user=user, session=locked[from_session.pk])
    return _place(user=user, session=target, counts=counts)


@transaction.atomic
def signup_waitlist_fill(*, session: Session) -> list[SessionSignup]:
    """
    Promote waitlisted people into any seat that is free, for example after the
    organiser raised the capacity or a reservation deadline passed.

    Emails each promoted person after commit and returns them.
    """
    locked = _sessions_lock(session.pk)[session.pk]
    return _waitlist_fill(locked)[0]
