import csv
import io
import json
import re
from pathlib import Path

import jsonschema
import openpyxl
import pytest
from django.utils import translation
from odf.opendocument import load as odf_load
from odf.table import Table as OdfTable
from odf.table import TableCell, TableRow
from pypdf import PdfReader

from realtime.models import Question
from reports.renderers.cells import safe_cell
from reports.renderers.html import report_html
from reports.renderers.jsonfile import report_json
from reports.renderers.markdown import report_markdown
from reports.renderers.pdf import report_pdf
from reports.renderers.tables import Table, csv_bytes, ods_bytes, report_tables, xlsx_bytes
from reports.selectors import report_document
from tests.reports.conftest import RANKED_POLLS

pytestmark = pytest.mark.django_db
SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "docs" / "report-schema.json").read_text())
WITHHELD_CELL = "minder dan 3"
WITHHELD_SHARE = "minder dan 3 stemmen"


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


def one_line(text: str) -> str:
    return " ".join(text.split())


def html_text(document: dict) -> str:
    return one_line(report_html(document))


def markdown_text(document: dict) -> str:
    return one_line(report_markdown(document))


def pdf_text(document: dict) -> str:
    reader = PdfReader(io.BytesIO(report_pdf(document)))
    return one_line(" ".join(page.extract_text() for page in reader.pages))


TEXT_FORMATS = [html_text, markdown_text, pdf_text]


def xlsx_sheets(content: bytes) -> dict[str, list[list]]:
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return {
        name: [list(row) for row in workbook[name].iter_rows(values_only=True)]
        for name in workbook.sheetnames
    }


def csv_sheets(tables) -> dict[str, list[list]]:
    return {t.name: list(csv.reader(io.StringIO(csv_bytes(t).decode("utf-8-sig")))) for t in tables}


def columns_of(sheets: dict[str, list[list]], perspective: str) -> list:
    """Every cell of every column that holds a figure of `perspective` (not the author's perspective)."""
    names = {perspective, f"stemmers_{perspective}", f"steun_{perspective}", f"{perspective}_eens"}
    names.add(f"{perspective}_totaal")
    cells = []
    for rows in sheets.values():
        header, *body = rows
        for index, name in enumerate(header):
            if name in names:
                cells += [row[index] for row in body]
    return cells


def shares_of(text: str, label: str) -> list[str]:
    """What the text says for one perspective of every lens ("Politiek: …" or the HTML badge)."""
    plain = re.sub(r'<span class="badge badge--\w+">(\w+)</span> ', r"\1: ", text)
    return re.findall(
        rf"{label}: ((?:minder dan \d+ stemmen)|(?:geen stemmen)|(?:\d+ van \d+ \w+(?: dit)? \(\d+ %\)))",
        plain,
    )


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
        "'\nx",  # quoted, then the carriage return becomes a newline like every exported line break
        "gewoon",
        5,
        -3,
        None,
    ]


def test_report_json_matches_the_documented_schema(report_session):
    document = report_document(session=report_session)

    jsonschema.Draft202012Validator(SCHEMA).validate(json.loads(report_json(document)))


@pytest.mark.parametrize("fixture", ["lone_kamerlid_session", "unanimous_session", "ranked_session"])
def test_report_json_matches_the_schema_with_withheld_agreeing_and_apart_statements(fixture, request):
    document = report_document(session=request.getfixturevalue(fixture))

    jsonschema.Draft202012Validator(SCHEMA).validate(json.loads(report_json(document)))


@pytest.mark.parametrize(
    "perspective",
    [
        {"suppressed": True, "agree": 1, "total": 1},
        {"agree": 1, "total": 1, "share": 1.0},
        {"agree": 1, "total": 1, "rates": 1.0, "share": 1.0, "low": 0.3, "high": 1.0},
    ],
)
def test_schema_refuses_a_lens_perspective_with_withheld_or_old_fields(unanimous_session, perspective):
    """A withheld perspective carries only `suppressed`; a shown one exactly agree, total, share, low, high."""
    document = json.loads(report_json(report_document(session=unanimous_session)))
    document["polls"][0]["lens"]["perspectives"]["politiek"] = perspective

    assert not jsonschema.Draft202012Validator(SCHEMA).is_valid(document)


def test_schema_refuses_apart_without_the_verdict_apart(unanimous_session):
    document = json.loads(report_json(report_document(session=unanimous_session)))
    document["polls"][0]["lens"]["apart"] = ["politiek", "beleid"]

    assert not jsonschema.Draft202012Validator(SCHEMA).is_valid(document)


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
        "## Te weinig stemmen om te vergelijken",
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

    assert workbook.sheetnames == ["vragen", "stemmen", "notities", "vergelijking", "acties"]
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
        ("Helemaal oneens", 1, 3, WITHHELD_CELL, 1, 2, WITHHELD_CELL),
        ("Oneens", 2, 2, WITHHELD_CELL, 1, 1, WITHHELD_CELL),
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

    assert list(sheets) == ["vragen", "stemmen", "notities", "vergelijking", "acties"]
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


