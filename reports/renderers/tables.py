"""
Tables as CSV, XLSX (openpyxl) and ODS (odfpy), plus the report's own tables.

Every cell passes through `safe_cell`. Votes are only ever exported as
counts per option and perspective, never as individual votes. A count the
report withholds (None: fewer than the minimum group, see realtime.lens) is
the text "minder dan 3" in every format, never a number, 0 or an empty cell;
an empty cell means "not applicable" (a choice poll's option has no value).
"""

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field

from realtime.payloads import LENS_PERSPECTIVES, PERSPECTIVES, REACTION_KINDS
from reports.renderers.cells import safe_cell
from reports.renderers.labels import count_text, lens_view


@dataclass
class Table:
    name: str  # a file and sheet name: short, ASCII, no spaces
    headers: list[str]
    rows: Iterable[list] = field(default_factory=list)


def _cell_value(value):
    if isinstance(value, bool):
        return "ja" if value else "nee"
    return safe_cell(value)


def csv_bytes(table: Table) -> bytes:
    """A UTF-8 CSV with a byte order mark, so spreadsheet programs read accented letters right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_cell_value(h) for h in table.headers])
    for row in table.rows:
        writer.writerow(["" if v is None else _cell_value(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(tables: list[Table]) -> bytes:
    """One worksheet per table, header row in bold and frozen."""
    # Loaded on first use: importing openpyxl takes about half a second, and only this download needs it.
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for table in tables:
        sheet = workbook.create_sheet(title=table.name[:31])
        sheet.freeze_panes = "A2"
        header = []
        for title in table.headers:
            cell = WriteOnlyCell(sheet, value=_cell_value(title))
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        for row in table.rows:
            sheet.append([_cell_value(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def ods_bytes(tables: list[Table]) -> bytes:
    """One sheet per table in an OpenDocument spreadsheet; numbers are stored as numbers."""
    # Loaded on first use, like openpyxl above (odfpy takes about 0.2 s to import).
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table as OdfTable
    from odf.table import TableCell, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    for table in tables:
        sheet = OdfTable(name=table.name)
        for row in [table.headers, *table.rows]:
            odf_row = TableRow()
            for value in row:
                value = _cell_value(value)
                if isinstance(value, int | float):
                    cell = TableCell(valuetype="float", value=value)
                    cell.addElement(P(text=str(value)))
                elif value is None or value == "":
                    cell = TableCell()
                else:
                    cell = TableCell(valuetype="string")
                    cell.addElement(P(text=str(value)))
                odf_row.addElement(cell)
            sheet.addElement(odf_row)
        document.spreadsheet.addElement(sheet)
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()


# --- the report's tables ---------------------------------------------------------


def _count(value: int | None, minimum: int) -> int | str:
    """A published count as a cell: the number, or the text "minder dan 3" when it is withheld."""
    return count_text(value, minimum) if value is None else value


def report_tables(document: dict) -> list[Table]:
    """Questions, votes (counts per option per perspective), notes, the lens per statement and actions."""
    return [
        questions_table(document),
        votes_table(document),
        notes_table(document),
        lens_table(document),
        actions_table(document),
    ]


def questions_table(document: dict) -> Table:
    rows = [
        [
            q["id"],
            q["perspective"],
            q["kamerlid"],
            q["status"],
            q["upvotes"],
            *(_count(q["upvotes_by_perspective"][p], q["lens"]["min_group"]) for p in PERSPECTIVES),
            q["text"],
            q["author"] or "",
            q["organisation"] or "",
        ]
        for q in document["questions"]["all"]
    ]
    return Table(
        "vragen",
        [
            "id",
            "perspectief",
            "kamerlid",
            "status",
            "steunbetuigingen",
            *(f"steun_{p}" for p in PERSPECTIVES),
            "vraag",
            "naam",
            "organisatie",
        ],
        rows,
    )


def votes_table(document: dict) -> Table:
    rows = [
        [
            poll["id"],
            poll["text"],
            option["label"],
            option["value"],
            _count(option["count"], poll["min_group"]),
            *(_count(option["by_perspective"][p], poll["min_group"]) for p in PERSPECTIVES),
            *(_count(poll["voters_by_perspective"][p], poll["min_group"]) for p in PERSPECTIVES),
        ]
        for poll in document["polls"]
        for option in poll["options"]
    ]
    return Table(
        "stemmen",
        [
            "peiling_id",
            "peiling",
            "antwoord",
            "waarde",
            "aantal",
            *PERSPECTIVES,
            *(f"stemmers_{p}" for p in PERSPECTIVES),
        ],
        rows,
    )


def notes_table(document: dict) -> Table:
    rows = [
        [
            note["id"],
            note["phase"] or "",
            note["kind"],
            note["perspective"],
            note["text"],
            note["mark"] or "",
            *(_count(note["reactions"][kind], note["lens"]["min_group"]) for kind in REACTION_KINDS),
        ]
        for note in document["notes"]
    ]
    return Table(
        "notities",
        ["id", "fase", "soort", "perspectief", "tekst", "markering", "herken_ik", "eens", "oneens"],
        rows,
    )


def _lenses(document: dict) -> list[tuple[str, int, str, dict, bool]]:
    """
    Every lens in the report as (source, id, text, lens, worded as a choice), in the report's order.

    A 5-point poll has one lens, a choice poll one per option; every note and
    every reported question has one. Those nobody responded to are included
    ("geen stemmen"), so the table lists every statement of the session.
    """
    lenses = []
    for poll in document["polls"]:
        if poll["lens"] is not None:
            lenses.append(("poll", poll["id"], poll["text"], poll["lens"], False))
            continue
        for option in poll["options"]:
            text = f"{poll['text']} — {option['label']}"
            lenses.append(("poll_option", option["id"], text, option["lens"], True))
    lenses += [("note", note["id"], note["text"], note["lens"], False) for note in document["notes"]]
    lenses += [("question", q["id"], q["text"], q["lens"], False) for q in document["questions"]["all"]]
    return lenses


def _lens_cells(lens: dict, chose: bool) -> list:
    """Per perspective: agreeing, respondents (each "minder dan 3" when withheld) and the share in words."""
    view = {row["perspective"]: row["text"] for row in lens_view(lens, chose)["rows"]}
    cells = []
    for p in LENS_PERSPECTIVES:
        entry = lens["perspectives"][p]
        if entry.get("suppressed"):
            withheld = count_text(None, lens["min_group"])
            cells += [withheld, withheld, view[p]]
        else:
            cells += [entry["agree"], entry["total"], view[p]]
    return cells


def lens_table(document: dict) -> Table:
    """One row per statement: its verdict (code and sentence) and per perspective agree, total and share."""
    rows = [
        [source, ref, text, lens["verdict"], lens_view(lens, chose)["sentence"], *_lens_cells(lens, chose)]
        for source, ref, text, lens, chose in _lenses(document)
    ]
    return Table(
        "vergelijking",
        [
            "bron",
            "id",
            "tekst",
            "oordeel",
            "uitleg",
            *(column for p in LENS_PERSPECTIVES for column in (f"{p}_eens", f"{p}_totaal", p)),
        ],
        rows,
    )


def actions_table(document: dict) -> Table:
    rows = [
        [
            action["id"],
            action["what"],
            action["owner_name"] or "",
            action["owner_organisation"] or "",
            action["perspective"] or "",
            action["due_date"] or "",
            action["status"],
        ]
        for action in document["actions"]
    ]
    return Table(
        "acties", ["id", "wat", "eigenaar", "organisatie", "perspectief", "deadline", "status"], rows
    )
