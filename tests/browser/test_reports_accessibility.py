"""axe-core in a real browser: the organiser dashboard, a report page and the kennisbank have no serious or critical violations."""

import pytest

from reports.services import report_approve, report_publish
from tests.browser.test_accessibility import _blocking_violations
from tests.reports.conftest import organiser, report_session  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def published(report_session, organiser):  # noqa: F811
    report_approve(session=report_session, user=organiser, summary="Samen verder", topics="post, inclusie")
    return report_publish(session=report_session, user=organiser)


@pytest.mark.parametrize(
    "page_name", ["dashboard", "report", "kennisbank", "kennisbank_search", "kennisbank_detail"]
)
def test_report_pages_have_no_serious_axe_violations(open_page, published, organiser, page_name):  # noqa: F811
    """The pages an organiser and the public use after the day pass axe without serious findings."""
    session_pk, report_pk = published.session_id, published.pk
    page = {
        "dashboard": lambda: open_page(f"/{published.session.event.slug}/organisator/dashboard/", organiser),
        "report": lambda: open_page(f"/verslag/sessie/{session_pk}/", organiser),
        "kennisbank": lambda: open_page("/kennisbank/"),
        "kennisbank_search": lambda: open_page("/kennisbank/?q=post&van=2026-06-01"),
        "kennisbank_detail": lambda: open_page(f"/kennisbank/{report_pk}/"),
    }[page_name]()

    violations = _blocking_violations(page)

    assert violations == []
    assert page.js_errors == []
