"""
The report as PDF, drawn with ReportLab's Platypus (pure Python, no system packages).

Headings become PDF outline entries (bookmarks), and the document carries
its title, language and subject, so a screen reader and an archive can find
their way. User text is XML-escaped before it reaches a Paragraph.
"""

import io
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from realtime.payloads import PERSPECTIVES
from reports.renderers.labels import (
    count_text,
    highlight_sections,
    lens_summary,
    lens_view,
    perspective_label,
    poll_option_views,
    question_status_label,
    report_status_label,
    responded,
    statement_summary,
    statement_view,
    time_range,
    too_few_section,
    totals_withheld_text,
)

PRIMARY = colors.HexColor("#073559")


class _Document(SimpleDocTemplate):
    def afterFlowable(self, flowable):
        level = getattr(flowable, "outline_level", None)
        if level is not None:
            key = f"h{id(flowable)}"
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(flowable.getPlainText(), key, level=level, closed=False)


def _styles():
    base = getSampleStyleSheet()
    return {
        "title": ParagraphStyle("title", parent=base["Title"], textColor=PRIMARY, alignment=0),
        "h2": ParagraphStyle("h2", parent=base["Heading2"], textColor=PRIMARY),
        "h3": ParagraphStyle("h3", parent=base["Heading3"]),
        "body": base["BodyText"],
        "meta": ParagraphStyle("meta", parent=base["BodyText"], textColor=colors.HexColor("#4a4a4a")),
        "cell": ParagraphStyle("cell", parent=base["BodyText"], fontSize=9, leading=11),
        "share": ParagraphStyle("share", parent=base["BodyText"], leftIndent=4 * mm, spaceBefore=0),
    }


def _p(text, style) -> Paragraph:
    return Paragraph(escape(str(text)), style)


def _heading(text, style, level) -> Paragraph:
    paragraph = _p(text, style)
    paragraph.outline_level = level
    return paragraph


def _table(headers, rows, styles, widths=None) -> Table:
    data = [[_p(h, styles["cell"]) for h in headers]] + [[_p(c, styles["cell"]) for c in row] for row in rows]
    table = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#8a8f98")),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3f4f6")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _lens(view, styles, title=None) -> list:
    """A lens in words: an optional bold title, the verdict sentence, one line per perspective."""
    flowables = [Paragraph(f"<b>{escape(str(title))}</b>", styles["body"])] if title else []
    flowables.append(_p(view["sentence"], styles["body"]))
    flowables += [_p(f"{row['label']}: {row['text']}", styles["share"]) for row in view["rows"]]
    return flowables


def _note_lens(note) -> str:
    """After a note anyone reacted to: " — " and its verdict and shares; else nothing."""
    return f" — {lens_summary(note['lens'])}" if responded(note["lens"]) else ""


def _question_rows(questions):
    rows = []
    for q in questions:
        who = [perspective_label(q["perspective"])]
        if q["kamerlid"]:
            who.append(_("Kamerlid"))
        if q["author"]:
            who.append(q["author"] + (f", {q['organisation']}" if q["organisation"] else ""))
        rows.append([q["text"], ", ".join(who), question_status_label(q["status"]), q["upvotes"]])
    return rows


def _action_rows(actions):
    return [
        [
            a["what"],
            a["owner_name"] or "—",
            a["owner_organisation"] or "—",
            a["due_date"] or "—",
            a["status_label"],
        ]
        for a in actions
    ]


