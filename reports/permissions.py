"""
Who may do what with outcome reports. Predicates; services and views call them.

A session's team is its moderators and rapporteurs. A team of the event with the
right to approve reports (events.permissions, Right.REPORTS) may do everything with
the event's reports; platform admins hold that right in every event.
"""

from accounts.models import User
from events.models import Session
from events.permissions import Right, can
from reports.models import OutcomeReport


def is_session_team(user: User, session: Session) -> bool:
    if not user.is_authenticated:
        return False
    return session.moderators.filter(pk=user.pk).exists() or session.rapporteurs.filter(pk=user.pk).exists()


def can_view_draft(user: User, session: Session) -> bool:
    """The session's team and the event's report approvers read the report before it is published."""
    return user.is_authenticated and (
        can(user, Right.REPORTS, session.event) or is_session_team(user, session)
    )


def can_approve(user: User, session: Session) -> bool:
    return can_view_draft(user, session)


def can_publish(user: User, session: Session) -> bool:
    """Put on or take off the kennisbank: the event's report approvers."""
    return can(user, Right.REPORTS, session.event)


def can_view(user: User, report: OutcomeReport | None, session: Session) -> bool:
    if report is not None and report.status == OutcomeReport.Status.PUBLISHED:
        return True
    return can_view_draft(user, session)
