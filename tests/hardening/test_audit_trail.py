"""
Every access to personal data leaves an audit line, and no log holds a secret.

Before, only role changes and moderator actions were audited: registration
exports, the event ZIP, admin pages of a person, data downloads, logins and
consent changes left no trace, and production logged no requests (with
`--no-access-log`, nothing at all). Django's "Not Found" warnings carried
calendar feed tokens in full.
"""

import json
import logging

import pytest
from django.test import RequestFactory
from django.urls import resolve

from accounts.models import AuditLog
from accounts.services import login_identifier_hash
from tests.factories import EventFactory, RegistrationFactory, UserFactory
from tests.production import production_settings_env
from trialoog.logs import RedactedPathFilter, redacted_path

pytestmark = pytest.mark.django_db

PASSWORD = "demo-trialoog"


@pytest.fixture
def person(db):
    return UserFactory(email="anna@example.org", name="Anna de Vries")


def lines(action: str) -> list[AuditLog]:
    return list(AuditLog.objects.filter(action=action).order_by("pk"))


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "ods"])
def test_registration_export_is_audited(client, organiser, fmt):
    """Each download of the registrations writes who, which event and which format."""
    event = EventFactory()
    RegistrationFactory(event=event)
    client.force_login(organiser)

    response = client.get(f"/{event.slug}/organisator/export/aanmeldingen.{fmt}")

    assert response.status_code == 200
    assert [(line.actor, line.detail) for line in lines("export.registrations")] == [
        (organiser, {"event": event.pk, "format": fmt, "health_data": True})
    ]


def test_event_zip_is_audited(client, organiser):
    """Downloading the event ZIP writes who and which event."""
    event = EventFactory()
    client.force_login(organiser)

    response = client.get(f"/{event.slug}/organisator/export/evenement.zip")
    b"".join(response.streaming_content)

    assert [(line.actor, line.detail) for line in lines("export.event_zip")] == [
        (organiser, {"event": event.pk})
    ]


def test_admin_page_of_a_person_is_audited(client, organiser, person):
    """Opening a user's admin page writes who looked at whom."""
    client.force_login(organiser)

    response = client.get(f"/admin/accounts/user/{person.pk}/change/")

    assert response.status_code == 200
    assert [(line.actor, line.target_user, line.detail) for line in lines("admin.person.viewed")] == [
        (organiser, person, {"model": "accounts.user", "object": person.pk, "method": "GET"})
    ]


def test_admin_page_of_a_registration_is_audited_as_a_view_of_its_person(client, organiser, person):
    """A registration's admin page is about its person."""
    registration = RegistrationFactory(user=person)
    client.force_login(organiser)

    client.get(f"/admin/events/registration/{registration.pk}/change/")

    assert [(line.target_user, line.detail["model"]) for line in lines("admin.person.viewed")] == [
        (person, "events.registration")
    ]


def test_admin_search_for_people_is_audited_with_its_search_text(client, organiser, person):
    """A list of people, and what was searched for, is written down."""
    client.force_login(organiser)

    response = client.get("/admin/accounts/user/", {"q": "anna"})

    assert response.status_code == 200
    assert [(line.actor, line.detail) for line in lines("admin.people.listed")] == [
        (organiser, {"model": "accounts.user", "search": "anna"})
    ]


def test_data_download_is_audited(client, person, reauthenticate):
    """ "Download my data" writes a line about the person."""
    client.force_login(person)
    reauthenticate(client, "demo-trialoog")

    client.get("/mijn-gegevens/download/")

    assert [(line.actor, line.target_user) for line in lines("privacy.data_downloaded")] == [(person, person)]


def test_successful_login_is_audited(client, person):
    """A password login on the site writes a line for the person."""
    response = client.post("/account/login/", {"login": "anna@example.org", "password": PASSWORD})

    assert response.status_code == 302
    assert [(line.actor, line.target_user, line.detail) for line in lines("login.succeeded")] == [
        (person, person, {"where": "site"})
    ]