def report_pdf(document: dict) -> bytes:
    styles = _styles()
    session = document["session"]
    story = [
        _heading(f"{_('Uitkomstverslag')}: {session['title']}", styles["title"], 0),
        _p(f"{session['event']} · {time_range(session)} · {session['room']}", styles["meta"]),
        _p(f"{_('Status')}: {report_status_label(document['status'])}", styles["meta"]),
    ]
    if session["chatham_house"]:
        story.append(_p(_("Chatham House-regel: dit verslag noemt niemand bij naam."), styles["body"]))
    if document["summary"]:
        story.append(_p(document["summary"], styles["body"]))

    for key, title, empty in highlight_sections():
        statements = document["highlights"][key]
        story.append(_heading(title, styles["h2"], 1))
        for number, statement in enumerate(statements, start=1):
            story += _lens(statement_view(statement), styles, f"{number}. {statement['text']}")
        if not statements:
            story.append(_p(empty, styles["body"]))

    story.append(_heading(_("Dilemma’s"), styles["h2"], 1))
    if not document["dilemmas"]:
        story.append(_p(_("Er zijn geen dilemma’s vastgelegd."), styles["body"]))
    for dilemma in document["dilemmas"]:
        story.append(_heading(dilemma["title"], styles["h3"], 2))
        for statement in dilemma["statements"]:
            story.append(
                _p(
                    f"{statement['text']} ({perspective_label(statement['perspective'])}){_note_lens(statement)}",
                    styles["body"],
                )
            )
        positions = [
            [perspective_label(p), f"{position['kind_label']}: {position['text']}{_note_lens(position)}"]
            for p in PERSPECTIVES
            for position in dilemma["positions"].get(p, [])
        ]
        if positions:
            story.append(_table([_("Perspectief"), _("Standpunt")], positions, styles, [35 * mm, 135 * mm]))
        for key, title in (
            ("common_ground", _("Gemeenschappelijke grond")),
            ("not_agreed", _("Punten waarover geen overeenstemming is")),
            ("open_questions", _("Open vragen")),
        ):
            story.append(Paragraph(f"<b>{escape(title)}</b>", styles["body"]))
            for item in dilemma[key] or [{"text": _("Geen."), "perspective": None}]:
                suffix = f" ({perspective_label(item['perspective'])})" if item["perspective"] else ""
                after = _note_lens(item) if "lens" in item else ""
                story.append(_p(f"• {item['text']}{suffix}{after}", styles["body"]))
        story.append(Paragraph(f"<b>{escape(_('Acties'))}</b>", styles["body"]))
        if dilemma["actions"]:
            story.append(
                _table(
                    [_("Actie"), _("Eigenaar"), _("Organisatie"), _("Deadline"), _("Status")],
                    _action_rows(dilemma["actions"]),
                    styles,
                )
            )
        else:
            story.append(_p(_("Geen."), styles["body"]))

    story.append(_heading(_("Peilingen"), styles["h2"], 1))
    if not document["polls"]:
        story.append(_p(_("Er zijn geen peilingen gehouden."), styles["body"]))
    for poll in document["polls"]:
        minimum = poll["min_group"]
        story.append(_heading(poll["text"], styles["h3"], 2))
        rows = [
            [
                o["label"],
                count_text(o["count"], minimum),
                *(count_text(o["by_perspective"][p], minimum) for p in PERSPECTIVES),
            ]
            for o in poll["options"]
        ]
        rows.append(
            [
                _("Stemmers"),
                poll["voters"],
                *(count_text(poll["voters_by_perspective"][p], minimum) for p in PERSPECTIVES),
            ]
        )
        story.append(
            _table([_("Antwoord"), _("Totaal"), *map(perspective_label, PERSPECTIVES)], rows, styles)
        )
        if poll["totals_withheld"]:
            story.append(_p(totals_withheld_text(minimum), styles["meta"]))
        if poll["lens"]:
            story += _lens(lens_view(poll["lens"]), styles, _("Eens (4 of 5)"))
        else:
            for option in poll_option_views(poll):
                story += _lens(option, styles, option["label"])

    participants = document["participants"]
    story.append(_heading(_("Deelnemers per perspectief"), styles["h2"], 1))
    story.append(
        _table(
            [_("Perspectief"), _("Aantal")],
            [[perspective_label(p), participants["by_perspective"][p]] for p in PERSPECTIVES]
            + [[_("Totaal"), participants["total"]]],
            styles,
        )
    )
    story.append(_p(_("Geteld: bevestigde inschrijvingen voor de sessie."), styles["meta"]))

    questions = document["questions"]
    story.append(_heading(_("Vragen"), styles["h2"], 1))
    headers = [_("Vraag"), _("Van"), _("Status"), _("Steun")]
    widths = [95 * mm, 40 * mm, 22 * mm, 13 * mm]
    story.append(_heading(_("Meest gesteunde vragen"), styles["h3"], 2))
    if questions["top"]:
        story.append(_table(headers, _question_rows(questions["top"]), styles, widths))
    else:
        story.append(_p(_("Er zijn geen vragen gesteld."), styles["body"]))
    story.append(_heading(_("Vragen van Kamerleden"), styles["h3"], 2))
    if questions["kamerlid"]:
        story.append(_table(headers, _question_rows(questions["kamerlid"]), styles, widths))
    else:
        story.append(_p(_("Kamerleden hebben geen vragen gesteld."), styles["body"]))

    too_few = document["highlights"]["too_few"]
    if too_few:
        title, intro = too_few_section()
        story.append(_heading(title, styles["h2"], 1))
        story.append(_p(intro, styles["body"]))
        for s in too_few:
            story.append(_p(f"• “{s['text']}”: {statement_summary(s)}", styles["body"]))

    story.append(Spacer(1, 6 * mm))
    story.append(
        _p(_("Gemaakt met Trialoog op %(when)s.") % {"when": document["generated_at"][:16]}, styles["meta"])
    )

    buffer = io.BytesIO()
    pdf = _Document(
        buffer,
        pagesize=A4,
        title=f"{_('Uitkomstverslag')}: {session['title']}",
        subject=session["event"],
        creator="Trialoog",
        lang="nl",
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
    )
    pdf.build(story)
    return buffer.getvalue()
