import secrets

import pytest

pytestmark = pytest.mark.django_db


def test_pages_carry_a_strict_content_security_policy(client):
    """No inline scripts or styles are allowed on the site's own pages."""
    response = client.get("/")

    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_security_txt_names_a_contact_and_an_expiry(client):
    """/.well-known/security.txt follows RFC 9116."""
    response = client.get("/.well-known/security.txt")

    lines = response.content.decode().splitlines()
    assert response.status_code == 200
    assert lines[0] == "Contact: mailto:security@example.org"
    assert lines[1].startswith("Expires: ")


PRODUCTION_SITE = {
    "DJANGO_SETTINGS_MODULE": "trialoog.settings.production",
    "SITE_URL": "https://trialoog.example.org",
    "SECURITY_CONTACT": "mailto:security@trialoog.example.org",
}


def test_check_deploy_is_clean_with_production_settings(run_python):
    """`manage.py check --deploy` reports no issue with the production settings."""
    result = run_python(
        "import sys; from django.core.management import execute_from_command_line;"
        "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])",
        {**PRODUCTION_SITE, "SECRET_KEY": secrets.token_urlsafe(64)},
    )

    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout


def test_production_cookies_are_secure_and_hsts_is_on(run_python):
    """Session, CSRF and language cookies are Secure in production; HSTS lasts a year."""
    result = run_python(
        "import django; django.setup(); from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.LANGUAGE_COOKIE_SECURE, s.SECURE_HSTS_SECONDS)",
        {**PRODUCTION_SITE, "SECRET_KEY": secrets.token_urlsafe(64)},
    )

    assert result.stdout.split() == ["True", "True", "True", "31536000"]


def test_site_speaks_dutch_even_to_an_english_browser(client):
    """Accept-Language does not switch the language; only the language switch does."""
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert '<html lang="nl">' in response.content.decode()
    assert response["Content-Language"] == "nl"
