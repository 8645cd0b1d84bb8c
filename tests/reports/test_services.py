import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import AuditLog
from realtime.models import Question
from reports.models import OutcomeReport
from reports.services import report_approve, report_publish, report_unpublish
from tests.factories import EventFactory, SessionFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_moderator_of_the_session_approves_and_freezes_the_content(report_session):
    moderator = UserFactory()
    report_session.moderators.add(moderator)

    report = report_approve(
        session=report_session, user=moderator, summary="Kort verslag", topics="digitale post"
    )
    Question.objects.filter(room__session=report_session).update(text="later gewijzigd")

    report.refresh_from_db()
    assert report.status == OutcomeReport.Status.APPROVED
    assert report.approved_by == moderator
    assert report.snapshot["questions"]["top"][0]["text"] == "Hoe helpen we mensen zonder computer?"
    assert AuditLog.objects.filter(action="report.approved", actor=moderator).count() == 1


def test_rapporteur_of_the_session_may_approve(report_session):
    rapporteur = UserFactory()
    report_session.rapporteurs.add(rapporteur)

    report = report_approve(session=report_session, user=rapporteur)

    assert report.status == OutcomeReport.Status.APPROVED


def test_moderator_of_another_session_cannot_approve(report_session):
    other = SessionFactory(event=report_session.event, room__event=report_session.event)
    moderator = UserFactory()
    other.moderators.add(moderator)

    with pytest.raises(PermissionDenied):
        report_approve(session=report_session, user=moderator)

    assert not OutcomeReport.objects.filter(session=report_session, status="approved").exists()


def test_attendee_cannot_approve_or_publish(report_session, organiser):
    attendee = report_session.signups.first().user
    report_approve(session=report_session, user=organiser)

    with pytest.raises(PermissionDenied):
        report_approve(session=report_session, user=attendee)
    with pytest.raises(PermissionDenied):
        report_publish(session=report_session, user=attendee)


def test_moderator_cannot_publish(report_session):
    moderator = UserFactory()
    report_session.moderators.add(moderator)
    report_approve(session=report_session, user=moderator)

    with pytest.raises(PermissionDenied):
        report_publish(session=report_session, user=moderator)


def test_organiser_publishes_only_an_approved_report(report_session, organiser):
    with pytest.raises(ValidationError) as error:
        report_publish(session=report_session, user=organiser)

    assert error.value.code == "not_approved"


def test_organiser_publishes_and_unpublishes(report_session, organiser):
    report_approve(session=report_session, user=organiser)

    published = report_publish(session=report_session, user=organiser)
    assert (published.status, published.published_at is not None) == ("published", True)
    unpublished = report_unpublish(session=report_session, user=organiser)

    assert (unpublished.status, unpublished.published_at) == ("approved", None)
    assert list(AuditLog.objects.filter(actor=organiser).values_list("action", flat=True).order_by("id")) == [
        "report.approved",
        "report.published",
        "report.unpublished",
    ]


def test_published_report_cannot_be_approved_again(report_session, organiser):
    report_approve(session=report_session, user=organiser)
    report_publish(session=report_session, user=organiser)

    with pytest.raises(ValidationError) as error:
        report_approve(session=report_session, user=organiser)

    assert error.value.code == "published"


def test_a_team_with_the_reports_right_publishes_in_its_event_only(report_session):
    event = report_session.event
    approver, elsewhere = UserFactory(), UserFactory()
    TeamFactory(organisation=event.organisation, members=[approver], events=[event], can_approve_reports=True)
    TeamFactory(
        organisation=event.organisation,
        members=[elsewhere],
        events=[EventFactory(organisation=event.organisation)],
        can_approve_reports=True,
    )
    report_approve(session=report_session, user=approver)

    with pytest.raises(PermissionDenied):
        report_publish(session=report_session, user=elsewhere)
    published = report_publish(session=report_session, user=approver)

    assert published.status == "published"
