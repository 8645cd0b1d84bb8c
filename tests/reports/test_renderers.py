import csv
import io
import json
from pathlib import Path

import jsonschema
import openpyxl
import pytest
from odf.opendocument import load as odf_load
from odf.table import Table as OdfTable
from odf.table import TableCell, TableRow
from pypdf import PdfReader

from realtime.models import Question
from reports.renderers.cells import safe_cell
from reports.renderers.jsonfile import report_json
from reports.renderers.markdown import report_markdown
from reports.renderers.pdf import report_pdf
from reports.renderers.tables import Table, csv_bytes, ods_bytes, report_tables, xlsx_bytes
from reports.selectors import report_document

pytestmark = pytest.mark.django_db
SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "docs" / "report-schema.json").read_text())


def ods_rows(content: bytes) -> dict[str, list[list[str]]]:
    """Every sheet of an ODS file as rows of cell texts."""
    document = odf_load(io.BytesIO(content))
    sheets = {}
    for sheet in document.spreadsheet.getElementsByType(OdfTable):
        rows = []
        for row in sheet.getElementsByType(TableRow):
            rows.append([str(cell) for cell in row.getElementsByType(TableCell)])
        sheets[sheet.getAttribute("name")] = rows
    return sheets


def flatten_outline(outline) -> list[str]:
    titles = []
    for item in outline:
        titles.extend(flatten_outline(item) if isinstance(item, list) else [item.title])
    return titles


def test_safe_cell_neutralises_formula_triggers():
    assert [safe_cell(v) for v in ["=1+1", "+31", "-2", "@SUM(A1)", "\tx", "\rx", "gewoon", 5, -3, None]] == [
        "'=1+1",
        "'+31",
        "'-2",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
        "gewoon",
        5,
        -3,
        None,
    ]


def test_report_json_matches_the_documented_schema(report_session):
    document = report_document(session=report_session)

    jsonschema.Draft202012Validator(SCHEMA).validate(json.loads(report_json(document)))


def test_report_json_matches_the_schema_under_chatham_house_and_without_room(report_session):
    from tests.factories import SessionFactory

    report_session.chatham_house = True
    report_session.save()

    for session in (report_session, SessionFactory()):
        jsonschema.Draft202012Validator(SCHEMA).validate(
            json.loads(report_json(report_document(session=session)))
        )


def test_markdown_has_every_section_and_escapes_contributed_text(report_session):
    Question.objects.filter(text="Wie betaalt de extra uitvoeringskosten?").update(
        text="Wie betaalt | *dit*?"
    )

    markdown = report_markdown(report_document(session=report_session))

    assert markdown.startswith("# Uitkomstverslag: Digitale post als standaard\n")
    for heading in [
        "## Waar de perspectieven het meest verschillen",
        "## Waar de perspectieven het meest overeenstemmen",
        "## Dilemma’s",
        "#### Gemeenschappelijke grond",
        "#### Punten waarover geen overeenstemming is",
        "#### Open vragen",
        "#### Acties",
        "## Peilingen",
        "## Deelnemers per perspectief",
        "### Vragen van Kamerleden",
    ]:
        assert heading in markdown
    assert "Wie betaalt \\| \\*dit\\*?" in markdown
    assert "| Pilot met een papieren alternatief | Jan Jansen | SVB | 2026-09-01 | Open |" in markdown


def test_pdf_has_title_and_sections(report_session):
    pdf = report_pdf(report_document(session=report_session))

    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert reader.metadata.title == "Uitkomstverslag: Digitale post als standaard"
    for expected in [
        "Uitkomstverslag: Digitale post als standaard",
        "Waar de perspectieven het meest verschillen",
        "Dilemma’s",
        "Peilingen",
        "Deelnemers per perspectief",
        "Vragen van Kamerleden",
        "Wie betaalt de extra uitvoeringskosten?",
        "Pilot met een papieren alternatief",
    ]:
        assert expected in text
    assert flatten_outline(reader.outline)[:3] == [
        "Uitkomstverslag: Digitale post als standaard",
        "Waar de perspectieven het meest verschillen",
        "Waar de perspectieven het meest overeenstemmen",
    ]


def test_pdf_under_chatham_house_names_nobody(report_session):
    report_session.chatham_house = True
    report_session.save()

    pdf = report_pdf(report_document(session=report_session))

    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "Karin Kamerlid" not in text
    assert "Jan Jansen" not in text
    assert "Chatham House-regel" in text


def test_xlsx_tables_open_and_hold_the_rows(report_session):
    tables = report_tables(report_document(session=report_session))

    workbook = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(tables)))

    assert workbook.sheetnames == ["vragen", "stemmen", "notities", "acties"]
    votes = list(workbook["stemmen"].iter_rows(values_only=True))
    assert votes[0][:9] == (
        "peiling_id",
        "peiling",
        "antwoord",
        "waarde",
        "aantal",
        "politiek",
        "beleid",
        "uitvoering",
        "anders",
    )
    assert [row[2:9] for row in votes[1:3]] == [
        ("Helemaal oneens", 1, 3, 0, 1, 2, 0),
        ("Oneens", 2, 2, 0, 1, 1, 0),
    ]
    assert len(votes) == 1 + 5 + 2
    assert [row[1] for row in workbook["acties"].iter_rows(min_row=2, values_only=True)] == [
        "Pilot met een papieren alternatief"
    ]
    assert workbook["vragen"].max_row == 3
    assert workbook["notities"].max_row == 7


def test_ods_tables_open_and_hold_the_rows(report_session):
    tables = report_tables(report_document(session=report_session))

    sheets = ods_rows(ods_bytes(tables))

    assert list(sheets) == ["vragen", "stemmen", "notities", "acties"]
    assert sheets["acties"][1][:4] == [
        sheets["acties"][1][0],
        "Pilot met een papieren alternatief",
        "Jan Jansen",
        "SVB",
    ]
    assert [row[1] for row in sheets["vragen"][1:]] == ["uitvoering", "politiek"]
    assert len(sheets["stemmen"]) == 8


def test_every_table_format_neutralises_formulas():
    table = Table("t", ["kop"], [['=HYPERLINK("http://x")'], ["@cmd"], [42]])

    csv_rows = list(csv.reader(io.StringIO(csv_bytes(table).decode("utf-8-sig"))))
    xlsx_rows = list(openpyxl.load_workbook(io.BytesIO(xlsx_bytes([table])))["t"].iter_rows(values_only=True))
    ods = ods_rows(ods_bytes([table]))["t"]

    assert csv_rows == [["kop"], ['\'=HYPERLINK("http://x")'], ["'@cmd"], ["42"]]
    assert xlsx_rows == [("kop",), ('\'=HYPERLINK("http://x")',), ("'@cmd",), (42,)]
    assert ods == [["kop"], ['\'=HYPERLINK("http://x")'], ["'@cmd"], ["42"]]


def test_question_text_with_a_formula_is_neutralised_in_the_report_tables(report_session):
    Question.objects.filter(text="Wie betaalt de extra uitvoeringskosten?").update(text="=1+2")

    [questions, *_] = report_tables(report_document(session=report_session))
    rows = list(csv.reader(io.StringIO(csv_bytes(questions).decode("utf-8-sig"))))

    assert [row[9] for row in rows[1:]] == ["Hoe helpen we mensen zonder computer?", "'=1+2"]
