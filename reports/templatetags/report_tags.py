from django import template

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
def lens_summary(lens: dict) -> str:
    return labels.lens_summary(lens)


@register.filter
def per_perspective(counts: dict) -> list:
    """[(perspective, count), …] in the fixed order politiek, beleid, uitvoering, anders."""
    return [(p, counts.get(p, 0)) for p in labels.PERSPECTIVE_ORDER]


@register.filter
def lookup(mapping: dict, key):
    return mapping.get(key, [])


@register.simple_tag
def perspectives():
    return labels.PERSPECTIVE_ORDER
