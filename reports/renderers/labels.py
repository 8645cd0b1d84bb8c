"""
Dutch labels and the wording of the lens shared by the HTML, Markdown, PDF and table renderers.

The lens is worded by `realtime.wording`, exactly as in the live room: a
verdict sentence, and per perspective "5 van 6 eens (83 %)", "minder dan 3
stemmen" or "geen stemmen". A withheld count (None in the report) is shown
as "minder dan 3", never as a number or 0.
"""

from django.utils.translation import gettext as _

from accounts.models import Perspective
from realtime.models import Question
from realtime.wording import count_cell, lens_display, lens_strings
from reports.models import OutcomeReport


def perspective_label(value: str) -> str:
    return str(dict(Perspective.choices).get(value, value or "—"))


def question_status_label(value: str) -> str:
    return str(dict(Question.Status.choices).get(value, value))


def report_status_label(value: str) -> str:
    return str(dict(OutcomeReport.Status.choices).get(value, value))


def count_text(count: int | None, minimum: int) -> str:
    """A published count as text: the number, or "minder dan 3" when it is withheld."""
    return count_cell(count, minimum)


def totals_withheld_text(minimum: int) -> str:
    """Said under a poll whose totals are withheld: fewer than the minimum voted."""
    return lens_strings()["totals_withheld"] % {"min": minimum}


def lens_view(lens: dict, chose: bool = False) -> dict:
    """
    The verdict sentence and one row per perspective (`realtime.wording.lens_display`): {"sentence", "rows": [{"perspective", "label", "text", …}]}.

    `chose` words the shares of a poll option ("5 van 6 kozen dit (83 %)")
    instead of agreement.
    """
    return lens_display(lens, chose=chose)


def statement_view(statement: dict) -> dict:
    """The lens view of a highlighted statement; the option of a choice poll is worded as a choice."""
    return lens_view(statement["lens"], chose=statement["source"] == "poll_option")


def share_line(view: dict) -> str:
    """'Politiek: minder dan 3 stemmen · Beleid: 3 van 3 eens (100 %) · Uitvoering: geen stemmen'."""
    return " · ".join(f"{row['label']}: {row['text']}" for row in view["rows"])


def lens_summary(lens: dict, chose: bool = False) -> str:
    """The verdict sentence followed by the share of every perspective, on one line."""
    view = lens_view(lens, chose)
    return f"{view['sentence']} {share_line(view)}"


def responded(lens: dict) -> bool:
    """Whether anyone of politiek, beleid or uitvoering responded (a withheld perspective did)."""
    return any(entry.get("suppressed") or entry.get("total") for entry in lens["perspectives"].values())


def poll_option_views(poll: dict) -> list[dict]:
    """A choice poll's options, each with its label and its lens worded as a choice."""
    return [{"label": option["label"], **lens_view(option["lens"], chose=True)} for option in poll["options"]]


def highlight_sections() -> list[tuple[str, str, str]]:
    """The report's lead sections, ranked: (key in `highlights`, heading, text when empty)."""
    return [
        (
            "divergent",
            _("Waar de perspectieven het meest verschillen"),
            _("Er is geen uitspraak waarover de perspectieven duidelijk verschillend denken."),
        ),
        (
            "consensual",
            _("Waar de perspectieven het meest overeenstemmen"),
            _("Er is geen uitspraak waarover politiek, beleid en uitvoering het duidelijk eens zijn."),
        ),
    ]


def too_few_section() -> tuple[str, str]:
    """The heading and introduction of the statements the lens cannot judge, listed apart and never ranked."""
    return (
        _("Te weinig stemmen om te vergelijken"),
        _("Bij deze uitspraken stemden te weinig mensen van één of meer perspectieven om ze te vergelijken."),
    )


def statement_summary(statement: dict) -> str:
    """A highlighted statement's verdict sentence and shares on one line (for the long list apart)."""
    return lens_summary(statement["lens"], chose=statement["source"] == "poll_option")


def time_range(session: dict) -> str:
    return f"{session['date']} {session['starts_at'][11:16]}–{session['ends_at'][11:16]}"
