import io
import json
import re
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone

from reports.models import OutcomeReport
from reports.services import report_approve, report_publish
from tests.factories import SessionFactory, UserFactory
from tests.reports.test_selectors import SNAPSHOT_BEFORE_THE_LENS

pytestmark = pytest.mark.django_db


def publish(session, organiser, topics=""):
    report_approve(session=session, user=organiser, summary="Samen verder met digitale post", topics=topics)
    return report_publish(session=session, user=organiser)


def test_kennisbank_lists_published_reports_without_login(client, report_session, organiser):
    report = publish(report_session, organiser)

    response = client.get(reverse("reports:kennisbank"))

    assert response.status_code == 200
    assert reverse("reports:kennisbank_detail", args=[report.pk]) in response.content.decode()


def test_kennisbank_searches_by_topic_and_date(client, report_session, organiser):
    publish(report_session, organiser, topics="post, inclusie")
    other = SessionFactory(
        event=report_session.event, room__event=report_session.event, title="Toeslagen herstel"
    )
    publish(other, organiser, topics="toeslagen")

    by_topic = client.get(reverse("reports:kennisbank"), {"q": "inclusie"}).context["reports"]
    by_date = client.get(reverse("reports:kennisbank"), {"van": "2026-06-18"}).context["reports"]
    both = client.get(reverse("reports:kennisbank"), {"van": "2026-06-17", "tot": "2026-06-17"}).context[
        "reports"
    ]

    assert [r.session.title for r in by_topic] == ["Digitale post als standaard"]
    assert list(by_date) == []
    assert {r.session.title for r in both} == {"Digitale post als standaard", "Toeslagen herstel"}


def test_kennisbank_hides_unpublished_reports(client, report_session, organiser):
    report = report_approve(session=report_session, user=organiser)

    response = client.get(reverse("reports:kennisbank_detail", args=[report.pk]))

    assert response.status_code == 404


def test_published_report_page_is_public_and_names_nobody_under_chatham_house(
    client, report_session, organiser
):
    report_session.chatham_house = True
    report_session.save()
    report = publish(report_session, organiser)

    page = client.get(reverse("reports:kennisbank_detail", args=[report.pk])).content.decode()

    assert "Niemand mag buiten de boot vallen" in page
    assert "Karin Kamerlid" not in page and "Jan Jansen" not in page


def test_kennisbank_page_words_the_lens_as_the_report_page(client, unanimous_session, organiser):
    """The public page and the team's report page share one body: the same verdict and shares."""
    report = publish(unanimous_session, organiser)
    client.force_login(organiser)

    public = client.get(reverse("reports:kennisbank_detail", args=[report.pk])).content.decode()
    team = client.get(reverse("reports:report_detail", args=[unanimous_session.pk])).content.decode()

    for page in (public, team):
        assert '<p class="report__verdict">Politiek, beleid en uitvoering zijn het hierover eens.</p>' in page
        assert '<span class="badge badge--politiek">Politiek</span> 3 van 3 eens (100 %)</li>' in page


def test_kennisbank_page_of_a_lone_kamerlid_says_minder_dan_3(client, lone_kamerlid_session, organiser):
    report = publish(lone_kamerlid_session, organiser)

    page = client.get(reverse("reports:kennisbank_detail", args=[report.pk])).content.decode()

    assert '<span class="badge badge--politiek">Politiek</span> minder dan 3 stemmen</li>' in page
    assert re.search(r'badge--politiek">Politiek</span> \d', page) is None
    assert "Te weinig stemmen om te vergelijken" in page


def test_report_published_before_the_lens_shows_no_small_group_and_no_consensus(
    client, lone_kamerlid_session
):
    """A snapshot frozen by the old report code is shown, and downloaded, in today's shape."""
    report = OutcomeReport.objects.create(
        session=lone_kamerlid_session,
        status=OutcomeReport.Status.PUBLISHED,
        snapshot=json.loads(SNAPSHOT_BEFORE_THE_LENS.read_text()),
        published_at=timezone.now(),
    )

    page = client.get(reverse("reports:kennisbank_detail", args=[report.pk])).content.decode()
    download = client.get(reverse("reports:report_download", args=[lone_kamerlid_session.pk, "json"])).json()

    assert '<span class="badge badge--politiek">Politiek</span> minder dan 3 stemmen</li>' in page
    assert re.search(r"consensus|verschil \d", page) is None
    assert download["polls"][0]["voters_by_perspective"]["politiek"] is None
    assert "consensus" not in json.dumps(download)


