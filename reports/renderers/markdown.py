"""The report as Markdown, for pasting into documents and wikis."""

import re

from django.utils.translation import gettext as _

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

_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def md(text) -> str:
    """Escape Markdown syntax and fold newlines, so contributed text renders as plain text on one line."""
    return _SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def _table(headers: list[str], rows: list[list]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return [*lines, ""]


def _question_line(question: dict) -> str:
    marks = [perspective_label(question["perspective"])]
    if question["kamerlid"]:
        marks.append(_("Kamerlid"))
    if question["author"]:
        marks.append(
            md(question["author"] + (f", {question['organisation']}" if question["organisation"] else ""))
        )
    return (
        f"- {md(question['text'])} ({', '.join(marks)}; {question_status_label(question['status'])}; "
        + _("%(n)s keer gesteund") % {"n": question["upvotes"]}
        + ")"
    )


def _lens_lines(view: dict, indent: str = "") -> list[str]:
    """The verdict sentence, then one bullet per perspective ("Politiek: 5 van 6 eens (83 %)")."""
    return [f"{indent}{view['sentence']}", ""] + [
        f"{indent}- {row['label']}: {row['text']}" for row in view["rows"]
    ]


def _note_lens(note: dict) -> str:
    """After a note anyone reacted to: " — " and its verdict and shares; else nothing."""
    return f" — {lens_summary(note['lens'])}" if responded(note["lens"]) else ""


def _dilemma(dilemma: dict) -> list[str]:
    lines = [f"### {md(dilemma['title'])}", ""]
    for statement in dilemma["statements"]:
        perspective = perspective_label(statement["perspective"])
        lines += [f"> {md(statement['text'])} ({perspective}){_note_lens(statement)}", ""]
    lines += [f"#### {_('Standpunten per perspectief')}", ""]
    positions = [
        f"- **{perspective_label(p)}** ({md(position['kind_label'])}): {md(position['text'])}{_note_lens(position)}"
        for p in PERSPECTIVES
        for position in dilemma["positions"].get(p, [])
    ]
    lines += [*(positions or [_("Geen.")]), ""]
    for key, title in (
        ("common_ground", _("Gemeenschappelijke grond")),
        ("not_agreed", _("Punten waarover geen overeenstemming is")),
        ("open_questions", _("Open vragen")),
    ):
        lines += [f"#### {title}", ""]
        lines += [
            f"- {md(item['text'])} ({perspective_label(item['perspective'])}){_note_lens(item)}"
            for item in dilemma[key]
        ] or [_("Geen.")]
        lines.append("")
    lines += [f"#### {_('Acties')}", ""]
    lines += _actions_table(dilemma["actions"]) if dilemma["actions"] else [_("Geen."), ""]
    return lines


def _actions_table(actions: list[dict]) -> list[str]:
    return _table(
        [_("Actie"), _("Eigenaar"), _("Organisatie"), _("Deadline"), _("Status")],
        [
            [
                md(a["what"]),
                md(a["owner_name"] or "—"),
                md(a["owner_organisation"] or "—"),
                a["due_date"] or "—",
                md(a["status_label"]),
            ]
            for a in actions
        ],
    )


def report_markdown(document: dict) -> str:
    session = document["session"]
    lines = [
        f"# {_('Uitkomstverslag')}: {md(session['title'])}",
        "",
        f"*{md(session['event'])} · {time_range(session)} · {md(session['room'])}*  ",
        f"{_('Status')}: {report_status_label(document['status'])}",
        "",
    ]
    if session["chatham_house"]:
        lines += [f"> {_('Chatham House-regel: dit verslag noemt niemand bij naam.')}", ""]
    if document["summary"]:
        lines += [md(document["summary"]), ""]

    for key, title, empty in highlight_sections():
        statements = document["highlights"][key]
        lines += [f"## {title}", ""]
        for number, statement in enumerate(statements, start=1):
            lines += [f"{number}. {md(statement['text'])}", ""]
            lines += [*_lens_lines(statement_view(statement), "   "), ""]
        if not statements:
            lines += [empty, ""]

    lines += [f"## {_('Dilemma’s')}", ""]
    if document["dilemmas"]:
        for dilemma in document["dilemmas"]:
            lines += _dilemma(dilemma)
    else:
        lines += [_("Er zijn geen dilemma’s vastgelegd."), ""]

    lines += [f"## {_('Peilingen')}", ""]
    if not document["polls"]:
        lines += [_("Er zijn geen peilingen gehouden."), ""]
    for poll in document["polls"]:
        minimum = poll["min_group"]
        lines += [f"### {md(poll['text'])}", "", _("%(n)s stemmers.") % {"n": poll["voters"]}, ""]
        lines += _table(
            [_("Antwoord"), _("Totaal"), *(perspective_label(p) for p in PERSPECTIVES)],
            [
                [
                    md(o["label"]),
                    count_text(o["count"], minimum),
                    *(count_text(o["by_perspective"][p], minimum) for p in PERSPECTIVES),
                ]
                for o in poll["options"]
            ]
            + [
                [
                    f"*{_('Stemmers')}*",
                    poll["voters"],
                    *(count_text(poll["voters_by_perspective"][p], minimum) for p in PERSPECTIVES),
                ]
            ],
        )
        if poll["totals_withheld"]:
            lines += [totals_withheld_text(minimum), ""]
        if poll["lens"]:
            lines += [f"**{_('Eens (4 of 5)')}**", "", *_lens_lines(lens_view(poll["lens"])), ""]
        else:
            for option in poll_option_views(poll):
                lines += [f"**{md(option['label'])}**", "", *_lens_lines(option), ""]

    participants = document["participants"]
    lines += [f"## {_('Deelnemers per perspectief')}", ""]
    lines += _table(
        [_("Perspectief"), _("Aantal")],
        [[perspective_label(p), participants["by_perspective"][p]] for p in PERSPECTIVES]
        + [[f"**{_('Totaal')}**", participants["total"]]],
    )
    lines += [_("Geteld: bevestigde inschrijvingen voor de sessie."), ""]

    questions = document["questions"]
    lines += [f"## {_('Vragen')}", "", f"### {_('Meest gesteunde vragen')}", ""]
    lines += [_question_line(q) for q in questions["top"]] or [_("Er zijn geen vragen gesteld.")]
    lines += ["", f"### {_('Vragen van Kamerleden')}", ""]
    lines += [_question_line(q) for q in questions["kamerlid"]] or [
        _("Kamerleden hebben geen vragen gesteld.")
    ]
    lines.append("")

    too_few = document["highlights"]["too_few"]
    if too_few:
        title, intro = too_few_section()
        lines += [f"## {title}", "", intro, ""]
        lines += [f"- “{md(s['text'])}”: {statement_summary(s)}" for s in too_few]
        lines.append("")
    return "\n".join(lines)
