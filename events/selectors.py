"""Read-only queries for the programme."""

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from accounts.models import TRIALOOG_PERSPECTIVES, User
from events.models import Event, Registration, Session, SessionSignup


def event_get_current() -> Event | None:
    """Return the event the site is about: the next one, or else the latest."""
    return Event.objects.order_by("-date").first()


def registration_is_active(*, user: User, event: Event) -> bool:
    """True when the user holds an active registration for the event."""
    if not user.is_authenticated:
        return False
    return Registration.objects.filter(user=user, event=event, status=Registration.Status.REGISTERED).exists()


def registration_get(*, user: User, event: Event) -> Registration | None:
    """The user's registration for the event, active or cancelled, or None."""
    if not user.is_authenticated:
        return None
    return Registration.objects.filter(user=user, event=event).first()


ACTIVE_SIGNUP = (SessionSignup.Status.CONFIRMED, SessionSignup.Status.WAITLISTED)
RESERVED = "reserved"
GENERAL = "general"


@dataclass
class SeatCounts:
    """Confirmed seats of one session: general seats and, while a reservation runs, reserved seats."""

    capacity: int
    quotas: dict[str, int]
    confirmed: int = 0
    reserved_taken: dict[str, int] = field(default_factory=dict)

    @property
    def free(self) -> int:
        return max(self.capacity - self.confirmed, 0)

    @property
    def reserved_free(self) -> dict[str, int]:
        """Reserved seats still held back, per perspective."""
        return {p: max(q - self.reserved_taken.get(p, 0), 0) for p, q in self.quotas.items()}

    def _general_free(self) -> int:
        # Holders of a reserved seat beyond a (lowered) quota count as general seats.
        reserved_in_use = sum(min(self.reserved_taken.get(p, 0), q) for p, q in self.quotas.items())
        general_capacity = self.capacity - sum(self.quotas.values())
        return general_capacity - (self.confirmed - reserved_in_use)

    def seat_for(self, perspective: str) -> str | None:
        """The kind of seat someone with this perspective can take now: RESERVED, GENERAL or None."""
        if self.free == 0:
            return None
        if self.reserved_taken.get(perspective, 0) < self.quotas.get(perspective, 0):
            return RESERVED
        if self._general_free() > 0:
            return GENERAL
        return None

    def seatable_perspectives(self) -> list[str] | None:
        """Perspectives that could take a seat now: None means everyone, [] means nobody."""
        if self.free == 0:
            return []
        if self._general_free() > 0:
            return None
        return [p for p, left in self.reserved_free.items() if left > 0]

    def take(self, seat: str, perspective: str) -> None:
        self.confirmed += 1
        if seat == RESERVED:
            self.reserved_taken[perspective] = self.reserved_taken.get(perspective, 0) + 1


def seat_counts_get(*, session: Session) -> SeatCounts:
    """
    Count the session's confirmed seats in one query.

    The sign-up services call this while they hold the Session row lock; for
    display the numbers are a snapshot.
    """
    quotas = (
        {p: session.reserved_for(p) for p in TRIALOOG_PERSPECTIVES if session.reserved_for(p)}
        if session.reservation_active()
        else {}
    )
    counts = SeatCounts(capacity=session.seat_capacity, quotas=quotas)
    rows = (
        SessionSignup.objects.filter(session=session, status=SessionSignup.Status.CONFIRMED)
        .values("perspective", "reserved_seat")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        counts.confirmed += row["n"]
        if row["reserved_seat"]:
            perspective = row["perspective"]
            counts.reserved_taken[perspective] = counts.reserved_taken.get(perspective, 0) + row["n"]
    return counts


def signup_active_get(*, user: User, session: Session) -> SessionSignup | None:
    """The user's seat or waitlist place in the session, if any."""
    if not user.is_authenticated:
        return None
    return SessionSignup.objects.filter(user=user, session=session, status__in=ACTIVE_SIGNUP).first()


def signup_clash_get(*, user: User, session: Session, ignore: Session | None = None) -> Session | None:
    """
    Another session of the same day that overlaps this one and in which the
    user holds a seat or a waitlist place; `ignore` leaves one session out.
    """
    if not user.is_authenticated:
        return None
    excluded = [session.pk] + ([ignore.pk] if ignore is not None else [])
    return (
        Session.objects.filter(
            event_id=session.event_id,
            starts_at__lt=session.ends_at,
            ends_at__gt=session.starts_at,
            signups__user=user,
            signups__status__in=ACTIVE_SIGNUP,
        )
        .exclude(pk__in=excluded)
        .order_by("starts_at")
        .first()
    )


def _sessions_with_counts() -> QuerySet[Session]:
    return (
        Session.objects.select_related("room", "event")
        .annotate(
            confirmed_count=Count("signups", filter=Q(signups__status=SessionSignup.Status.CONFIRMED)),
            waitlist_count=Count("signups", filter=Q(signups__status=SessionSignup.Status.WAITLISTED)),
        )
        .order_by("starts_at", "room__position", "title")
    )


def _with_seats_left(sessions: list[Session]) -> list[Session]:
    for session in sessions:
        session.seats_left = max(session.seat_capacity - session.confirmed_count, 0)
    return sessions


def session_list_for_programme(*, event: Event, kind: str | None = None) -> list[Session]:
    """
    The event's sessions in time and room order, in one query.

    Each carries its room, `confirmed_count`, `waitlist_count` and `seats_left`.
    """
    sessions = _sessions_with_counts().filter(event=event)
    if kind:
        sessions = sessions.filter(kind=kind)
    return _with_seats_left(list(sessions))


def session_get_for_detail(*, pk: int) -> Session | None:
    """One session with its counts, room, event, moderators and rapporteurs."""
    sessions = _with_seats_left(
        list(_sessions_with_counts().filter(pk=pk).prefetch_related("moderators", "rapporteurs"))
    )
    return sessions[0] if sessions else None


def signups_by_session_for_user(*, user: User, event: Event) -> dict[int, SessionSignup]:
    """The user's seats and waitlist places for the event, keyed by session pk, in one query."""
    if not user.is_authenticated:
        return {}
    signups = SessionSignup.objects.filter(user=user, session__event=event, status__in=ACTIVE_SIGNUP)
    return {signup.session_id: signup for signup in signups}


def agenda_for_user(*, user: User, event: Event | None = None) -> list[SessionSignup]:
    """The user's seats and waitlist places in time order, with session, room and event, in one query."""
    signups = SessionSignup.objects.filter(user=user, status__in=ACTIVE_SIGNUP).select_related(
        "session__room", "session__event"
    )
    if event is not None:
        signups = signups.filter(session__event=event)
    return list(signups.order_by("session__starts_at", "session__room__position"))


def user_get_by_calendar_token(*, token: str) -> User | None:
    """The active user whose secret calendar feed token this is."""
    if not token:
        return None
    return User.objects.filter(calendar_token=token, is_active=True).first()


def session_list_for_schedule(*, event: Event) -> list[Session]:
    """The event's sessions with room and moderators, for exports, in two queries."""
    return list(
        Session.objects.filter(event=event)
        .select_related("room", "event")
        .prefetch_related("moderators")
        .order_by("starts_at", "room__position", "title")
    )
