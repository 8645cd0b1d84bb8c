"""
Real-browser fixtures: daphne serving the test database, and Debian's Chromium driven by Playwright.

daphne runs as a subprocess with the test settings against the same
PostgreSQL database and Redis as the suite, so tests that use it must be
`django_db(transaction=True)`: the server only sees committed rows. People
log in by a session cookie made in the test process, which is fast.

Nothing here skips: without Chromium or daphne the tests fail.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import sync_playwright

from scripts.services import free_port
from tests.production import _wait_until_healthy, suite_database_url

ROOT = Path(__file__).resolve().parent.parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-gpu",
    "--disable-dev-shm-usage",
]
TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def live_server_url(django_db_setup, django_db_blocker, tmp_path_factory):
    """Collect the static files, start daphne on a free port against the test database; yield its URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    tmp = tmp_path_factory.mktemp("daphne")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_"))},
        "DJANGO_SETTINGS_MODULE": "trialoog.settings.test",
        "DATABASE_URL": suite_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        # Session cookies and voter hashes made in this process must hold in the server too.
        "SECRET_KEY": settings.SECRET_KEY,
        "SITE_URL": base,
        "STATIC_ROOT": str(tmp / "static"),
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    log_path = tmp / "daphne.log"
    log = open(log_path, "w")  # noqa: SIM115 - closed below
    daphne = Path(sys.executable).parent / "daphne"
    proc = subprocess.Popen(
        [str(daphne), "-b", "127.0.0.1", "-p", str(port), "trialoog.asgi:application"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_until_healthy(f"{base}/healthz", proc)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        if os.environ.get("SHOW_DAPHNE_LOG"):
            print(log_path.read_text())


@pytest.fixture
def browser(monkeypatch):
    """
    Debian's Chromium, headless. A missing Chromium is a failure, not a skip.

    Playwright's sync API keeps an event loop marked as running in this
    thread while it is started, which trips Django's async-safety guard on
    every ORM call. The ORM calls here are plain blocking calls between
    browser steps, never concurrent with the loop, so the guard is lifted
    for exactly as long as Playwright runs: per test, stopped before the
    database is flushed.
    """
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: run `make services` to install Chromium"
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser, live_server_url):
    """
    Open a page in a fresh browser context, logged in as `user` (or anonymous with None).

    Every context is closed after the test. Timeouts are short: a live room
    that needs more than a few seconds is a failure.
    """
    contexts = []

    def open_(path: str, user=None):
        context = browser.new_context(base_url=live_server_url, locale="nl-NL")
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        if user is not None:
            client = Client()
            client.force_login(user)
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
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.js_errors = errors
        page.goto(path)
        return page

    yield open_
    for context in contexts:
        context.close()


def wait_until_live(page) -> None:
    """Wait until the live client (static/js/room/) has its socket open and the first snapshot drawn."""
    page.wait_for_selector("[data-room][data-connection='open']", state="attached")
