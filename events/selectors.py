"""Read-only queries for the programme."""

import datetime as dt
import itertools
from dataclasses import dataclass, field

from django.db.models import (
    Case,
    Count,
    DateField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import TRIALOOG_PERSPECTIVES, User
from events.models import Event, Registration, Session, SessionSignup, SessionStatus
from events.permissions import events_with_right, is_event_team


def _today() -> dt.date:
    return timezone.localdate()


def _last_day():
    return Coalesce("end_date", "date")


def event_get_current(*, today: dt.date | None = None) -> Event | None:
    """
    The event the site's old root addresses and its menu mean, in one query.

    The next event that is not over yet (the earliest first), else the latest
    past one; an event whose programme is published goes before one whose
    programme only its team can see, so the menu never leads the public to a 404.
    """
    today = today or _today()
    upcoming = Q(last_day__gte=today)
    return (
        Event.objects.select_related("organisation")
        .annotate(
            last_day=_last_day(),
            upcoming=Case(When(upcoming, then=Value(1)), default=Value(0), output_field=IntegerField()),
            # Upcoming events by date ascending, past ones by date descending, in one ordering.
            order_day=Case(When(upcoming, then=F("date")), default=None, output_field=DateField()),
        )
        .order_by("-programme_published", "-upcoming", F("order_day").asc(nulls_last=True), "-date", "pk")
        .first()
    )


def event_get_by_slug(*, slug: str) -> Event | None:
    """The event with this slug (its pages live under /<slug>/), with its organisation; None if unknown."""
    return Event.objects.select_related("organisation").filter(slug=slug).first()


@dataclass
class SiteHome:
    """The site's home: events to come (the next first) with highlights of the next, and past events."""

    upcoming: list[Event]
    past: list[Event]
    highlights: list[Session]

    @property
    def next_event(self) -> Event | None:
        return self.upcoming[0] if self.upcoming else None


HIGHLIGHTS = 3


def session_highlights(*, event: Event, limit: int = HIGHLIGHTS) -> list[Session]:
    """The first public, not cancelled sessions of the event (its programme highlights), in one query."""
    if not event.programme_published:
        return []
    return list(
        Session.objects.filter(event=event, status=SessionStatus.SCHEDULED)
        .select_related("room")
        .order_by("starts_at", "room__position", "title")[:limit]
    )


def site_home_get(*, today: dt.date | None = None) -> SiteHome:
    """
    Every event, split into upcoming (soonest first) and past (latest first), in two queries.

    The next event's programme highlights come with it (public sessions only).
    Each event carries `has_outcomes`: it has a published outcome report.
    """
    today = today or _today()
    published = Session.objects.filter(event=OuterRef("pk"), outcome_report__status="published")
    events = list(
        Event.objects.select_related("organisation")
        .annotate(last_day=_last_day(), has_outcomes=Exists(published))
        .order_by("date", "pk")
    )
    upcoming = [event for event in events if event.last_day >= today]
    past = [event for event in reversed(events) if event.last_day < today]
    highlights = session_highlights(event=upcoming[0]) if upcoming else []
    return SiteHome(upcoming=upcoming, past=past, highlights=highlights)


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


def session_list_for_programme(
    *, event: Event, kind: str | None = None, include_drafts: bool = False
) -> list[Session]:
    """
    The event's sessions in time and room order, in one query.

    Drafts only with `include_drafts` (for the event's team); cancelled
    sessions stay in, so the programme can show them as cancelled. Each
    carries its room, `confirmed_count`, `waitlist_count` and `seats_left`.
    """
    sessions = _sessions_with_counts().filter(event=event)
    if not include_drafts:
        sessions = sessions.exclude(status=SessionStatus.DRAFT)
    if kind:
        sessions = sessions.filter(kind=kind)
    return _with_seats_left(list(sessions))


def session_list_for_visitor(*, user: User, event: Event, kind: str | None = None) -> list[Session]:
    """
    `session_list_for_programme` as this person may see it: drafts only for the event's team.

    Whether the person is on the team is asked only when a draft is there, so
    a programme without drafts costs no query for it.
    """
    sessions = session_list_for_programme(event=event, kind=kind, include_drafts=True)
    if any(s.status == SessionStatus.DRAFT for s in sessions) and not is_event_team(user, event):
        sessions = [s for s in sessions if s.status != SessionStatus.DRAFT]
    return sessions


def session_get_for_detail(*, pk: int, event: Event | None = None) -> Session | None:
    """One session (of `event`, when given) with its counts, room, event, moderators and rapporteurs."""
    sessions = _sessions_with_counts().filter(pk=pk)
    if event is not None:
        sessions = sessions.filter(event=event)
    found = _with_seats_left(list(sessions.prefetch_related("moderators", "rapporteurs")))
    return found[0] if found else None


def session_get_event_slug(*, pk: int) -> str | None:
    """The slug of the event a session belongs to (for the old /programma/sessie/<pk>/ address)."""
    return Session.objects.filter(pk=pk).values_list("event__slug", flat=True).first()


def signups_by_session_for_user(*, user: User, event: Event) -> dict[int, SessionSignup]:
    """The user's seats and waitlist places for the event, keyed by session pk, in one query."""
    if not user.is_authenticated:
        return {}
    signups = SessionSignup.objects.filter(user=user, session__event=event, status__in=ACTIVE_SIGNUP)
    return {signup.session_id: signup for signup in signups}


def _visible_signups(user: User) -> QuerySet[SessionSignup]:
    """
    The user's seats and waitlist places in sessions they may see.

    A draft session or an unpublished programme counts only for its event's team.
    """
    return SessionSignup.objects.filter(user=user, status__in=ACTIVE_SIGNUP).filter(
        Q(session__event__programme_published=True, session__status__in=PUBLIC_STATUSES)
        | Q(session__event__in=events_with_right(user).values("pk"))
    )


PUBLIC_STATUSES = (SessionStatus.SCHEDULED, SessionStatus.CANCELLED)


def agenda_for_user(*, user: User, event: Event | None = None) -> list[SessionSignup]:
    """
    The user's seats and waitlist places in time order, with session, room and event, in one query.

    Only sessions the user may see (see `_visible_signups`); all events, unless `event` is given.
    """
    signups = _visible_signups(user).select_related("session__room", "session__event")
    if event is not None:
        signups = signups.filter(session__event=event)
    return list(signups.order_by("session__starts_at", "session__room__position"))


@dataclass
class EventRegistrations:
    """One event of "Mijn aanmeldingen": the person's registration and session places in it."""

    event: Event
    registration: Registration | None
    signups: list[SessionSignup]
    upcoming: bool


def registrations_for_user(*, user: User, today: dt.date | None = None) -> list[EventRegistrations]:
    """
    Every event the person registered for or holds a session place in, upcoming events first.

    Upcoming events run soonest first, past ones latest first. Two queries,
    whatever the number of events.
    """
    today = today or _today()
    registrations = {
        r.event_id: r for r in Registration.objects.filter(user=user).select_related("event__organisation")
    }
    signups = agenda_for_user(user=user)
    events = {r.event_id: r.event for r in registrations.values()}
    for signup in signups:
        events.setdefault(signup.session.event_id, signup.session.event)
    by_event = {
        event_id: list(group)
        for event_id, group in itertools.groupby(
            sorted(signups, key=lambda s: (s.session.event_id, s.session.starts_at)),
            key=lambda s: s.session.event_id,
        )
    }
    groups = [
        EventRegistrations(
            event=event,
            registration=registrations.get(event.pk),
            signups=by_event.get(event.pk, []),
            upcoming=event.last_date >= today,
        )
        for event in events.values()
    ]
    upcoming = sorted((g for g in groups if g.upcoming), key=lambda g: (g.event.date, g.event.pk))
    past = sorted(
        (g for g in groups if not g.upcoming), key=lambda g: (g.event.date, g.event.pk), reverse=True
    )
    return upcoming + past


def user_get_by_calendar_token(*, token: str) -> User | None:
    """The active user whose secret calendar feed token this is."""
    if not token:
        return None
    return User.objects.filter(calendar_token=token, is_active=True).first()


def session_list_for_schedule(*, event: Event, public_only: bool = False) -> list[Session]:
    """
    The event's sessions with room and moderators, for exports, in two queries.

    `public_only` leaves out drafts and cancelled sessions: what the public
    schedule feeds list.
    """
    sessions = Session.objects.filter(event=event)
    if public_only:
        sessions = sessions.filter(status=SessionStatus.SCHEDULED)
    return list(
        sessions.select_related("room", "event")
        .prefetch_related("moderators")
        .order_by("starts_at", "room__position", "title")
    )
