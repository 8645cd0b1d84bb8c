"""
What the live-room templates need to draw polls, notes, phases and actions.

The views hand the templates copies of the protocol's payloads (the same
dicts the WebSocket sends) with labels, percentages and chart geometry
added here, so the page without JavaScript shows what the live client (static/js/room/render.js) draws.
"""

import datetime as dt

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from realtime.models import Action, Note, Poll
from realtime.payloads import LENS_PERSPECTIVES, PERSPECTIVES
from realtime.wording import count_cell as _cell
from realtime.wording import lens_display, lens_strings, verdict_sentence
from realtime.wording import perspective_label as _label
from realtime.wording import share_text as share_text  # re-exported: part of this module's API

# Geometry of the projector's bar chart, in px; x positions are percentages of the width.
CHART_OPTION_HEIGHT = 44
CHART_BAR_HEIGHT = 36
CHART_GAP = 16


def display_strings() -> dict[str, str]:
    """Texts for polls, notes and phases that both the templates and the live client use (the lens's: realtime.wording)."""
    return {
        **lens_strings(),
        "breakdown_later": _(
            "Nieuwe stemmen tellen mee per %(min)s; de uitslag per perspectief komt als de peiling gesloten is."
        ),
        "voters": _("%(count)s stemmen"),
        "count_percent": _("%(count)s (%(percent)s %%)"),
        "suppressed_note": _(
            "“Minder dan %(min)s”: niet getoond, zodat niemand de stem van minder dan %(min)s mensen kan afleiden."
        ),
        "reactions_withheld": _("Aantallen verschijnen vanaf %(min)s reacties."),
        "anders_votes": _("Anders (apart, niet in de vergelijking): %(count)s stemmen"),
        "voted": _("Je stem is opgeslagen: %(answer)s."),
        "voted_changed": _("Je stem is opgeslagen. Je kunt hem nog veranderen zolang de peiling open is."),
        "poll_closed": _("Deze peiling is gesloten. Stemmen kan niet meer."),
        "results_hidden": _("De uitslag wordt getoond zodra de gespreksleider dat kiest."),
        "no_poll": _("Er is nu geen peiling."),
        "new_note": _("Nieuwe notitie (%(perspective)s): %(text)s"),
        "note_sent": _("Uw notitie is geplaatst."),
        "note_pending": _("Uw notitie is verstuurd. De gespreksleider bekijkt hem eerst."),
        "phase_now": _("Nieuwe fase: %(title)s. %(prompt)s"),
        "poll_opened": _("Er is een peiling geopend: %(text)s"),
        "results_shown": _("De uitslag van de peiling is zichtbaar."),
        "action_saved": _("Actie: %(what)s"),
        "results_caption": _("Uitslag per perspectief"),
        "results_so_far": _("Uitslag tot nu toe"),
        "answer": _("Antwoord"),
        "everyone": _("Iedereen"),
        "scale_agree": _("Eens of helemaal eens"),
        "total": _("Totaal"),
        "voters_label": _("Stemmers"),
        "vote_now": _("Stem mee op uw telefoon."),
        "no_phase": _("nog niet begonnen"),
        "note_approve": _("Goedkeuren"),
        "note_restore": _("Terugzetten"),
        "choose_one": _("Kies een antwoord"),
        "choose_many": _("Kies een of meer antwoorden"),
    }


def _percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def _gap(lens: dict) -> float:
    shares = [lens["perspectives"][p].get("share", 0) for p in LENS_PERSPECTIVES]
    return max(shares) - min(shares)


def _poll_lens(poll: dict, results: dict) -> dict | None:
    """
    A scale poll has one lens. A choice poll is summed up by one option: the one
    the perspectives are most apart on, else one they agree on, else the first.
    """
    if not results.get("breakdown"):
        return None
    if poll["kind"] == Poll.Kind.SCALE:
        return lens_display(results.get("lens"))
    options = results["options"]
    if not options:
        return None
    apart = [o for o in options if o["lens"]["verdict"] == "apart"]
    agreed = [o for o in options if o["lens"]["verdict"] == "agree"]
    if apart:
        option = max(apart, key=lambda o: _gap(o["lens"]))
    elif agreed:
        option = agreed[0]
    else:
        option = options[0]
        if option["lens"]["verdict"] == "too_few":
            return lens_display(option["lens"], chose=True)
    return lens_display(option["lens"], option["label"], chose=True)


def _bar(row: dict) -> dict:
    return {**row, "value": f"{row['percent']} %" if row["shown"] else row["text"]}


def _chart_groups(poll: dict, results: dict) -> list[dict]:
    """
    The projector's bar groups, each `{id, label, bars}`.

    A closed scale poll: one group, the share that agrees (4 or 5) per
    perspective with its interval. A closed choice poll: per option, the
    share of each perspective that chose it, with its interval. An open poll:
    per option one bar over everyone (nothing while totals are withheld).
    """
    strings = display_strings()
    if results["breakdown"] and poll["kind"] == Poll.Kind.SCALE:
        rows = lens_display(results["lens"])["rows"]
        return [{"id": "agree", "label": strings["scale_agree"], "bars": [_bar(r) for r in rows]}]
    if results["breakdown"]:
        return [
            {
                "id": o["id"],
                "label": o["label"],
                "bars": [_bar(r) for r in lens_display(o["lens"], chose=True)["rows"]],
            }
            for o in results["options"]
        ]
    if results["totals_withheld"]:
        return []
    groups = []
    for option in results["options"]:
        percent = _percent(option["count"], results["voters"])
        bar = {
            "perspective": "all",
            "label": strings["everyone"],
            "shown": True,
            "percent": percent,
            "low": percent,
            "high": percent,
            "band": 0,
            "value": strings["count_percent"] % {"count": option["count"], "percent": percent},
        }
        groups.append({"id": option["id"], "label": option["label"], "bars": [bar]})
    return groups


