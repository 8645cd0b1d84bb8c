"""The report as a standalone HTML file (for the ZIP), sharing its body with the web page."""

from django.template.loader import render_to_string


def report_html(document: dict) -> str:
    """A complete HTML document that links `report.css` next to it, as in the event ZIP."""
    return render_to_string("reports/report_document.html", {"report": document})
