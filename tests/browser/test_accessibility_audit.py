"""
The accessibility audit of issue 10, in real Chromium against the seeded demo day:

- axe-core over every page a person can reach by following links, per role;
- reflow at 320 CSS pixels (400 % zoom) without horizontal scrolling;
- keyboard-only registration, session sign-up and asking in a room.
"""

import re
from urllib.parse import urljoin, urlparse

import pytest
from django.core.management import call_command
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from accounts.models import User
from events.models import Registration, Session
from reports.models import OutcomeReport
from tests.browser.conftest import wait_until_live
from tests.browser.test_accessibility import _blocking_violations
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

SKIP_PREFIXES = (
    "/admin/",
    "/account/logout",
    "/taal/",
    "/static/",
    "/.well-known/",
    "/healthz",
    "/mijn-gegevens/download/",
)
DOWNLOADS = (".ics", ".json", ".xml", ".csv", ".zip", ".pdf", ".xlsx", ".ods", ".md")
ROLES = {
    "anonymous": None,
    "deelnemer": "deelnemer@example.org",
    "moderator": "moderator@example.org",
    "organisator": "organisator@example.org",
}


@pytest.fixture
def demo_day():
    """The demo seed, with its published reports (the kennisbank has pages)."""
    call_command("seed_demo", verbosity=0)
    assert OutcomeReport.objects.filter(status=OutcomeReport.Status.PUBLISHED).exists()
    return {role: (User.objects.get(email=email) if email else None) for role, email in ROLES.items()}


def _pattern(path: str) -> str:
    """One page per kind: ids, join codes and tokens do not make a new page."""
    parsed = urlparse(path)
    shape = re.sub(r"/zaal/[A-Z0-9]{4,12}/", "/zaal/CODE/", parsed.path)
    shape = re.sub(r"/projector/[^/]+/", "/projector/TOKEN/", shape)
    shape = re.sub(r"\d+", "N", shape)
    keys = sorted(part.split("=")[0] for part in parsed.query.split("&") if part)
    return shape + ("?" + "&".join(keys) if keys else "")


def _links(page, base: str) -> list[str]:
    hrefs = page.eval_on_selector_all(
        "a[href]:not([download])", "links => links.map(link => link.getAttribute('href'))"
    )
    paths = []
    for href in hrefs:
        url = urlparse(urljoin(base + page_path(page, base), href))
        if url.netloc != urlparse(base).netloc or not url.path.startswith("/"):
            continue
        path = url.path + (f"?{url.query}" if url.query else "")
        if (
            path.startswith(SKIP_PREFIXES)
            or url.path.endswith(DOWNLOADS)
            or "." in url.path.rsplit("/", 1)[-1]
        ):
            continue  # files (verslag.html, schedule.xml, …) are downloads, not pages
        paths.append(path)
    return paths


def page_path(page, base: str) -> str:
    return page.url[len(base) :] or "/"


def _crawl(open_page, live_server_url: str, user, limit: int = 45) -> dict[str, list[str]]:
    page = open_page("/", user)
    queue, seen, results = ["/"], set(), {}
    while queue and len(results) < limit:
        path = queue.pop(0)
        if _pattern(path) in seen:
            continue
        seen.add(_pattern(path))
        response = page.goto(path)
        if response is None or response.status >= 400:
            continue
        if page.query_selector("script[src*='/js/room/main.']"):
            try:
                wait_until_live(page)
            except PlaywrightTimeout:
                results[path] = ["the live client did not connect"]
                continue
        results[path] = _blocking_violations(page)
        queue.extend(_links(page, live_server_url))
    return results


@pytest.mark.parametrize("role", ROLES)
def test_every_reachable_page_has_no_serious_axe_violations(open_page, live_server_url, demo_day, role):
    """Follow every link from the home page (one page per kind) and run axe on each: 0 serious or critical."""
    results = _crawl(open_page, live_server_url, demo_day[role])

    assert len(results) >= 8, sorted(results)
    assert {path: found for path, found in results.items() if found} == {}


MAIN_PAGES = [
    "/",
    "/dvdpd-2026/",
    "/dvdpd-2026/programma/",
    "/dvdpd-2026/programma/lijst/",
    "/dvdpd-2026/aanmelden/",
    "/profiel/",
    "/dvdpd-2026/agenda/",
    "/mijn-aanmeldingen/",
    "/zaal/",
    "/kennisbank/",
]


def test_main_pages_reflow_at_320_pixels(browser, live_server_url, demo_day):
    """At 320 CSS px wide nothing scrolls sideways (tables may scroll inside their own box)."""
    from django.conf import settings
    from django.test import Client

    context = browser.new_context(base_url=live_server_url, viewport={"width": 320, "height": 800})
    client = Client()
    client.force_login(demo_day["deelnemer"])
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server_url,
            }
        ]
    )
    page = context.new_page()
    session = Session.objects.filter(kind="trialoog").order_by("starts_at").first()
    widths = {}
    for path in [*MAIN_PAGES, f"/dvdpd-2026/programma/sessie/{session.pk}/", f"/zaal/{session.code}/"]:
        page.goto(path)
        widths[path] = page.evaluate("document.documentElement.scrollWidth")
    context.close()

    assert {path: width for path, width in widths.items() if width > 320} == {}


def _tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until the element matching selector has focus; fail if it is never reached."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(
            "(selector) => document.activeElement && document.activeElement.matches(selector)", selector
        ):
            return
    raise AssertionError(f"{selector} is not reachable by keyboard")


def test_keyboard_only_registration_signup_and_question(open_page, demo_day):
    """Register for the event, take a seat and ask a question in a room, with the keyboard alone."""
    person = UserFactory(perspective="beleid", name="Toetsenbord Gebruiker")
    session = Session.objects.filter(kind="trialoog").order_by("starts_at").first()

    page = open_page("/dvdpd-2026/aanmelden/", person)
    _tab_to(page, "form[action$='/aanmelden/aanmelden/'] button")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=U bent aangemeld")
    page.goto(f"/dvdpd-2026/programma/sessie/{session.pk}/")
    _tab_to(page, "form[action$='/inschrijven/'] button")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=U bent ingeschreven")
    page.goto(f"/zaal/{session.code}/")
    wait_until_live(page)
    _tab_to(page, "textarea[name='text']")
    page.keyboard.type("Gesteld met alleen het toetsenbord")
    _tab_to(page, "form[action$='/vraag/'] button[type='submit']")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Gesteld met alleen het toetsenbord")

    assert Registration.objects.get(user=person).status == "registered"
    assert person.signups.filter(session=session).exclude(status="cancelled").count() == 1
