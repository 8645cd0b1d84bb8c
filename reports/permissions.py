"""
Who may do what with outcome reports. Predicates; services and views call them.

A session's team is its moderators and rapporteurs. Organisers may do everything.
"""

from accounts.models import User
from events.models import Session
from reports.models import OutcomeReport


def is_session_team(user: User, session: Session) -> bool:
    if not user.is_authenticated:
        return False
    return session.moderators.filter(pk=user.pk).exists() or session.rapporteurs.filter(pk=user.pk).exists()


def can_view_draft(user: User, session: Session) -> bool:
    """The team of the session and organisers read the report before it is published."""
    return user.is_authenticated and (user.is_organiser or is_session_team(user, session))


def can_approve(user: User, session: Session) -> bool:
    return can_view_draft(user, session)


def can_publish(user: User) -> bool:
    return user.is_authenticated and user.is_organiser


def can_view(user: User, report: OutcomeReport | None, session: Session) -> bool:
    if report is not None and report.status == OutcomeReport.Status.PUBLISHED:
        return True
    return can_view_draft(user, session)