def _results_display(poll: dict, results: dict) -> dict:
    """Results laid out for the page: a table, the verdict in words and the projector's bars."""
    strings = display_strings()
    minimum = results["min_group"]
    voters_p = results["voters_by_perspective"]
    options = [
        {
            **option,
            "count_text": _cell(option["count"], minimum),
            "cells": [
                _cell(option["by_perspective"][p], minimum) for p in PERSPECTIVES if results["breakdown"]
            ],
        }
        for option in results["options"]
    ]
    chart = _chart_groups(poll, results)
    y = 0
    for group in chart:
        group["y"] = y + CHART_OPTION_HEIGHT * 0.7
        top = y + CHART_OPTION_HEIGHT
        for index, bar in enumerate(group["bars"]):
            bar["y"] = top + index * CHART_BAR_HEIGHT
            bar["text_y"] = top + index * CHART_BAR_HEIGHT + CHART_BAR_HEIGHT * 0.65
        y = top + len(group["bars"]) * CHART_BAR_HEIGHT + CHART_GAP
    withheld = results["totals_withheld"]
    return {
        **results,
        "options": options,
        "chart": chart,
        "voters_text": strings["voters"] % {"count": results["voters"]},
        "voters_cells": [_cell(voters_p[p], minimum) for p in PERSPECTIVES] if results["breakdown"] else [],
        "anders_text": (
            strings["anders_votes"] % {"count": voters_p["anders"]}
            if results["breakdown"] and voters_p["anders"]
            else ""
        ),
        "withheld_text": strings["totals_withheld"] % {"min": minimum} if withheld else "",
        "suppressed_text": strings["suppressed_note"] % {"min": minimum} if results["suppressed"] else "",
        "later_text": "" if results["breakdown"] else strings["breakdown_later"] % {"min": minimum},
        "lens": _poll_lens(poll, results),
        "chart_height": y,
        "bar_height": CHART_BAR_HEIGHT - 8,
    }


def poll_display(poll: dict, my_votes: dict[str, list[int]] | None = None) -> dict:
    """A poll with the person's own choices marked and its results (when public) laid out."""
    chosen = set((my_votes or {}).get(str(poll["id"]), []))
    options = [{**o, "checked": o["id"] in chosen} for o in poll["options"]]
    answer = ", ".join(o["label"] for o in options if o["checked"])
    return {
        **poll,
        "options": options,
        "state_label": Poll.State(poll["state"]).label,
        "kind_label": Poll.Kind(poll["kind"]).label,
        "voted_text": display_strings()["voted"] % {"answer": answer} if answer else "",
        "results": _results_display(poll, poll["results"]) if poll["results"] else None,
    }


def current_poll(polls: list[dict]) -> dict | None:
    """The poll the room is about now: the open one, else the last one closed (drafts never)."""
    open_polls = [p for p in polls if p["state"] == Poll.State.OPEN]
    if open_polls:
        return open_polls[0]
    closed = [p for p in polls if p["state"] == Poll.State.CLOSED]
    return closed[-1] if closed else None


def phase_display(room_state: dict) -> dict | None:
    return room_state.get("phase")


def notes_display(notes: list[dict], my_reactions: dict[str, str] | None = None) -> list[dict]:
    """Notes with labels, their reaction totals and the person's own reaction."""
    mine = my_reactions or {}
    return [
        {
            **n,
            "perspective_label": _label(n["perspective"]),
            "kind_label": Note.Kind(n["kind"]).label,
            "mark_label": Note.Mark(n["mark"]).label if n["mark"] else "",
            "status_label": Note.Status(n["status"]).label,
            "totals": {kind: ("" if count is None else count) for kind, count in n["reactions"].items()},
            "counts_withheld": any(count is None for count in n["reactions"].values()),
            "lens_text": verdict_sentence(n["lens"]),
            "mine": mine.get(str(n["id"]), ""),
        }
        for n in notes
    ]


def _board_order(note: dict) -> tuple:
    # Common ground first, then the newest.
    return (note["mark"] != Note.Mark.COMMON_GROUND, _negated(note["created_at"]))


def _negated(text: str) -> tuple:
    return tuple(-ord(c) for c in text)


def notes_by_perspective(notes: list[dict]) -> list[dict]:
    """One column per perspective: politiek, beleid and uitvoering side by side, anders last."""
    return [
        {
            "perspective": p,
            "label": _label(p),
            "notes": sorted((n for n in notes if n["perspective"] == p), key=_board_order),
        }
        for p in PERSPECTIVES
    ]


def actions_display(actions: list[dict]) -> list[dict]:
    return [
        {
            **a,
            "perspective_label": _label(a["perspective"]) if a["perspective"] else "",
            "status_label": Action.Status(a["status"]).label,
            "due_label": date_format(dt.date.fromisoformat(a["due_date"])) if a["due_date"] else "",
        }
        for a in actions
    ]
