"""Dutch labels and number formats shared by the Markdown, HTML and PDF renderers."""

from django.utils.translation import gettext as _

from accounts.models import Perspective
from realtime.models import Question
from reports.models import OutcomeReport

PERSPECTIVE_ORDER = ("politiek", "beleid", "uitvoering", "anders")
LENS_ORDER = ("politiek", "beleid", "uitvoering")


def perspective_label(value: str) -> str:
    return str(dict(Perspective.choices).get(value, value or "—"))


def question_status_label(value: str) -> str:
    return str(dict(Question.Status.choices).get(value, value))


def report_status_label(value: str) -> str:
    return str(dict(OutcomeReport.Status.choices).get(value, value))


def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{round(rate * 100)}%"


def lens_summary(lens: dict) -> str:
    """'consensus 0,42 · verschil 0,70 (politiek 80% – uitvoering 10%)', in Dutch number format."""
    parts = [_("consensus %(value)s") % {"value": f"{lens['consensus']:.2f}".replace(".", ",")}]
    if lens["divergence"] is not None:
        parts.append(_("verschil %(value)s") % {"value": f"{lens['divergence']:.2f}".replace(".", ",")})
    rates = " – ".join(f"{perspective_label(p)} {percent(lens['rates'][p])}" for p in LENS_ORDER)
    return f"{' · '.join(parts)} ({rates})"


def time_range(session: dict) -> str:
    return f"{session['date']} {session['starts_at'][11:16]}–{session['ends_at'][11:16]}"
