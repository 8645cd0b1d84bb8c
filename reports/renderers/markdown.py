"""The report as Markdown, for pasting into documents and wikis."""

import re

from django.utils.translation import gettext as _

from reports.renderers.labels import (
    PERSPECTIVE_ORDER,
    lens_summary,
    perspective_label,
    question_status_label,
    report_status_label,
    time_range,
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


def _dilemma(dilemma: dict) -> list[str]:
    lines = [f"### {md(dilemma['title'])}", ""]
    for statement in dilemma["statements"]:
        lines += [f"> {md(statement['text'])} ({perspective_label(statement['perspective'])})", ""]
    lines += [f"#### {_('Standpunten per perspectief')}", ""]
    positions = [
        f"- **{perspective_label(p)}** ({md(position['kind_label'])}): {md(position['text'])}"
        for p in PERSPECTIVE_ORDER
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
            f"- {md(item['text'])} ({perspective_label(item['perspective'])})" for item in dilemma[key]
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

    highlights = document["highlights"]
    for key, title in (
        ("divergent", _("Waar de perspectieven het meest verschillen")),
        ("consensual", _("Waar de perspectieven het meest overeenstemmen")),
    ):
        lines += [f"## {title}", ""]
        lines += [f"1. {md(s['text'])} — {lens_summary(s['lens'])}" for s in highlights[key]] or [
            _("Nog te weinig reacties.")
        ]
        lines.append("")

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
        lines += [f"### {md(poll['text'])}", "", _("%(n)s stemmers.") % {"n": poll["voters"]}, ""]
        lines += _table(
            [_("Antwoord"), _("Totaal"), *(perspective_label(p) for p in PERSPECTIVE_ORDER)],
            [
                [md(o["label"]), o["count"], *(o["by_perspective"][p] for p in PERSPECTIVE_ORDER)]
                for o in poll["options"]
            ]
            + [
                [
                    f"*{_('Stemmers')}*",
                    poll["voters"],
                    *(poll["voters_by_perspective"][p] for p in PERSPECTIVE_ORDER),
                ]
            ],
        )
        if poll["lens"]:
            lines += [f"{_('Eens (4 of 5)')}: {lens_summary(poll['lens'])}", ""]

    participants = document["participants"]
    lines += [f"## {_('Deelnemers per perspectief')}", ""]
    lines += _table(
        [_("Perspectief"), _("Aantal")],
        [[perspective_label(p), participants["by_perspective"][p]] for p in PERSPECTIVE_ORDER]
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
    return "\n".join(lines)
