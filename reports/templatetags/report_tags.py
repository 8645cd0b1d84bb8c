from django import template

from realtime.payloads import PERSPECTIVES
from reports.renderers import labels

register = template.Library()


@register.filter
def perspective_label(value: str) -> str:
    return labels.perspective_label(value)


@register.filter
def question_status_label(value: str) -> str:
    return labels.question_status_label(value)


@register.filter
def report_status_label(value: str) -> str:
    return labels.report_status_label(value)


@register.filter
def lens_view(lens: dict, chose: str = "") -> dict:
    """The verdict sentence and one row per perspective; `lens|lens_view:"chose"` words a poll option."""
    return labels.lens_view(lens, chose=bool(chose))


@register.filter
def statement_view(statement: dict) -> dict:
    return labels.statement_view(statement)


@register.filter
def lens_summary(lens: dict) -> str:
    return labels.lens_summary(lens)


@register.filter
def responded(lens: dict) -> bool:
    return labels.responded(lens)


@register.filter
def count_text(count: int | None, minimum: int) -> str:
    """A published count, or "minder dan 3" when it is withheld (None)."""
    return labels.count_text(count, minimum)


@register.filter
def count_texts(counts: dict, minimum: int) -> list:
    """[(perspective, count as text), …] in the fixed order politiek, beleid, uitvoering, anders."""
    return [(p, labels.count_text(counts[p], minimum)) for p in PERSPECTIVES]


@register.filter
def totals_withheld_text(minimum: int) -> str:
    return labels.totals_withheld_text(minimum)


@register.filter
def per_perspective(counts: dict) -> list:
    """[(perspective, count), …] in the fixed order politiek, beleid, uitvoering, anders."""
    return [(p, counts.get(p, 0)) for p in PERSPECTIVES]


@register.filter
def lookup(mapping: dict, key):
    return mapping.get(key, [])


@register.simple_tag
def perspectives():
    return PERSPECTIVES


@register.simple_tag
def highlight_sections(highlights: dict) -> list[dict]:
    """The ranked lead sections, each with its statements: [{"key", "title", "empty", "statements"}]."""
    return [
        {"key": key, "title": title, "empty": empty, "statements": highlights[key]}
        for key, title, empty in labels.highlight_sections()
    ]


@register.simple_tag
def too_few_section() -> dict:
    title, intro = labels.too_few_section()
    return {"title": title, "intro": intro}


@register.filter
def statement_summary(statement: dict) -> str:
    return labels.statement_summary(statement)
