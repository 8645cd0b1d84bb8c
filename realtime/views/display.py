"""
What the live-room templates need to draw polls, notes, phases and actions.

The views hand the templates copies of the protocol's payloads (the same
dicts the WebSocket sends) with labels, percentages and chart geometry
added here, so the page without JavaScript shows what room.js draws.
"""

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import Perspective
from realtime.lens import LENS_PERSPECTIVES
from realtime.models import Action, Note, Poll

PERSPECTIVES = [p.value for p in Perspective]

# Geometry of the projector's bar chart, in px; x positions are percentages of the width.
CHART_OPTION_HEIGHT = 44
CHART_BAR_HEIGHT = 36
CHART_GAP = 16


def display_strings() -> dict[str, str]:
    """Texts for polls, notes and phases that both the templates and room.js use."""
    return {
        "most_apart": _("%(first)s en %(second)s verschillen het meest over “%(subject)s”."),
        "all_same": _("Politiek, beleid en uitvoering denken hier hetzelfde over."),
        "too_few": _("Nog te weinig stemmen om de perspectieven te vergelijken."),
        "consensus": _("Consensus (alle drie eens): %(value)s%%"),
        "divergence": _("Verschil tussen de perspectieven: %(value)s procentpunt"),
        "agree_rates": _("Eens per perspectief:"),
        "of_voters": _("%(count)s van %(total)s"),
        "voters": _("%(count)s stemmen"),
        "bar": _("%(perspective)s: %(count)s (%(percent)s%%)"),
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
        "answer": _("Antwoord"),
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


def _label(perspective: str) -> str:
    return str(Perspective(perspective).label) if perspective in PERSPECTIVES else perspective


def lens_display(lens: dict | None, subject: str) -> dict | None:
    """The consensus/divergence callout for one statement, in words and whole numbers."""
    if lens is None:
        return None
    strings = display_strings()
    divergence = lens.get("divergence")
    if divergence is None:
        callout = strings["too_few"]
    elif lens.get("most_apart"):
        first, second = lens["most_apart"]
        callout = strings["most_apart"] % {
            "first": _label(first),
            "second": _label(second).lower(),
            "subject": subject,
        }
    else:
        callout = strings["all_same"]
    return {
        "callout": callout,
        "consensus": strings["consensus"] % {"value": round(100 * lens["consensus"])},
        "divergence": (
            strings["divergence"] % {"value": round(100 * divergence)} if divergence is not None else ""
        ),
        "rates": [
            {
                "perspective": p,
                "label": _label(p),
                "text": strings["of_voters"] % {"count": lens["agree"][p], "total": lens["total"][p]},
            }
            for p in LENS_PERSPECTIVES
        ],
    }


def _poll_lens(poll: dict, results: dict) -> dict | None:
    """A scale poll has one lens; a choice poll is summed up by its most divergent option."""
    if poll["kind"] == Poll.Kind.SCALE:
        return lens_display(results.get("lens"), poll["text"])
    rated = [o for o in results["options"] if o["lens"]["divergence"] is not None]
    if not rated:
        return lens_display(results["options"][0]["lens"], "") if results["options"] else None
    option = max(rated, key=lambda o: o["lens"]["divergence"])
    return lens_display(option["lens"], option["label"])


def _results_display(poll: dict, results: dict) -> dict:
    voters = results["voters_by_perspective"]
    strings = display_strings()
    options = []
    y = 0
    for option in results["options"]:
        bars = []
        top = y + CHART_OPTION_HEIGHT
        for index, p in enumerate(LENS_PERSPECTIVES):
            count = option["by_perspective"][p]
            percent = _percent(count, voters[p])
            bars.append(
                {
                    "perspective": p,
                    "label": _label(p),
                    "count": count,
                    "percent": percent,
                    "text": strings["bar"] % {"perspective": _label(p), "count": count, "percent": percent},
                    "y": top + index * CHART_BAR_HEIGHT,
                    "text_y": top + index * CHART_BAR_HEIGHT + CHART_BAR_HEIGHT * 0.65,
                }
            )
        options.append(
            {
                **option,
                "cells": [{"perspective": p, "count": option["by_perspective"][p]} for p in PERSPECTIVES],
                "bars": bars,
                "y": y + CHART_OPTION_HEIGHT * 0.7,
            }
        )
        y = top + len(LENS_PERSPECTIVES) * CHART_BAR_HEIGHT + CHART_GAP
    return {
        **results,
        "options": options,
        "voters_text": strings["voters"] % {"count": results["voters"]},
        "voters_cells": [{"perspective": p, "count": voters[p]} for p in PERSPECTIVES],
        "anders_text": strings["anders_votes"] % {"count": voters["anders"]},
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
            "totals": {kind: sum(counts.values()) for kind, counts in n["reactions"].items()},
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
    import datetime as dt

    return [
        {
            **a,
            "perspective_label": _label(a["perspective"]) if a["perspective"] else "",
            "status_label": Action.Status(a["status"]).label,
            "due_label": date_format(dt.date.fromisoformat(a["due_date"])) if a["due_date"] else "",
        }
        for a in actions
    ]
