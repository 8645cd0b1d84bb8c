"""
Authentication as an auditor tries it: the admin login, login limits at a venue, and the second factor.

The suite turns allauth's rate limits off (trialoog/settings/test.py); these
tests turn the production limits back on.
"""

import base64
import hashlib
import hmac
import re
import struct
import time

import pytest
from allauth.mfa.models import Authenticator
from django.core import mail

from accounts.roles import organiser_group_ensure
from tests.factories import UserFactory
from tests.production import production_settings_env
from trialoog.settings import base

pytestmark = pytest.mark.django_db

PASSWORD = "demo-trialoog"
THROTTLED = "Te vaak een verkeerd wachtwoord"


@pytest.fixture
def login_limits(settings):
    """The production login limits, in the suite's database cache (empty for every test)."""
    settings.ACCOUNT_RATE_LIMITS = base.ACCOUNT_RATE_LIMITS


def _login(client, email: str, password: str, ip: str = "192.0.2.10", next_url: str = ""):
    url = "/account/login/" + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"login": email, "password": password}, REMOTE_ADDR=ip)


def _logged_in(client) -> bool:
    return client.get("/profiel/").status_code == 200


def test_admin_login_form_checks_no_password(client):
    """40 passwords posted to /admin/login/ in a row are never checked: each is sent to the throttled login."""
    staff = UserFactory(is_staff=True, is_superuser=True)

    answers = {
        client.post("/admin/login/", {"username": staff.email, "password": "fout"}).status_code
        for _ in range(40)
    }
    right = client.post("/admin/login/?next=/admin/", {"username": staff.email, "password": PASSWORD})

    assert answers == {302}
    assert right.status_code == 302
    assert right["Location"] == "/account/login/?next=%2Fadmin%2F"
    assert client.get("/admin/").status_code == 302


def test_admin_is_reached_through_the_throttled_login_with_a_limit(client, login_limits):
    """On the login that the admin sends to, the sixth try after five wrong passwords is refused, in Dutch."""
    staff = UserFactory(is_staff=True, is_superuser=True)
    for _ in range(5):
        _login(client, staff.email, "fout", next_url="/admin/")

    response = _login(client, staff.email, PASSWORD, next_url="/admin/")

    assert response.status_code == 200
    assert THROTTLED in response.content.decode()
    assert "Stuur een aanmeldcode" in response.content.decode()
    assert client.get("/admin/").status_code == 302


def test_admin_opens_for_staff_after_logging_in_through_allauth(client):
    """Staff log in on allauth's page and land on the admin they asked for."""
    staff = UserFactory(is_staff=True, is_superuser=True)

    response = _login(client, staff.email, PASSWORD, next_url="/admin/")

    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_logged_in_person_without_staff_rights_gets_403_from_admin_login(client):
    """A logged-in attendee is refused at /admin/login/ instead of being sent round in circles."""
    client.force_login(UserFactory())

    assert client.get("/admin/login/?next=/admin/").status_code == 403


def test_a_venue_behind_one_address_does_not_throttle_itself(client, login_limits):
    """60 people behind one NAT address who each mistype once can all still log in."""
    people = [UserFactory() for _ in range(60)]
    for person in people:
        _login(client, person.email, "typefout", ip="198.51.100.1")

    logged_in = 0
    for person in people:
        response = _login(client, person.email, PASSWORD, ip="198.51.100.1")
        logged_in += response.status_code == 302
        client.logout()

    assert logged_in == 60


def test_failing_a_moderators_password_on_purpose_does_not_lock_them_out(client, login_limits):
    """Twenty wrong passwords for a moderator from one address leave the moderator's own login working."""
    moderator = UserFactory()
    for _ in range(20):
        _login(client, moderator.email, "raden", ip="203.0.113.66")

    attacker = _login(client, moderator.email, PASSWORD, ip="203.0.113.66")
    own = _login(client, moderator.email, PASSWORD, ip="192.0.2.44")

    assert THROTTLED in attacker.content.decode()
    assert own.status_code == 302
    assert _logged_in(client)


