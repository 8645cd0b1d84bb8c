"""
"Delete my account" takes the person's name and organisation out of frozen and published reports.

An approved report keeps a frozen snapshot of its content, so the name of a
question's author who chose to be named outlived the account: on the
kennisbank page, in every download format and in the event ZIP. So did the
person's name where a moderator had typed it as the owner of an action.
"""

import io
import zipfile

import pytest
from django.urls import reverse
from pypdf import PdfReader

from accounts.services import user_delete
from realtime.models import Action, LiveRoom, Question
from realtime.selectors import session_ids_with_person
from reports.models import OutcomeReport
from reports.renderers.tables import report_tables
from reports.selectors import report_document
from reports.services import report_approve, report_person_erase, report_publish
from tests.factories import SessionFactory, SessionSignupFactory, UserFactory
from tests.reports.conftest import add_question

pytestmark = pytest.mark.django_db

NAME = "Zoë Zeldzaam"
ORGANISATION = "Stichting Eenmalig"
DOWNLOADS = ("json", "md", "html", "pdf", "xlsx", "ods")


def readable(filename: str, content: bytes) -> str:
    """The text a person would read in a downloaded file, whatever its format, on one line."""
    if filename.endswith(".pdf"):
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
        return " ".join(text.split())
    if filename.endswith((".xlsx", ".ods", ".zip")):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return " ".join(readable(name, archive.read(name)) for name in archive.namelist())
    return content.decode("utf-8", errors="replace")


def every_text(client, session, report: OutcomeReport) -> dict[str, str]:
    """The kennisbank pages, each report download, each table as CSV, and the event ZIP, by name."""
    texts = {
        "kennisbank": client.get(reverse("reports:kennisbank")).content.decode(),
        "kennisbank_detail": client.get(
            reverse("reports:kennisbank_detail", args=[report.pk])
        ).content.decode(),
        "report_detail": client.get(
            reverse("reports:report_detail", args=[session.pk]), follow=True
        ).content.decode(),
    }
    for fmt in DOWNLOADS:
        response = client.get(reverse("reports:report_download", args=[session.pk, fmt]))
        texts[fmt] = readable(f"verslag.{fmt}", response.content)
    for table in report_tables(report_document(session=session)):
        response = client.get(reverse("reports:report_table_csv", args=[session.pk, table.name]))
        texts[f"{table.name}.csv"] = readable("table.csv", response.content)
    response = client.get(reverse("reports:export_event_zip", args=[session.event.slug]))
    texts["zip"] = readable("evenement.zip", b"".join(response.streaming_content))
    return texts


@pytest.fixture
def named_author(db):
    return UserFactory(name=NAME, organisation=ORGANISATION, perspective="uitvoering")


@pytest.fixture
def published(named_author, organiser):
    """
    A published report of a session the author signed up for: they asked a question under their own
    name, and own an action (typed by the moderator with other spacing and case).
    """
    session = SessionFactory(title="Digitale post als standaard")
    SessionSignupFactory(session=session, user=named_author)
    room = LiveRoom.objects.create(session=session, is_open=False)
    add_question(room, "Wie helpt mensen zonder computer?", "uitvoering", author=named_author, show_name=True)
    add_question(room, "Een andere vraag", "beleid", author=UserFactory(perspective="beleid"), show_name=True)
    Action.objects.create(
        room=room, what="Pilot met papier", owner_name="zoë  ZELDZAAM", owner_organisation="SVB"
    )
    Action.objects.create(
        room=room, what="Brief herschrijven", owner_name="Jan Jansen", owner_organisation="UWV"
    )
    report_approve(session=session, user=organiser)
    return session, report_publish(session=session, user=organiser)


def test_published_report_names_the_author_before_deletion(client, published, organiser):
    """The premise: a named author appears in every place a report's questions are shown."""
    session, report = published
    client.force_login(organiser)

    texts = every_text(client, session, report)

    without_name = sorted(where for where, text in texts.items() if NAME not in text)
    assert without_name == ["acties.csv", "kennisbank", "notities.csv", "stemmen.csv", "vergelijking.csv"]
    assert "zoë  ZELDZAAM" in texts["acties.csv"]


def test_deleting_the_account_removes_name_and_organisation_from_every_report_format(
    client, published, named_author, organiser
):
    """After deletion neither the name nor the organisation is in any page, download, table or the ZIP."""
    session, report = published

    user_delete(user=named_author)
    client.force_login(organiser)
    texts = every_text(client, session, report)

    assert [where for where, text in texts.items() if NAME in text or ORGANISATION in text] == []
    assert [where for where, text in texts.items() if "zoë" in text.casefold()] == []
    assert "Wie helpt mensen zonder computer?" in texts["kennisbank_detail"]
    assert "Jan Jansen" in texts["kennisbank_detail"]


def test_erasure_keeps_the_report_published_and_everything_else_as_approved(published, named_author):
    """Only the person's questions and actions lose their name; the others and the workflow state stay."""
    session, report = published
    before = OutcomeReport.objects.get(pk=report.pk).snapshot

    changed = report_person_erase(user=named_author, session_ids=session_ids_with_person(user=named_author))

    after = OutcomeReport.objects.get(pk=report.pk)
    assert changed == 1
    assert after.status == OutcomeReport.Status.PUBLISHED
    assert [(q["text"], q["author"], q["organisation"]) for q in after.snapshot["questions"]["all"]] == [
        ("Wie helpt mensen zonder computer?", None, None),
        ("Een andere vraag", before["questions"]["all"][1]["author"], "UWV"),
    ]
    assert [(a["what"], a["owner_name"], a["owner_organisation"]) for a in after.snapshot["actions"]] == [
        ("Pilot met papier", None, "SVB"),
        ("Brief herschrijven", "Jan Jansen", "UWV"),
    ]
    assert after.snapshot["dilemmas"][0]["actions"] == after.snapshot["actions"]
    kept = ("questions", "actions", "dilemmas")
    assert {k: v for k, v in after.snapshot.items() if k not in kept} == {
        k: v for k, v in before.items() if k not in kept
    }


def test_deletion_blanks_the_owner_of_the_persons_live_actions(published, named_author):
    """The action row itself loses the name, so a draft report or the console cannot show it again."""
    user_delete(user=named_author)

    assert list(Action.objects.order_by("pk").values_list("owner_name", "owner_organisation")) == [
        ("", "SVB"),
        ("Jan Jansen", "UWV"),
    ]


def test_an_action_owner_with_the_same_name_in_another_session_keeps_it(published, named_author):
    """Only sessions the person was part of are searched: a namesake elsewhere is someone else."""
    elsewhere = LiveRoom.objects.create(session=SessionFactory(), is_open=False)
    Action.objects.create(room=elsewhere, what="Iets anders", owner_name=NAME)

    user_delete(user=named_author)

    assert Action.objects.get(room=elsewhere).owner_name == NAME


def test_erasure_of_someone_who_took_part_nowhere_changes_no_report(published):
    """A person without sessions leaves every snapshot untouched."""
    nobody = UserFactory()

    assert report_person_erase(user=nobody, session_ids=session_ids_with_person(user=nobody)) == 0


def test_anonymous_question_stays_in_the_report_after_deletion(published, named_author):
    """The contribution itself stays, anonymised, as the privacy page promises."""
    session, report = published

    user_delete(user=named_author)

    question = Question.objects.get(text="Wie helpt mensen zonder computer?")
    assert question.author_id is None
    assert "Wie helpt mensen zonder computer?" in [
        q["text"] for q in OutcomeReport.objects.get(pk=report.pk).snapshot["questions"]["all"]
    ]
