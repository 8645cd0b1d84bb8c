"""
The second factor in a real browser, on a phone-sized screen, with the keyboard alone.

Chromium's virtual authenticator (DevTools WebAuthn domain) stands in for a
security key. WebAuthn needs a secure context: http://localhost is one.
"""

import pytest
from allauth.mfa.models import Authenticator

from tests.browser.test_accessibility_audit import _tab_to
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "demo-trialoog"


def _password_login(page, email: str) -> None:
    page.goto("/account/login/")
    _tab_to(page, "input[name=login]")
    page.keyboard.type(email)
    _tab_to(page, "input[name=password]")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_security_key_is_added_by_keyboard_and_then_needed_to_log_in(browser, live_server_url):
    """Add a security key at 360 px with Tab and Enter; the next login asks for the key and succeeds with it."""
    organiser = UserFactory(is_staff=True)
    context = browser.new_context(
        base_url=live_server_url.replace("127.0.0.1", "localhost"),
        locale="nl-NL",
        viewport={"width": 360, "height": 740},
    )
    page = context.new_page()
    devtools = context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    devtools.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    _password_login(page, organiser.email)

    page.goto("/account/2fa/webauthn/add/")
    _tab_to(page, "input[name=password]")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    width = page.evaluate("document.documentElement.scrollWidth")
    _tab_to(page, "#mfa_webauthn_add")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    added_at = page.url
    kinds = set(Authenticator.objects.filter(user=organiser).values_list("type", flat=True))
    context.clear_cookies()

    _password_login(page, organiser.email)
    asked = page.url.endswith("/account/2fa/authenticate/")
    _tab_to(page, "#mfa_webauthn_authenticate")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/2fa/" not in url)
    profile = page.goto("/profiel/")
    context.close()

    assert width <= 360
    assert added_at.endswith("/account/2fa/recovery-codes/")
    assert kinds == {"webauthn", "recovery_codes"}
    assert asked
    assert profile.url.endswith("/profiel/")
