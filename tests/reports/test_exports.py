import csv
import io
import json
import re

import openpyxl
import pytest

from accounts.models import User
from events.models import Session
from events.services.retention import personal_data_purge
from reports.exports import programme_table, registrations_table, report_files
from reports.renderers.tables import csv_bytes, ods_bytes, xlsx_bytes
from reports.selectors import report_document
from tests.factories import RegistrationFactory, SessionSignupFactory, UserFactory, at
from tests.reports.test_renderers import ods_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def registrations(db):
    signup = SessionSignupFactory(
        user=UserFactory(name="Anna", consent_needs=True, diet="Vegetarisch", access_needs="Rolstoel")
    )
    event = signup.session.event
    RegistrationFactory(user=signup.user, event=event)
    RegistrationFactory(user=UserFactory(name="Bram", organisation="=cmd|' /C calc'!A0"), event=event)
    return event


def test_registrations_show_needs_only_with_consent(registrations):
    table = registrations_table(event=registrations)

    rows = {row[0]: row for row in table.rows}
    assert rows["Anna"][-2:] == ["Vegetarisch", "Rolstoel"]
    assert rows["Anna"][7] == Session.objects.get().title
    assert rows["Bram"][-2:] == ["", ""]


def test_registrations_show_no_needs_after_the_purge(registrations):
    personal_data_purge(event=registrations, now=at(12, date=registrations.date.replace(day=18)))

    table = registrations_table(event=registrations)

    assert {tuple(row[-2:]) for row in table.rows} == {("", "")}
    assert User.objects.get(name="Anna").diet == ""


def test_registrations_open_as_xlsx_ods_and_csv_with_formulas_neutralised(registrations):
    table = registrations_table(event=registrations)

    xlsx = list(
        openpyxl.load_workbook(io.BytesIO(xlsx_bytes([table])))["aanmeldingen"].iter_rows(values_only=True)
    )
    ods = ods_rows(ods_bytes([table]))["aanmeldingen"]
    rows = list(csv.reader(io.StringIO(csv_bytes(table).decode("utf-8-sig"))))

    assert [r[0] for r in xlsx[1:]] == ["Anna", "Bram"]
    assert [r[0] for r in ods[1:]] == ["Anna", "Bram"]
    assert xlsx[2][2] == ods[2][2] == rows[2][2] == "'=cmd|' /C calc'!A0"


def test_programme_table_has_one_row_per_session_with_fill(registrations):
    table = programme_table(event=registrations)

    [row] = table.rows
    assert row[3:6] == ["2026-06-17", "10:30", "11:45"]
    assert row[8:11] == [40, 1, 0]


def test_report_files_of_a_lone_kamerlid_hold_no_politiek_figure(lone_kamerlid_session):
    """The event ZIP's files of one report: the votes CSV, the Markdown and the JSON withhold politiek."""
    files = dict(report_files(report_document(session=lone_kamerlid_session), "verslagen/0001"))

    votes = list(csv.reader(io.StringIO(files["verslagen/0001/stemmen.csv"].decode("utf-8-sig"))))
    markdown = files["verslagen/0001/verslag.md"].decode()
    document = json.loads(files["verslagen/0001/verslag.json"])

    column = votes[0].index("stemmers_politiek")
    assert {row[column] for row in votes[1:]} == {"minder dan 3"}
    assert set(re.findall(r"Politiek: (\w+)", markdown)) == {"minder"}
    assert {poll["voters_by_perspective"]["politiek"] for poll in document["polls"]} == {None}