def test_failed_login_is_audited_without_the_password_or_the_typed_address(client, person):
    """A wrong password writes the keyed hash of the normalised address, linked to the account it names."""
    client.post("/account/login/", {"login": " Anna@Example.org", "password": "geheim-wachtwoord-99"})

    [line] = lines("login.failed")
    assert (line.actor, line.target_user) == (None, person)
    assert line.detail == {"identifier_hash": login_identifier_hash("anna@example.org"), "where": "site"}
    stored = json.dumps([line.detail, line.target])
    assert "geheim-wachtwoord-99" not in stored and "anna" not in stored.lower()


def test_failed_login_for_an_unknown_address_links_to_nobody(client, person):
    """An address without an account is kept only as its keyed hash."""
    client.post("/account/login/", {"login": "niemand@example.org", "password": "geheim-wachtwoord-99"})

    [line] = lines("login.failed")
    assert line.target_user is None
    assert line.detail["identifier_hash"] == login_identifier_hash("niemand@example.org")


def test_consent_change_on_the_profile_is_audited(client, person):
    """Giving and withdrawing consents writes which, by whom."""
    person.consent_contact = True
    person.save()
    client.force_login(person)

    client.post(
        "/profiel/",
        {"name": person.name, "organisation": "UWV", "perspective": "uitvoering", "consent_photos": "on"},
    )

    assert [(line.actor, line.target_user, line.detail) for line in lines("consent.changed")] == [
        (person, person, {"given": ["consent_photos"], "withdrawn": ["consent_contact"]})
    ]


def test_profile_save_without_a_consent_change_writes_no_consent_line(client, person):
    """Only changes are written."""
    client.force_login(person)

    client.post("/profiel/", {"name": "Anna", "organisation": "UWV", "perspective": "uitvoering"})

    assert lines("consent.changed") == []


def test_consent_change_in_the_admin_is_audited_with_the_organiser_as_actor(client, person):
    """A superuser changing a consent in the admin is written down as the one who changed it."""
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    change = client.get(f"/admin/accounts/user/{person.pk}/change/").context["adminform"].form.initial
    data = {k: v for k, v in change.items() if v not in (None, False) and k not in ("password", "groups")}

    response = client.post(
        f"/admin/accounts/user/{person.pk}/change/",
        {**data, "date_joined_0": "2026-06-01", "date_joined_1": "10:00:00", "consent_listed": "on"},
    )

    assert response.status_code == 302
    assert [(line.actor, line.target_user, line.detail) for line in lines("consent.changed")] == [
        (admin, person, {"given": ["consent_listed"], "withdrawn": []})
    ]


# --- the request log ---------------------------------------------------------------


SECRET_PATHS = {
    "calendar feed": "/agenda/Xk3Fq9ZpLw2Rt7Yb1Nc5Vd8Hs4Jm6Ga0/trialoog.ics",
    "projector link": "/projector/pR0j3ct0rT0k3nAbCdEfGhIjKlMnOpQr/",
    "Kamerlid invitation": "/kamerlid/uitnodiging/1nv1t4t10nT0k3nZyXwVuTsRqPoNmLk/",
    "password reset key": "/account/password/reset/key/4-cb2a7d-6f0e1d2c3b4a5968778695a4b3/",
}


@pytest.mark.parametrize("where", SECRET_PATHS)
def test_redacted_path_hides_the_secret_of_every_url_with_a_token(where):
    """The secret segment of each token URL becomes [redacted]; the rest of the path stays readable."""
    path = SECRET_PATHS[where]
    request = RequestFactory().get(path, {"next": "/geheim/"})
    request.resolver_match = resolve(path)

    shown = redacted_path(request)

    secret = [part for part in path.split("/") if len(part) > 16 and part != "trialoog.ics"][0]
    assert shown == path.replace(secret, "[redacted]")


def test_redacted_path_keeps_ordinary_paths():
    """Paths without secrets are logged as they are."""
    for path in ("/programma/sessie/12/", "/zaal/ABC123/stem/", "/kennisbank/3/", "/admin/accounts/user/"):
        request = RequestFactory().get(path)
        request.resolver_match = resolve(path)
        assert redacted_path(request) == path


