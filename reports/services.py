"""Writes for outcome reports: approve (freezing the content), publish and unpublish."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_log
from events.models import Session
from reports import permissions, selectors
from reports.models import OutcomeReport


def _report_for_update(session: Session) -> OutcomeReport:
    OutcomeReport.objects.get_or_create(session=session)
    return OutcomeReport.objects.select_for_update().get(session=session)


@transaction.atomic
def report_approve(*, session: Session, user: User, summary: str = "", topics: str = "") -> OutcomeReport:
    """
    Approve the session's report: build it now and freeze it as the snapshot.

    Only a moderator or rapporteur of this session, or an organiser, may
    approve. Approving again before publication refreshes the snapshot; a
    published report must be unpublished first. Writes an audit line.
    """
    if not permissions.can_approve(user, session):
        raise PermissionDenied
    report = _report_for_update(session)
    if report.status == OutcomeReport.Status.PUBLISHED:
        raise ValidationError(
            _("Dit verslag is gepubliceerd. Haal het eerst offline om het opnieuw goed te keuren."),
            code="published",
        )
    report.snapshot = selectors.report_build(session=session)
    report.summary = summary.strip()
    report.topics = topics.strip()
    report.status = OutcomeReport.Status.APPROVED
    report.approved_by = user
    report.approved_at = timezone.now()
    report.full_clean()
    report.save()
    audit_log(actor=user, action="report.approved", detail={"session": session.pk, "report": report.pk})
    return report


@transaction.atomic
def report_publish(*, session: Session, user: User) -> OutcomeReport:
    """Put an approved report on the public kennisbank. Organisers only; writes an audit line."""
    if not permissions.can_publish(user):
        raise PermissionDenied
    report = _report_for_update(session)
    if report.status != OutcomeReport.Status.APPROVED:
        raise ValidationError(
            _("Alleen een goedgekeurd verslag kan gepubliceerd worden."), code="not_approved"
        )
    report.status = OutcomeReport.Status.PUBLISHED
    report.published_at = timezone.now()
    report.save(update_fields=["status", "published_at", "updated_at"])
    audit_log(actor=user, action="report.published", detail={"session": session.pk, "report": report.pk})
    return report


@transaction.atomic
def report_unpublish(*, session: Session, user: User) -> OutcomeReport:
    """Take a published report off the kennisbank; it stays approved. Organisers only; writes an audit line."""
    if not permissions.can_publish(user):
        raise PermissionDenied
    report = _report_for_update(session)
    if report.status != OutcomeReport.Status.PUBLISHED:
        raise ValidationError(_("Dit verslag is niet gepubliceerd."), code="not_published")
    report.status = OutcomeReport.Status.APPROVED
    report.published_at = None
    report.save(update_fields=["status", "published_at", "updated_at"])
    audit_log(actor=user, action="report.unpublished", detail={"session": session.pk, "report": report.pk})
    return report