def test_login_by_code_stays_open_when_the_password_login_is_throttled(
    client, login_limits, django_capture_on_commit_callbacks
):
    """After the password limit is hit, the code sent by email still logs the person in."""
    person = UserFactory()
    for _ in range(6):
        _login(client, person.email, "fout")

    with django_capture_on_commit_callbacks(execute=True):
        requested = client.post("/account/login/code/", {"email": person.email}, REMOTE_ADDR="192.0.2.10")
    code = re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", mail.outbox[-1].body, re.MULTILINE).group(1)
    confirmed = client.post("/account/login/code/confirm/", {"code": code}, REMOTE_ADDR="192.0.2.10")

    assert requested.status_code == 302
    assert confirmed.status_code == 302
    assert _logged_in(client)


def test_guessing_one_account_from_many_addresses_is_still_limited(client, login_limits):
    """Spread over many addresses, 30 wrong passwords an hour for one account is the most it takes."""
    person = UserFactory()
    for n in range(30):
        _login(client, person.email, "raden", ip=f"203.0.113.{n + 1}")

    response = _login(client, person.email, PASSWORD, ip="203.0.113.200")

    assert THROTTLED in response.content.decode()


def _totp(secret: str, at: float | None = None) -> str:
    """RFC 6238 with SHA-1, six digits and 30-second steps, as authenticator apps compute it."""
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(base64.b32decode(secret), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def _activate_totp(client, reauthenticate) -> str:
    reauthenticate(client, PASSWORD)
    page = client.get("/account/2fa/totp/activate/")
    secret = page.context["form"].secret
    response = client.post("/account/2fa/totp/activate/", {"code": _totp(secret)})
    assert response.status_code == 302, response.content
    return secret


def test_totp_set_up_then_login_needs_the_code(client, reauthenticate):
    """After TOTP is set up, a password alone logs in no one; the app's current code finishes the login."""
    organiser = UserFactory(is_staff=True)
    organiser.groups.add(organiser_group_ensure())
    client.force_login(organiser)
    secret = _activate_totp(client, reauthenticate)
    client.logout()

    after_password = _login(client, organiser.email, PASSWORD)
    halfway = _logged_in(client)
    wrong = client.post(
        "/account/2fa/authenticate/", {"code": "000000" if _totp(secret) != "000000" else "111111"}
    )
    right = client.post("/account/2fa/authenticate/", {"code": _totp(secret)})

    assert after_password["Location"] == "/account/2fa/authenticate/"
    assert halfway is False
    assert wrong.status_code == 200
    assert right.status_code == 302
    assert _logged_in(client)
    assert set(Authenticator.objects.filter(user=organiser).values_list("type", flat=True)) == {
        "totp",
        "recovery_codes",
    }


def test_a_recovery_code_replaces_the_app_once(client, reauthenticate):
    """A recovery code finishes the login when the phone is gone; the same code does not work twice."""
    person = UserFactory()
    client.force_login(person)
    _activate_totp(client, reauthenticate)
    codes = Authenticator.objects.get(user=person, type="recovery_codes").wrap().get_unused_codes()
    client.logout()

    _login(client, person.email, PASSWORD)
    first = client.post("/account/2fa/authenticate/", {"code": codes[0]})
    client.logout()
    _login(client, person.email, PASSWORD)
    again = client.post("/account/2fa/authenticate/", {"code": codes[0]})

    assert first.status_code == 302
    assert again.status_code == 200


@pytest.mark.parametrize("page", ["/organisator/kamerleden/", "/admin/"])
def test_organiser_without_second_factor_is_sent_to_set_it_up(client, settings, page):
    """With REQUIRE_MFA_FOR_STAFF, an organiser without TOTP or a security key first gets the set-up page."""
    settings.REQUIRE_MFA_FOR_STAFF = True
    organiser = UserFactory(is_staff=True)
    organiser.groups.add(organiser_group_ensure())
    client.force_login(organiser)

    response = client.get(page)

    assert response.status_code == 302
    assert response["Location"] == "/account/2fa/"
    assert client.get("/account/2fa/").status_code == 200


def test_organiser_group_member_without_staff_flag_is_also_sent_to_set_it_up(client, settings):
    """Membership of the organiser group alone is enough to need a second factor on organiser pages."""
    settings.REQUIRE_MFA_FOR_STAFF = True
    organiser = UserFactory()
    organiser.groups.add(organiser_group_ensure())
    client.force_login(organiser)

    assert client.get("/organisator/kamerleden/")["Location"] == "/account/2fa/"


def test_organiser_without_second_factor_cannot_publish_or_read_draft_reports(client, settings):
    """The reports (drafts with names, approve, publish) are organiser pages too."""
    settings.REQUIRE_MFA_FOR_STAFF = True
    organiser = UserFactory()
    organiser.groups.add(organiser_group_ensure())
    client.force_login(organiser)

    draft = client.get("/verslag/sessie/1/")
    publish = client.post("/verslag/sessie/1/publiceren/")

    assert (draft["Location"], publish["Location"]) == ("/account/2fa/", "/account/2fa/")


def test_organiser_with_totp_uses_organiser_pages_when_mfa_is_required(client, settings, reauthenticate):
    """Once TOTP is on, REQUIRE_MFA_FOR_STAFF lets the organiser through."""
    settings.REQUIRE_MFA_FOR_STAFF = True
    organiser = UserFactory(is_staff=True)
    organiser.groups.add(organiser_group_ensure())
    client.force_login(organiser)
    _activate_totp(client, reauthenticate)

    assert client.get("/organisator/kamerleden/").status_code == 200


def test_attendee_is_never_asked_for_a_second_factor(client, settings):
    """REQUIRE_MFA_FOR_STAFF changes nothing for people without organiser or admin rights."""
    settings.REQUIRE_MFA_FOR_STAFF = True
    client.force_login(UserFactory())

    assert client.get("/profiel/").status_code == 200


def test_production_requires_a_second_factor_for_staff_by_default(run_python):
    """REQUIRE_MFA_FOR_STAFF is on in production unless the environment turns it off; off locally."""
    code = "import django; django.setup(); from django.conf import settings; print(settings.REQUIRE_MFA_FOR_STAFF)"
    production = run_python(code, production_settings_env())
    local = run_python(code, {"DJANGO_SETTINGS_MODULE": "trialoog.settings.local"})

    assert (production.stdout.strip(), local.stdout.strip()) == ("True", "False")


def test_signup_refuses_a_password_under_12_characters_with_a_dutch_hint(client):
    """Sign-up shows the 12-character rule in Dutch and refuses an 11-character password."""
    form = client.get("/account/signup/").content.decode()
    response = client.post(
        "/account/signup/",
        {"email": "nieuw@example.org", "password1": "kort-genoeg", "password2": "kort-genoeg"},
    )

    assert "Kies een wachtwoord van minstens 12 tekens." in form
    assert "Dit wachtwoord is te kort. Gebruik minstens 12 tekens." in response.content.decode()


def _pbkdf2_user():
    """A user whose password the production hashers can check (the suite hashes with MD5)."""
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    user = UserFactory()
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, "zoutzoutzout", iterations=1000)
    user.save(update_fields=["password"])
    return user


