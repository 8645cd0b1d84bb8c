"""Writes for outcome reports: approve (freezing the content), publish, unpublish, and erase an author."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_log
from events.models import Session
from realtime.models import Question
from realtime.services.notes import person_name_key
from reports import kennisbank, permissions, selectors
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
    """
    Put an approved report on the public kennisbank. The event's report approvers only.

    Writes the report's Dutch search vector (PostgreSQL) and an audit line.
    """
    if not permissions.can_publish(user, session):
        raise PermissionDenied
    report = _report_for_update(session)
    if report.status != OutcomeReport.Status.APPROVED:
        raise ValidationError(
            _("Alleen een goedgekeurd verslag kan gepubliceerd worden."), code="not_approved"
        )
    report.status = OutcomeReport.Status.PUBLISHED
    report.published_at = timezone.now()
    report.save(update_fields=["status", "published_at", "updated_at"])
    kennisbank.report_search_index(report=report)
    audit_log(actor=user, action="report.published", detail={"session": session.pk, "report": report.pk})
    return report


@transaction.atomic
def report_unpublish(*, session: Session, user: User) -> OutcomeReport:
    """Take a published report off the kennisbank; it stays approved. The event's report approvers only; writes an audit line."""
    if not permissions.can_publish(user, session):
        raise PermissionDenied
    report = _report_for_update(session)
    if report.status != OutcomeReport.Status.PUBLISHED:
        raise ValidationError(_("Dit verslag is niet gepubliceerd."), code="not_published")
    report.status = OutcomeReport.Status.APPROVED
    report.published_at = None
    report.save(update_fields=["status", "published_at", "updated_at"])
    audit_log(actor=user, action="report.unpublished", detail={"session": session.pk, "report": report.pk})
    return report


def _erased(snapshot: dict, question_ids: set[int], name_key: str) -> dict:
    """
    A snapshot without the person: no name or organisation on their questions, no owner name on their actions.

    Actions sit in the action list and again in each dilemma.
    """

    def question(entry: dict) -> dict:
        return {**entry, "author": None, "organisation": None} if entry["id"] in question_ids else entry

    def action(entry: dict) -> dict:
        owner = entry.get("owner_name")
        return {**entry, "owner_name": None} if owner and person_name_key(owner) == name_key else entry

    erased = dict(snapshot)
    if "questions" in snapshot:
        erased["questions"] = {
            **snapshot["questions"],
            **{
                key: [question(entry) for entry in snapshot["questions"][key]]
                for key in SNAPSHOT_QUESTION_LISTS
                if key in snapshot["questions"]
            },
        }
    if "actions" in snapshot:
        erased["actions"] = [action(entry) for entry in snapshot["actions"]]
    if "dilemmas" in snapshot:
        erased["dilemmas"] = [
            {**dilemma, "actions": [action(entry) for entry in dilemma.get("actions", [])]}
            if "actions" in dilemma
            else dilemma
            for dilemma in snapshot["dilemmas"]
        ]
    return erased


@transaction.atomic
def report_person_erase(*, user: User, session_ids: set[int]) -> int:
    """
    Remove the person's name and organisation from every frozen report; return how many changed.

    Part of deleting an account (AVG art. 17), called before the account
    goes, with the sessions the person was part of
    (`realtime.selectors.session_ids_with_person`). A draft report is built
    from the database on every request, so it loses the name with the author
    link (and with `action_owner_erase`); an approved or published report
    shows its frozen snapshot, which would keep the name on the kennisbank
    and in every download and the event ZIP. Those snapshots are rewritten:
    the person's questions (found by id) lose author and organisation, and
    actions whose owner is the person's name lose the owner's name. Nothing
    else changes and the workflow state stays. Locks the rewritten report
    rows; moves their `updated_at`.
    """
    if not session_ids:
        return 0
    question_ids = set(Question.objects.filter(author=user).values_list("pk", flat=True))
    name_key = person_name_key(user.name)
    changed = 0
    for report in OutcomeReport.objects.select_for_update().filter(
        session_id__in=session_ids, snapshot__isnull=False
    ):
        erased = _erased(report.snapshot, question_ids, name_key)
        if erased == report.snapshot:
            continue
        report.snapshot = erased
        report.save(update_fields=["snapshot", "updated_at"])
        changed += 1
    return changed