def test_lens_table_has_the_verdict_and_the_share_per_perspective(report_session):
    """One row per lens; a withheld perspective is "minder dan 3" in its agree and total columns."""
    tables = {t.name: t for t in report_tables(report_document(session=report_session))}

    [header, scale, *_] = csv_sheets([tables["vergelijking"]])["vergelijking"]

    assert header == [
        "bron",
        "id",
        "tekst",
        "oordeel",
        "uitleg",
        "politiek_eens",
        "politiek_totaal",
        "politiek",
        "beleid_eens",
        "beleid_totaal",
        "beleid",
        "uitvoering_eens",
        "uitvoering_totaal",
        "uitvoering",
    ]
    assert scale[2:] == [
        "Digitale post moet de standaard worden",
        "too_few",
        "Nog te weinig stemmen van politiek.",
        WITHHELD_CELL,
        WITHHELD_CELL,
        WITHHELD_SHARE,
        "1",
        "3",
        "1 van 3 eens (33 %)",
        "0",
        "4",
        "0 van 4 eens (0 %)",
    ]


def test_withheld_cells_are_the_same_text_in_csv_xlsx_and_ods(report_session):
    tables = report_tables(report_document(session=report_session))

    by_csv = csv_sheets(tables)["stemmen"][1][5]
    by_xlsx = xlsx_sheets(xlsx_bytes(tables))["stemmen"][1][5]
    by_ods = ods_rows(ods_bytes(tables))["stemmen"][1][5]

    assert by_csv == by_xlsx == by_ods == WITHHELD_CELL


@pytest.mark.parametrize("render", TEXT_FORMATS)
def test_three_voters_per_perspective_all_agreeing_are_said_to_agree(unanimous_session, render):
    text = render(report_document(session=unanimous_session))

    assert "Politiek, beleid en uitvoering zijn het hierover eens." in text
    assert shares_of(text, "Politiek")[0] == "3 van 3 eens (100 %)"
    assert re.search(r"consensus|verschil \d|procentpunt", text) is None


def test_report_words_the_lens_in_english_for_the_english_language(lone_kamerlid_session, unanimous_session):
    with translation.override("en"):
        withheld = markdown_text(report_document(session=lone_kamerlid_session))
        agreed = markdown_text(report_document(session=unanimous_session))

    assert "Too few votes yet from politics and execution." in withheld
    assert "- Politics: fewer than 3 votes" in withheld
    assert "| fewer than 3 |" in withheld
    assert "Politics, policy and execution agree on this." in agreed
    assert "- Execution: 3 of 3 agree (100 %)" in agreed


@pytest.mark.parametrize("render", TEXT_FORMATS)
def test_report_leads_with_the_ranked_divergent_then_consensual_statements(ranked_session, render):
    """Before the dilemmas: E, F, G (by z), then B, C, D (by the smallest low bound); A, H and I not."""
    text = render(report_document(session=ranked_session))

    lead = text[: text.index("Dilemma’s", text.index("overeenstemmen"))]
    found = sorted((lead.index(t), t) for t in RANKED_POLLS if t in lead)
    assert [t for _, t in found] == [
        "E 4/4 0/4 2/4",
        "F 3/3 3/3 0/3",
        "G 5/6 1/6 3/6",
        "B 6·6·5 eens",
        "C 4·4·4 eens",
        "D 3·3·4 eens",
    ]
    assert "Beleid en uitvoering denken hier verschillend over." not in lead
    assert "Politiek en beleid denken hier verschillend over." in lead
    assert "Politiek en uitvoering denken hier verschillend over." in lead
    assert text.index("Te weinig stemmen om te vergelijken") > text.index("Vragen van Kamerleden")


# --- a lone Kamerlid: no format gives the politiek figures away ----------------------------------


@pytest.mark.parametrize("render", TEXT_FORMATS)
def test_no_text_format_shows_a_lone_kamerlids_share(lone_kamerlid_session, render):
    """
    Every lens says "minder dan 3 stemmen" for politiek, and for uitvoering too: showing uitvoering
    would leave the Kamerlid alone in the remainder. Beleid is shown.
    """
    text = render(report_document(session=lone_kamerlid_session))

    politiek, beleid, uitvoering = (shares_of(text, p) for p in ("Politiek", "Beleid", "Uitvoering"))
    assert len(politiek) == len(uitvoering) == len(beleid) > 0
    assert set(politiek) == set(uitvoering) == {WITHHELD_SHARE}
    assert WITHHELD_SHARE not in beleid