@pytest.mark.django_db(transaction=True)
def test_login_limits_behind_the_proxy_count_the_real_client(production_stack):
    """Behind the proxy (FORWARDED_ALLOW_IPS, --proxy-headers), failures from one client do not block another."""
    from tests.hardening.conftest import RawHTTP

    moderator = _pbkdf2_user()
    attacker = RawHTTP(production_stack, forwarded_for="203.0.113.66")
    for _ in range(6):
        attacker.request("POST", "/account/login/", {"login": moderator.email, "password": "raden"})
    venue = RawHTTP(production_stack, forwarded_for="192.0.2.44")

    refused = attacker.request("POST", "/account/login/", {"login": moderator.email, "password": PASSWORD})
    own = venue.request("POST", "/account/login/", {"login": moderator.email, "password": PASSWORD})

    assert refused[0] == 200
    assert THROTTLED in refused[1]
    assert own[0] == 302
    assert "__Host-sessionid" in venue.cookies


def test_turning_on_a_second_factor_is_told_by_email(
    client, reauthenticate, django_capture_on_commit_callbacks
):
    """The person gets an email when a second factor is activated, so a stranger doing it is noticed."""
    person = UserFactory()
    client.force_login(person)

    with django_capture_on_commit_callbacks(execute=True):
        _activate_totp(client, reauthenticate)

    assert [message.to for message in mail.outbox] == [[person.email]]