def test_draft_report_is_404_for_anonymous_and_attendees(client, report_session):
    attendee = report_session.signups.first().user
    url = reverse("reports:report_detail", args=[report_session.pk])

    anonymous = client.get(url)
    client.force_login(attendee)
    logged_in = client.get(url)
    download = client.get(reverse("reports:report_download", args=[report_session.pk, "json"]))

    assert (anonymous.status_code, logged_in.status_code, download.status_code) == (404, 404, 404)


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [
        ("json", "application/json; charset=utf-8"),
        ("md", "text/markdown; charset=utf-8"),
        ("html", "text/html; charset=utf-8"),
        ("pdf", "application/pdf"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("ods", "application/vnd.oasis.opendocument.spreadsheet"),
    ],
)
def test_organiser_downloads_the_report_in_every_format(client, report_session, organiser, fmt, content_type):
    client.force_login(organiser)

    response = client.get(reverse("reports:report_download", args=[report_session.pk, fmt]))

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert len(response.content) > 100


@pytest.mark.parametrize("table", ["vragen", "stemmen", "notities", "vergelijking", "acties"])
def test_moderator_downloads_each_table_as_csv(client, report_session, table):
    moderator = UserFactory()
    report_session.moderators.add(moderator)
    client.force_login(moderator)

    response = client.get(reverse("reports:report_table_csv", args=[report_session.pk, table]))

    assert response.status_code == 200
    assert response.content.decode("utf-8-sig").splitlines()[0].startswith(("id,", "peiling_id,", "bron,"))


def test_moderator_approves_through_the_page_then_organiser_publishes(client, report_session, organiser):
    moderator = UserFactory()
    report_session.moderators.add(moderator)
    client.force_login(moderator)
    client.post(
        reverse("reports:report_approve", args=[report_session.pk]), {"summary": "Kort", "topics": "post"}
    )
    client.post(reverse("reports:report_publish", args=[report_session.pk]))
    assert OutcomeReport.objects.get(session=report_session).status == "approved"

    client.force_login(organiser)
    client.post(reverse("reports:report_publish", args=[report_session.pk]))

    assert OutcomeReport.objects.get(session=report_session).status == "published"


def test_dashboard_is_404_for_everyone_but_organisers(client, report_session, organiser):
    moderator = UserFactory()
    report_session.moderators.add(moderator)
    slug = report_session.event.slug
    urls = [
        reverse("reports:dashboard", args=[slug]),
        reverse("reports:dashboard_live", args=[slug]),
        reverse("reports:export_registrations", args=[slug, "csv"]),
        reverse("reports:export_programme", args=[slug]),
        reverse("reports:export_event_zip", args=[slug]),
    ]

    anonymous = [client.get(url).status_code for url in urls]
    client.force_login(moderator)
    moderated = [client.get(url).status_code for url in urls]
    client.force_login(organiser)
    organised = [client.get(url).status_code for url in urls]

    assert (anonymous, moderated, organised) == ([404] * 5, [404] * 5, [200] * 5)


def test_dashboard_shows_registrations_sessions_and_live_rooms(client, report_session, organiser):
    client.force_login(organiser)

    response = client.get(reverse("reports:dashboard", args=[report_session.event.slug]))
    live = client.get(reverse("reports:dashboard_live", args=[report_session.event.slug])).json()

    assert response.context["sessions"][0]["fill_percent"] == 25
    assert "js/dashboard.js" in response.content.decode()
    assert [(r["session"], r["questions"], r["notes"]) for r in live["rooms"]] == [
        ("Digitale post als standaard", 4, 6)
    ]


def test_event_zip_streams_every_report_in_every_format(client, report_session, organiser):
    client.force_login(organiser)

    response = client.get(reverse("reports:export_event_zip", args=[report_session.event.slug]))

    assert response.streaming
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = set(archive.namelist())
    stem = f"verslagen/{report_session.pk:04d}"
    assert {"programma.csv", "statistieken.csv", "statistieken.ods", "verslagen/report.css"} <= names
    assert {f"{stem}/verslag.{ext}" for ext in ("json", "md", "html", "pdf")} | {
        f"{stem}/tabellen.xlsx",
        f"{stem}/tabellen.ods",
        f"{stem}/vragen.csv",
        f"{stem}/vergelijking.csv",
        f"{stem}/acties.csv",
    } <= names
    assert archive.testzip() is None