def test_html_poll_tables_of_a_lone_kamerlid_withhold_politiek_and_uitvoering(lone_kamerlid_session):
    html = report_html(report_document(session=lone_kamerlid_session))

    rows = [
        re.findall(r"<td>([^<]*)</td>", row)
        for row in re.findall(r"<tr[^>]*>(?:<th[^>]*>[^<]*</th>)(.*?)</tr>", html)
    ]
    poll_rows = [cells for cells in rows if len(cells) == 5]
    assert len(poll_rows) == 5 + 1 + 2 + 1
    assert {(cells[1], cells[3]) for cells in poll_rows} == {(WITHHELD_CELL, WITHHELD_CELL)}
    assert all(cells[2].isdigit() and cells[4] == "0" for cells in poll_rows)


def test_markdown_poll_tables_of_a_lone_kamerlid_withhold_politiek_and_uitvoering(lone_kamerlid_session):
    markdown = report_markdown(report_document(session=lone_kamerlid_session))

    rows = [line.strip("|").split(" | ") for line in markdown.splitlines() if line.startswith("| ")]
    poll_rows = [
        [cell.strip() for cell in row] for row in rows if len(row) == 6 and row[0].strip() != "Antwoord"
    ]
    assert len(poll_rows) == 5 + 1 + 2 + 1
    assert {(cells[2], cells[4]) for cells in poll_rows} == {(WITHHELD_CELL, WITHHELD_CELL)}


def test_pdf_poll_tables_of_a_lone_kamerlid_withhold_politiek_and_uitvoering(lone_kamerlid_session):
    """The PDF's table cells come out one per line: after each total, politiek, beleid, uitvoering, anders."""
    reader = PdfReader(io.BytesIO(report_pdf(report_document(session=lone_kamerlid_session))))
    lines = "\n".join(page.extract_text() for page in reader.pages).splitlines()

    withheld_at = [i for i, line in enumerate(lines) if line == WITHHELD_CELL]
    assert len(withheld_at) == 2 * (5 + 1 + 2 + 1)
    assert all(lines[i + 1].isdigit() for i in withheld_at[::2])
    assert [withheld_at[i + 1] - withheld_at[i] for i in range(0, len(withheld_at), 2)] == [2] * 9


def per_perspective_dicts(value, path=()):
    """Every dict keyed by politiek, beleid and uitvoering in a document, with the keys that lead to it."""
    if isinstance(value, dict):
        if {"politiek", "beleid", "uitvoering"} <= value.keys():
            yield path, value
        for key, item in value.items():
            yield from per_perspective_dicts(item, (*path, key))
    elif isinstance(value, list):
        for item in value:
            yield from per_perspective_dicts(item, path)


# Not opinions: sign-ups, questions asked and answered, and the notes grouped by their author's perspective.
NOT_OPINIONS = {
    ("participants", "by_perspective"),
    ("questions", "by_perspective"),
    ("dilemmas", "positions"),
}


def test_json_of_a_lone_kamerlid_withholds_politiek_and_the_remainder_is_a_group(lone_kamerlid_session):
    """
    No count or share of politiek (or of uitvoering, hidden with it) is in the JSON. What anyone can
    subtract (every voter minus the shown perspectives) is a group of 4, never the Kamerlid alone.
    """
    document = json.loads(report_json(report_document(session=lone_kamerlid_session)))

    figures = [figure for path, figure in per_perspective_dicts(document) if path not in NOT_OPINIONS]

    assert len(figures) > 20
    assert {json.dumps([f["politiek"], f["uitvoering"]]) for f in figures} == {
        "[null, null]",
        '[{"suppressed": true}, {"suppressed": true}]',
    }
    assert all(isinstance(f["beleid"], int) or "total" in f["beleid"] for f in figures)
    for poll in document["polls"]:
        shown = sum(n for n in poll["voters_by_perspective"].values() if n is not None)
        assert poll["voters"] - shown == 4


def test_tables_of_a_lone_kamerlid_withhold_politiek_in_csv_xlsx_and_ods(lone_kamerlid_session):
    tables = report_tables(report_document(session=lone_kamerlid_session))

    for sheets in (csv_sheets(tables), xlsx_sheets(xlsx_bytes(tables)), ods_rows(ods_bytes(tables))):
        politiek, uitvoering, beleid = (columns_of(sheets, p) for p in ("politiek", "uitvoering", "beleid"))
        assert len(politiek) == len(uitvoering) > 0
        assert set(politiek) == set(uitvoering) == {WITHHELD_CELL, WITHHELD_SHARE}
        assert WITHHELD_CELL not in beleid
