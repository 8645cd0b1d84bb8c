"""SMTP is down: registration still succeeds; the email waits in the outbox and is sent on retry, never dropped."""

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings

from events.models import Registration
from mail.models import OutgoingEmail
from mail.services import outbox_flush
from tests.factories import EventFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(db):
    return EventFactory()


@pytest.fixture
def make_user(db):
    return UserFactory


SMTP_DOWN = {
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "EMAIL_HOST": "127.0.0.1",
    "EMAIL_PORT": 9,
    "EMAIL_TIMEOUT": 2,
}


def test_registration_succeeds_while_smtp_is_down_and_the_mail_is_sent_later(
    client, make_user, event, django_capture_on_commit_callbacks
):
    """SMTP down: the registration stands, the email waits in the outbox, and send_queued_mail delivers it."""
    user = make_user()
    client.force_login(user)

    with override_settings(**SMTP_DOWN), django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/{event.slug}/aanmelden/aanmelden/")
    waiting = OutgoingEmail.objects.get()
    OutgoingEmail.objects.filter(pk=waiting.pk).update(next_attempt_at=None)
    call_command("send_queued_mail", verbosity=0)

    waiting.refresh_from_db()
    assert response.status_code == 302
    assert Registration.objects.get(user=user).status == "registered"
    assert waiting.attempts == 2
    assert "ConnectionRefusedError" in waiting.last_error
    assert waiting.sent_at is not None
    assert [m.to for m in mail.outbox] == [[user.email]]


def test_a_failed_email_waits_for_its_backoff(make_user, event, django_capture_on_commit_callbacks):
    """After a failure the email is not retried before its next attempt time."""
    with override_settings(**SMTP_DOWN), django_capture_on_commit_callbacks(execute=True):
        from events.services.registration import registration_create

        registration_create(user=make_user(), event=event)

    sent, waiting = outbox_flush()

    assert (sent, waiting) == (0, 1)
    assert mail.outbox == []


def test_allauth_codes_go_through_the_outbox(client, django_capture_on_commit_callbacks):
    """The verification code email of a sign-up is stored and sent."""
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/account/signup/",
            {
                "email": "nieuw@example.org",
                "password1": "Trialoog-wachtwoord-2026",
                "password2": "Trialoog-wachtwoord-2026",
            },
        )

    row = OutgoingEmail.objects.get(to="nieuw@example.org")
    assert row.sent_at is not None
    assert len(mail.outbox) == 1