def test_redacted_path_escapes_line_breaks_so_no_line_can_be_forged():
    """A percent-encoded line break in the path is logged as an escape, not as a new line."""
    request = RequestFactory().get("/programma/%0A2026-06-17 INFO trialoog.requests GET /admin/ 200")

    shown = redacted_path(request)

    assert "\n" not in shown
    assert shown == "/programma/\\n2026-06-17 INFO trialoog.requests GET /admin/ 200"


def test_audit_log_cannot_be_changed_in_the_admin(client):
    """Not even a superuser can add, change or delete an audit line."""
    line = AuditLog.objects.create(action="login.succeeded")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    change = client.post(f"/admin/accounts/auditlog/{line.pk}/change/", {"action": "iets anders"})
    delete = client.post(f"/admin/accounts/auditlog/{line.pk}/delete/", {"post": "yes"})
    add = client.get("/admin/accounts/auditlog/add/")

    assert (change.status_code, delete.status_code, add.status_code) == (403, 403, 403)
    assert AuditLog.objects.get(pk=line.pk).action == "login.succeeded"


REQUEST_LOG = ["trialoog.middleware.RequestLogMiddleware"]


def test_request_log_writes_method_redacted_path_status_and_duration(client, caplog, person, settings):
    """One line per request; the feed token and the query string never reach the log."""
    token = person.calendar_token
    settings.MIDDLEWARE = REQUEST_LOG + settings.MIDDLEWARE
    caplog.set_level(logging.INFO, logger="trialoog.requests")

    response = client.get(f"/agenda/{token}/trialoog.ics", {"code": "geheim123"})

    [record] = [r for r in caplog.records if r.name == "trialoog.requests"]
    method, path, status, duration = record.getMessage().split(" ")
    assert response.status_code == 200
    assert (method, path, status) == ("GET", "/agenda/[redacted]/trialoog.ics", "200")
    assert duration.endswith("ms") and float(duration[:-2]) >= 0
    assert token not in caplog.text and "geheim123" not in caplog.text


async def test_request_log_works_in_the_async_handler(async_client, caplog, settings):
    """Under the async handler (ASGI) the middleware logs the same line."""
    settings.MIDDLEWARE = REQUEST_LOG + settings.MIDDLEWARE
    caplog.set_level(logging.INFO, logger="trialoog.requests")

    await async_client.get("/.well-known/security.txt")

    assert [r.getMessage().split(" ")[:3] for r in caplog.records if r.name == "trialoog.requests"] == [
        ["GET", "/.well-known/security.txt", "200"]
    ]


def test_django_not_found_warning_has_the_token_redacted(client, caplog):
    """The console handler's filter redacts an unknown feed token in Django's 'Not Found' line."""
    [console] = [
        h for h in logging.getLogger().handlers if any(isinstance(f, RedactedPathFilter) for f in h.filters)
    ]
    caplog.set_level(logging.WARNING, logger="django.request")

    client.get("/agenda/Xk3Fq9ZpLw2Rt7Yb1Nc5Vd8Hs4Jm6Ga0/trialoog.ics")

    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert console.filter(record) is True
    assert record.getMessage() == "Not Found: /agenda/[redacted]/trialoog.ics"


def test_production_logs_requests_to_stdout_first_in_the_chain(run_python):
    """Production puts the request log first (it times every other middleware) and writes it to stdout."""
    code = (
        "import django, logging, sys; django.setup(); from django.conf import settings;"
        "print(settings.MIDDLEWARE[0]);"
        "[h] = logging.getLogger('trialoog.requests').handlers; print(h.stream is sys.stdout)"
    )
    result = run_python(code, production_settings_env(ALLOWED_HOSTS="trialoog.example.org"))

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["trialoog.middleware.RequestLogMiddleware", "True"]


def test_no_audit_line_holds_a_password(client, person, organiser):
    """After logins that fail and succeed, no audit line contains a password that was typed."""
    client.post("/account/login/", {"login": "anna@example.org", "password": "verkeerd-wachtwoord-1"})
    client.post("/account/login/", {"login": "anna@example.org", "password": PASSWORD})
    client.force_login(organiser)
    client.get(f"/admin/accounts/user/{person.pk}/change/")

    stored = json.dumps(list(AuditLog.objects.values("action", "target", "detail")))

    assert "verkeerd-wachtwoord-1" not in stored and PASSWORD not in stored
