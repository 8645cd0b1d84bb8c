import re

import pytest
from django.core import mail

from accounts.models import User
from events.models import Registration

pytestmark = pytest.mark.django_db


def _code_from_mail(message) -> str:
    match = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", message.body, re.MULTILINE)
    assert match, message.body
    return match.group(1)


def test_new_user_goes_from_signup_to_confirmed_registration_and_cancels(
    client, event, django_capture_on_commit_callbacks
):
    """Sign-up → verify by emailed code → profile → register (with email) → cancel."""
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/account/signup/",
            {
                "email": "nieuw@example.org",
                "password1": "Trialoog-wachtwoord-2026",
                "password2": "Trialoog-wachtwoord-2026",
            },
        )
    assert response.status_code == 302
    code = _code_from_mail(mail.outbox[-1])
    response = client.post("/account/confirm-email/", {"code": code})
    assert response.status_code == 302
    user = User.objects.get(email="nieuw@example.org")
    assert user.emailaddress_set.get().verified is True

    response = client.post(
        "/profiel/",
        {"name": "Nina Nieuw", "organisation": "SVB", "function": "Adviseur", "perspective": "uitvoering"},
    )
    assert response.status_code == 302
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/{event.slug}/aanmelden/aanmelden/", follow=True)

    registration = Registration.objects.get(user=user, event=event)
    assert registration.status == "registered"
    assert "U bent aangemeld" in response.content.decode()
    assert [m.to for m in mail.outbox] == [["nieuw@example.org"]]
    assert event.name in mail.outbox[0].subject

    client.post(f"/{event.slug}/aanmelden/afmelden/")

    registration.refresh_from_db()
    assert registration.status == "cancelled"


def test_profile_refuses_needs_without_consent(client, make_user):
    """Diet or access needs are health data: they are only stored with explicit consent."""
    user = make_user()
    client.force_login(user)

    response = client.post(
        "/profiel/",
        {"name": "Anna", "organisation": "DUO", "perspective": "uitvoering", "diet": "glutenvrij"},
    )

    user.refresh_from_db()
    assert response.status_code == 200
    assert "Geef toestemming" in response.content.decode()
    assert user.diet == ""


def test_consents_are_unticked_by_default(client, make_user):
    """The three consents and the needs consent start unticked."""
    client.force_login(make_user())

    content = client.get("/profiel/").content.decode()

    for name in ("consent_photos", "consent_contact", "consent_listed", "consent_needs"):
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', content).group(0)
        assert "checked" not in tag, name


def test_a_kamerlid_cannot_leave_the_politiek_perspective(client, make_user):
    """The perspective field is locked for a Kamerlid."""
    user = make_user(perspective="politiek", is_kamerlid=True)
    client.force_login(user)

    client.post("/profiel/", {"name": "K", "organisation": "TK", "perspective": "beleid"})

    user.refresh_from_db()
    assert user.perspective == "politiek"


def test_login_by_emailed_code_is_offered(client):
    """The login page offers sign-in by a code sent by email."""
    content = client.get("/account/login/").content.decode()

    assert "/account/login/code/" in content


@pytest.mark.django_db(transaction=True)
def test_allauth_emails_name_the_platform(client, make_user):
    """A login-code email greets from Trialoog and names the site's host, not an empty site."""
    make_user(email="code@example.org")

    client.post("/account/login/code/", {"email": "code@example.org"})

    body = mail.outbox[-1].body
    assert body.startswith("Hallo van Trialoog!")
    assert "127.0.0.1:8000" in body
