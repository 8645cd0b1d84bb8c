"""
Reads for "Mijn sessies": the sessions, across events, that a person moderates or reports on.

Each session comes with its state for the team: not started, live (the room
is open), report draft, report approved, published, or cancelled. One query
for the whole list, whatever the number of events and sessions.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from events.models import Event, Session, SessionStatus
from reports.models import OutcomeReport


class TeamSessionState:
    NOT_STARTED = "not_started"
    LIVE = "live"
    REPORT_DRAFT = "report_draft"
    REPORT_APPROVED = "report_approved"
    PUBLISHED = "published"
    CANCELLED = "cancelled"

    LABELS = {
        NOT_STARTED: _("Nog niet begonnen"),
        LIVE: _("Live: de zaal is open"),
        REPORT_DRAFT: _("Verslag in concept"),
        REPORT_APPROVED: _("Verslag goedgekeurd, nog niet gepubliceerd"),
        PUBLISHED: _("Gepubliceerd in de kennisbank"),
        CANCELLED: _("Geannuleerd"),
    }


@dataclass(frozen=True)
class TeamSession:
    session: Session
    is_moderator: bool
    is_rapporteur: bool
    state: str
    report: OutcomeReport | None

    @property
    def state_label(self) -> str:
        return str(TeamSessionState.LABELS[self.state])


@dataclass(frozen=True)
class EventGroup:
    event: Event
    upcoming: bool
    sessions: list[TeamSession]


def _moderates(user: User) -> Exists:
    return Exists(Session.moderators.through.objects.filter(session_id=OuterRef("pk"), user_id=user.pk))


def _reports_on(user: User) -> Exists:
    return Exists(Session.rapporteurs.through.objects.filter(session_id=OuterRef("pk"), user_id=user.pk))


def session_list_for_team_member(*, user: User) -> QuerySet[Session]:
    """The sessions this person moderates or reports on, with event, room, live room and report (one query)."""
    return (
        Session.objects.annotate(is_moderator=_moderates(user), is_rapporteur=_reports_on(user))
        .filter(Q(is_moderator=True) | Q(is_rapporteur=True))
        .select_related("event", "room", "live_room", "outcome_report")
        .order_by("event__date", "event_id", "starts_at", "room__position", "pk")
    )


def user_has_team_sessions(*, user: User) -> bool:
    """True when this person moderates or reports on any session (one EXISTS query; none when logged out)."""
    if not user.is_authenticated:
        return False
    return (
        User.objects.filter(pk=user.pk)
        .filter(Q(moderated_sessions__isnull=False) | Q(reported_sessions__isnull=False))
        .exists()
    )


def team_session_state(*, session: Session, now: dt.datetime) -> str:
    """Where a session stands for its team (no queries: the live room and report come with the session)."""
    report = getattr(session, "outcome_report", None)
    room = getattr(session, "live_room", None)
    if report is not None and report.status == OutcomeReport.Status.PUBLISHED:
        return TeamSessionState.PUBLISHED
    if session.status == SessionStatus.CANCELLED:
        return TeamSessionState.CANCELLED
    if room is not None and room.is_open:
        return TeamSessionState.LIVE
    if report is not None and report.status == OutcomeReport.Status.APPROVED:
        return TeamSessionState.REPORT_APPROVED
    if report is not None or session.ends_at <= now:
        return TeamSessionState.REPORT_DRAFT
    return TeamSessionState.NOT_STARTED


def session_groups_for_team_member(*, user: User, now: dt.datetime | None = None) -> list[EventGroup]:
    """
    The person's sessions grouped by event (one query), sessions in time order within an event.

    First the events still to come or under way (an event whose last day is
    not past, or with a session not yet over), soonest first; then past
    events, most recent first.
    """
    now = now or timezone.now()
    today = now.astimezone(timezone.get_default_timezone()).date()
    by_event: dict[int, list[TeamSession]] = {}
    events: dict[int, Event] = {}
    for session in session_list_for_team_member(user=user):
        events.setdefault(session.event_id, session.event)
        by_event.setdefault(session.event_id, []).append(
            TeamSession(
                session=session,
                is_moderator=session.is_moderator,
                is_rapporteur=session.is_rapporteur,
                state=team_session_state(session=session, now=now),
                report=getattr(session, "outcome_report", None),
            )
        )
    groups = [
        EventGroup(
            event=event,
            upcoming=event.last_date >= today or any(item.session.ends_at > now for item in by_event[pk]),
            sessions=by_event[pk],
        )
        for pk, event in events.items()
    ]
    upcoming = [g for g in groups if g.upcoming]
    past = [g for g in groups if not g.upcoming]
    return upcoming + past[::-1]
