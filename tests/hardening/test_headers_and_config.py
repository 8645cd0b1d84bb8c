"""Headers and configuration: the WebSocket Origin check, what production requires, one owner per header."""

import pytest
from channels.testing import WebsocketCommunicator
from django.http import HttpResponse
from django.test import RequestFactory

from realtime.origins import origin_allowed
from tests.production import production_settings_env
from trialoog.asgi import application
from trialoog.security import SecurityHeadersMiddleware

PRODUCTION = production_settings_env(SECURITY_CONTACT="mailto:security@trialoog.example.org")
SHOW = "import django; django.setup(); from django.conf import settings as s; print(s.SITE_URL, s.SECURITY_CONTACT)"


async def _handshake(origin: bytes, host: bytes) -> bool:
    communicator = WebsocketCommunicator(
        application, "/ws/ping/", headers=[(b"origin", origin), (b"host", host)]
    )
    connected, _ = await communicator.connect()
    if connected:
        await communicator.disconnect()
    return connected


@pytest.mark.django_db(transaction=True)
async def test_a_websocket_from_another_port_of_an_allowed_host_is_refused():
    """`http://127.0.0.1:1` is another site than `http://127.0.0.1:8000`: its socket is refused, while
    the site's own origin still connects (before, any origin whose host was in ALLOWED_HOSTS passed)."""
    foreign = await _handshake(b"http://127.0.0.1:1", b"127.0.0.1:8000")
    own = await _handshake(b"http://127.0.0.1:8000", b"127.0.0.1:8000")

    assert (foreign, own) == (False, True)


@pytest.mark.parametrize(
    ("origin", "host", "secure", "allowed"),
    [
        ("http://127.0.0.1:8000", "127.0.0.1:8000", False, True),
        ("http://127.0.0.1:1", "127.0.0.1:8000", False, False),
        ("http://127.0.0.1:8000", "127.0.0.1:8000", True, False),  # scheme differs from the socket's
        ("https://127.0.0.1:8000", "127.0.0.1:8000", True, True),
        ("http://localhost", "localhost", False, True),
        ("http://evil.example", "evil.example", False, False),  # Host not in ALLOWED_HOSTS
        (None, "127.0.0.1:8000", False, False),
        ("null", "127.0.0.1:8000", False, False),
    ],
)
def test_the_origin_must_match_scheme_host_and_port(origin, host, secure, allowed):
    """An origin is the site's own only when scheme, host and port all match the handshake."""
    assert origin_allowed(origin=origin, host=host, secure=secure) is allowed


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        ("https://trialoog.example.org", True),
        ("http://trialoog.example.org", False),
        ("https://trialoog.example.org:8443", False),
        ("https://zaal.events.example.org", True),
        ("http://zaal.events.example.org", False),
        ("https://events.example.org.evil.example", False),
    ],
)
def test_trusted_origins_are_read_as_django_reads_csrf_trusted_origins(settings, origin, allowed):
    """Behind a proxy (Host is the internal name) only CSRF_TRUSTED_ORIGINS entries pass, exactly:
    scheme, host and port, with `*.` meaning any subdomain."""
    settings.CSRF_TRUSTED_ORIGINS = ["https://trialoog.example.org", "https://*.events.example.org"]

    assert origin_allowed(origin=origin, host="web:8000", secure=False) is allowed


@pytest.mark.parametrize("missing", ["SITE_URL", "SECURITY_CONTACT"])
def test_production_refuses_to_start_without_site_url_or_security_contact(run_python, missing):
    """Without SITE_URL or SECURITY_CONTACT production stops with a message naming the variable, instead
    of sending links to 127.0.0.1 and publishing security@example.org in security.txt."""
    env = {key: value for key, value in PRODUCTION.items() if key != missing}

    result = run_python(SHOW, env)

    assert result.returncode != 0
    assert "django.core.exceptions.ImproperlyConfigured" in result.stderr
    assert f"{missing} must be set in production" in result.stderr


@pytest.mark.parametrize(
    ("name", "value"), [("SITE_URL", "trialoog.example.org"), ("SECURITY_CONTACT", "security@example.org")]
)
def test_production_refuses_values_that_are_not_urls(run_python, name, value):
    """A host name without a scheme, or an address without mailto:, is refused too."""
    result = run_python(SHOW, {**PRODUCTION, name: value})

    assert f"{name} must be set in production" in result.stderr


def test_production_starts_with_both_set(run_python):
    """With both set, production settings load and use them as given."""
    result = run_python(SHOW, PRODUCTION)

    assert result.stdout.split() == ["https://trialoog.example.org", "mailto:security@trialoog.example.org"]


@pytest.mark.django_db
def test_permissions_policy_no_longer_names_the_retired_interest_cohort(client):
    """`interest-cohort` (FLoC) is retired; browsers warn about it, so the policy leaves it out."""
    response = client.get("/.well-known/security.txt")

    assert response["Permissions-Policy"] == "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


def test_the_own_middleware_sets_only_what_django_does_not():
    """SecurityHeadersMiddleware adds CSP and Permissions-Policy only; nosniff, Referrer-Policy, COOP and
    X-Frame-Options are Django's (SecurityMiddleware, XFrameOptionsMiddleware), set once, by one setting."""
    middleware = SecurityHeadersMiddleware(lambda request: HttpResponse())

    response = middleware(RequestFactory().get("/"))

    assert sorted(response.headers) == ["Content-Security-Policy", "Content-Type", "Permissions-Policy"]


@pytest.mark.django_db
def test_django_owns_coop_so_its_setting_turns_it_off(client, settings):
    """With SECURE_CROSS_ORIGIN_OPENER_POLICY = None there is no COOP header: no second source adds it."""
    settings.SECURE_CROSS_ORIGIN_OPENER_POLICY = None

    response = client.get("/.well-known/security.txt")

    assert response.has_header("Cross-Origin-Opener-Policy") is False
    assert (response["X-Content-Type-Options"], response["Referrer-Policy"], response["X-Frame-Options"]) == (
        "nosniff",
        "same-origin",
        "DENY",
    )
