"""
The lens in plain words, for every screen and file that shows it.

The live room (`realtime.views.display`, and `static/js/room/draw.js` through
`lens_strings`) and the outcome report (`reports.renderers`) word a lens the
same way: one verdict sentence, and per perspective "5 van 6 eens (83 %)",
"minder dan 3 stemmen" or "geen stemmen". Only the published shape of a lens
(`realtime.lens.Lens.as_dict`) is read here, so a withheld figure cannot be
shown: it is not there. Shares are rounded to whole percents here and
nowhere earlier.
"""

from django.utils.translation import gettext as _

from accounts.models import Perspective
from realtime.payloads import LENS_PERSPECTIVES, PERSPECTIVES


def lens_strings() -> dict[str, str]:
    """The texts of verdicts, shares and withheld figures (also sent to the live client)."""
    return {
        "verdict_agree": _("Politiek, beleid en uitvoering zijn het hierover eens."),
        "verdict_disagree": _("Politiek, beleid en uitvoering zijn het hier alle drie niet mee eens."),
        "verdict_apart": _("%(first)s en %(second)s denken hier verschillend over."),
        "verdict_mixed": _("Geen duidelijk beeld."),
        "verdict_too_few": _("Nog te weinig stemmen van %(perspectives)s."),
        "verdict_none": _("Nog geen stemmen."),
        "verdict_too_few_hidden": _(
            "Nog te weinig stemmen om de perspectieven te vergelijken zonder een kleine groep herkenbaar te maken."
        ),
        "about_option": _("“%(subject)s”: %(sentence)s"),
        "and": _("en"),
        "share_agree": _("%(agree)s van %(total)s eens (%(percent)s %%)"),
        "share_chose": _("%(agree)s van %(total)s kozen dit (%(percent)s %%)"),
        "share_suppressed": _("minder dan %(min)s stemmen"),
        "share_none": _("geen stemmen"),
        "suppressed_cell": _("minder dan %(min)s"),
        "totals_withheld": _("Nog te weinig stemmen om een uitslag te tonen (minder dan %(min)s)."),
    }


def perspective_label(perspective: str) -> str:
    return str(Perspective(perspective).label) if perspective in PERSPECTIVES else perspective


def joined(labels: list[str]) -> str:
    """Labels joined in Dutch: "a", "a en b", "a, b en c"."""
    if len(labels) < 2:
        return "".join(labels)
    return f"{', '.join(labels[:-1])} {lens_strings()['and']} {labels[-1]}"


def verdict_sentence(lens: dict) -> str:
    """The lens's verdict in plain words (the same sentences as the live client and the report)."""
    strings = lens_strings()
    verdict = lens["verdict"]
    if verdict == "too_few" and all(lens["perspectives"][p].get("total") == 0 for p in LENS_PERSPECTIVES):
        return strings["verdict_none"]
    if verdict == "too_few":
        few = [
            perspective_label(p).lower()
            for p in LENS_PERSPECTIVES
            if lens["perspectives"][p].get("suppressed") or not lens["perspectives"][p].get("total")
        ]
        if not few:
            return strings["verdict_too_few_hidden"]
        return strings["verdict_too_few"] % {"perspectives": joined(few)}
    if verdict == "apart":
        first, second = lens["apart"]
        return strings["verdict_apart"] % {
            "first": perspective_label(first),
            "second": perspective_label(second).lower(),
        }
    return strings[f"verdict_{verdict}"]


def share_text(entry: dict, minimum: int, chose: bool = False) -> str:
    """One perspective of a lens: "5 van 6 eens (83 %)", "minder dan 3 stemmen" or "geen stemmen"."""
    strings = lens_strings()
    if entry.get("suppressed"):
        return strings["share_suppressed"] % {"min": minimum}
    if not entry.get("total"):
        return strings["share_none"]
    template = strings["share_chose" if chose else "share_agree"]
    return template % {
        "agree": entry["agree"],
        "total": entry["total"],
        "percent": round(100 * entry["share"]),
    }


def lens_display(lens: dict | None, subject: str = "", chose: bool = False) -> dict | None:
    """The verdict sentence and one line per perspective, with whole percents for the bars and bands."""
    if lens is None:
        return None
    sentence = verdict_sentence(lens)
    if subject:
        sentence = lens_strings()["about_option"] % {"subject": subject, "sentence": sentence}
    rows = []
    for p in LENS_PERSPECTIVES:
        entry = lens["perspectives"][p]
        shown = "share" in entry
        rows.append(
            {
                "perspective": p,
                "label": perspective_label(p),
                "text": share_text(entry, lens["min_group"], chose),
                "shown": shown,
                "percent": round(100 * entry["share"]) if shown else 0,
                "low": round(100 * entry["low"]) if shown else 0,
                "high": round(100 * entry["high"]) if shown else 0,
                "band": round(100 * entry["high"]) - round(100 * entry["low"]) if shown else 0,
            }
        )
    return {"verdict": lens["verdict"], "sentence": sentence, "rows": rows}


def count_cell(count: int | None, minimum: int) -> str:
    """A count in a table: the number, or "minder dan 3" when it is withheld (None)."""
    return lens_strings()["suppressed_cell"] % {"min": minimum} if count is None else str(count)
