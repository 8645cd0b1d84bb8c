"""Writes for outcome reports: approve (freezing the content), publish, unpublish, and erase an author."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_log
from events.models import Session
from reports import permissions, selectors
from reports.models import OutcomeReport

# The lists of a snapshot's question section that hold question entries (with "author" and "organisation").
SNAPSHOT_QUESTION_LISTS = ("top", "kamerlid", "all")


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


def _without_author(questions: dict, question_ids: set[int]) -> dict:
    """A snapshot's question section with the name and organisation left out of the given questions."""
    return {
        **questions,
        **{
            key: [
                {**entry, "author": None, "organisation": None} if entry["id"] in question_ids else entry
                for entry in questions.get(key, [])
            ]
            for key in SNAPSHOT_QUESTION_LISTS
        },
    }


@transaction.atomic
def report_author_erase(*, user: User) -> int:
    """
    Remove the person's name and organisation from every frozen report; return how many changed.

    Part of deleting an account (AVG art. 17), called before the account
    goes. A draft report is built from the database on every request, so it
    loses the name with the author link; an approved or published report
    shows its frozen snapshot, which would keep the name on the kennisbank
    and in every download and the event ZIP. Those snapshots are rewritten
    with the person's questions anonymised, found by question id; nothing
    else in them changes and their workflow state stays. Locks the
    rewritten report rows; moves their `updated_at`. Two queries plus one
    update per changed report.
    """
    from realtime.models import Question

    question_ids = set(Question.objects.filter(author=user).values_list("pk", flat=True))
    if not question_ids:
        return 0
    sessions = Question.objects.filter(pk__in=question_ids).values("room__session_id")
    changed = 0
    for report in OutcomeReport.objects.select_for_update().filter(
        session_id__in=sessions, snapshot__isnull=False
    ):
        questions = _without_author(report.snapshot.get("questions", {}), question_ids)
        if questions == report.snapshot.get("questions"):
            continue
        report.snapshot = {**report.snapshot, "questions": questions}
        report.save(update_fields=["snapshot", "updated_at"])
        changed += 1
    return changed
