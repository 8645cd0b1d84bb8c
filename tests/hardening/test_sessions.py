"""Sessions as an auditor tries them: idle timeout, log out everywhere, re-authentication and cookie names."""

import datetime as dt
import json
import time

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from accounts.middleware import LAST_SEEN_KEY
from accounts.models import User
from accounts.signals import sessions_revoked
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "demo-trialoog"


def _logged_in(client) -> bool:
    return client.get("/profiel/").status_code == 200


def _last_seen(client, seconds_ago: int) -> None:
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - seconds_ago
    session.save()


def test_a_session_idle_longer_than_the_timeout_is_logged_out(client, settings):
    """Eight hours and a second without a request end the session; the next page asks to log in."""
    client.force_login(UserFactory())
    _last_seen(client, settings.SESSION_IDLE_TIMEOUT + 1)

    response = client.get("/profiel/")

    assert settings.SESSION_IDLE_TIMEOUT == 8 * 60 * 60
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")


def test_activity_moves_the_session_expiry_forward(client, settings):
    """A request after some minutes of quiet stores the session again, to expire a full timeout from now."""
    client.force_login(UserFactory())
    _last_seen(client, 600)

    assert _logged_in(client)

    expires = Session.objects.get(session_key=client.session.session_key).expire_date
    expected = timezone.now() + dt.timedelta(seconds=settings.SESSION_IDLE_TIMEOUT)
    assert abs((expires - expected).total_seconds()) < 60


def test_log_out_everywhere_ends_every_session_of_that_person(client, django_capture_on_commit_callbacks):
    """The button ends this session and the one on the other device; someone else stays logged in."""
    person, other = UserFactory(), UserFactory()
    phone, bystander = Client(), Client()
    client.force_login(person)
    phone.force_login(person)
    bystander.force_login(other)
    revoked = []

    def receiver(sender, user, **kwargs):
        revoked.append((sender, user.pk))

    sessions_revoked.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/mijn-gegevens/overal-uitloggen/")
    finally:
        sessions_revoked.disconnect(receiver)

    assert response.status_code == 302
    assert (_logged_in(client), _logged_in(phone), _logged_in(bystander)) == (False, False, True)
    assert revoked == [(User, person.pk)]


def test_log_out_everywhere_is_a_post(client):
    """A link or an image cannot log someone out everywhere: GET answers 405."""
    client.force_login(UserFactory())

    assert client.get("/mijn-gegevens/overal-uitloggen/").status_code == 405
    assert _logged_in(client)


def test_privacy_page_offers_log_out_everywhere(client):
    """The privacy page has the button, in a POST form."""
    client.force_login(UserFactory())

    page = client.get("/mijn-gegevens/").content.decode()

    assert 'action="/mijn-gegevens/overal-uitloggen/"' in page
    assert "Log overal uit" in page


def test_data_download_first_asks_for_the_password_again(client):
    """Someone at an unlocked laptop cannot download the owner's data without their password."""
    client.force_login(UserFactory())

    first = client.get("/mijn-gegevens/download/")
    wrong = client.post("/account/reauthenticate/?next=/mijn-gegevens/download/", {"password": "raden"})
    right = client.post("/account/reauthenticate/?next=/mijn-gegevens/download/", {"password": PASSWORD})
    download = client.get(right["Location"])

    assert first.status_code == 302
    assert first["Location"] == "/account/reauthenticate/?next=%2Fmijn-gegevens%2Fdownload%2F"
    assert wrong.status_code == 200
    assert right["Location"] == "/mijn-gegevens/download/"
    assert json.loads(download.content)["account"]["email"].endswith("@example.org")


def test_delete_account_first_asks_for_the_password_again(client):
    """The confirmed deletion waits for the password, then goes through without asking twice."""
    person = UserFactory()
    client.force_login(person)

    held = client.post("/mijn-gegevens/verwijderen/", {"confirm": "on"})
    still_there = User.objects.filter(pk=person.pk).exists()
    done = client.post(held["Location"], {"password": PASSWORD})

    assert held["Location"] == "/account/reauthenticate/?next=%2Fmijn-gegevens%2Fverwijderen%2F"
    assert still_there
    assert done.status_code == 302
    assert not User.objects.filter(pk=person.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_production_cookies_carry_the_host_prefix(production_stack):
    """Session and CSRF cookies are `__Host-` cookies: Secure, Path=/, no Domain; logging in works with them."""
    from tests.hardening.conftest import RawHTTP
    from tests.hardening.test_authentication import _pbkdf2_user

    person = _pbkdf2_user()
    browser = RawHTTP(production_stack, forwarded_for="192.0.2.7")

    status, _, _ = browser.request("POST", "/account/login/", {"login": person.email, "password": PASSWORD})
    profile, _, _ = browser.request("GET", "/profiel/")

    cookies = {header.split("=", 1)[0]: header for header in browser.set_cookie_headers}
    assert {"__Host-csrftoken", "__Host-sessionid"} <= set(cookies)
    assert not {"csrftoken", "sessionid"} & set(cookies)
    for name in ("__Host-csrftoken", "__Host-sessionid"):
        attributes = [part.strip().lower() for part in cookies[name].split(";")[1:]]
        assert "secure" in attributes
        assert "path=/" in attributes
        assert not [a for a in attributes if a.startswith("domain")]
    assert (status, profile) == (302, 200)


def test_a_session_ends_twelve_hours_after_login_however_active(client, settings):
    """Re-authentication comes at the latest SESSION_ABSOLUTE_TIMEOUT (12 hours) after the login."""
    from accounts.middleware import LOGGED_IN_AT_KEY

    client.force_login(UserFactory())
    session = client.session
    session[LOGGED_IN_AT_KEY] = int(time.time()) - settings.SESSION_ABSOLUTE_TIMEOUT - 1
    session.save()

    response = client.get("/profiel/")

    assert settings.SESSION_ABSOLUTE_TIMEOUT == 12 * 60 * 60
    assert response.status_code == 302
