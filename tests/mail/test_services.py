import datetime as dt
import io

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from mail.models import OutgoingEmail
from mail.sealing import outbox_seal
from mail.services import MAX_ATTEMPTS, mail_send, outbox_enqueue, outbox_flush, outbox_send

pytestmark = pytest.mark.django_db

# Nothing listens on the discard port: every connection is refused at once.
SMTP_DOWN = {
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "EMAIL_HOST": "127.0.0.1",
    "EMAIL_PORT": 9,
    "EMAIL_TIMEOUT": 2,
}


def sealed_body(body: str) -> str:
    """An email's content as `outbox_enqueue` seals it: a plain-text body, no HTML, no attachments."""
    return outbox_seal({"body": body, "html": "", "attachments": []})


class Rollback(Exception):
    pass


def test_mail_send_in_a_transaction_that_rolls_back_leaves_nothing(django_capture_on_commit_callbacks):
    """The email belongs to the transaction that asked for it: rolled back, it is neither stored nor sent."""
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(Rollback):
        with transaction.atomic():
            mail_send(
                to="anna@example.org",
                template="kamerlid_invitation",
                context={"token": "t", "expires_at": None},
            )
            raise Rollback

    assert OutgoingEmail.objects.count() == 0
    assert callbacks == []
    assert mail.outbox == []


def test_mail_send_waits_for_the_commit(django_capture_on_commit_callbacks):
    """Before the commit the email is a row in the outbox; after it, it has gone out and its body is gone."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        mail_send(
            to="anna@example.org", template="kamerlid_invitation", context={"token": "t", "expires_at": None}
        )
    waiting = OutgoingEmail.objects.get()
    sent_before_commit = len(mail.outbox)

    for callback in callbacks:
        callback()

    waiting.refresh_from_db()
    assert sent_before_commit == 0
    assert [m.to for m in mail.outbox] == [["anna@example.org"]]
    assert (waiting.attempts, waiting.sealed) == (1, "")
    assert waiting.sent_at is not None


def test_outbox_enqueue_sends_each_recipient_their_own_email_with_html_and_attachments(
    django_capture_on_commit_callbacks,
):
    """A message for two addresses becomes two rows and two emails, each with the HTML part and the attachment."""
    message = EmailMultiAlternatives(
        subject="Programma", body="Zie bijlage.", to=["a@example.org", "b@example.org"]
    )
    message.attach_alternative("<p>Zie bijlage.</p>", "text/html")
    message.attach("programma.pdf", b"%PDF-1.7\x00\xff", "application/pdf")

    with django_capture_on_commit_callbacks(execute=True):
        outbox_enqueue(message)

    assert sorted(OutgoingEmail.objects.values_list("to", flat=True)) == ["a@example.org", "b@example.org"]
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.org", "b@example.org"]
    for sent in mail.outbox:
        assert (sent.subject, sent.body) == ("Programma", "Zie bijlage.")
        assert sent.alternatives == [("<p>Zie bijlage.</p>", "text/html")]
        assert [(a.filename, a.content, a.mimetype) for a in sent.attachments] == [
            ("programma.pdf", b"%PDF-1.7\x00\xff", "application/pdf")
        ]


@override_settings(**SMTP_DOWN)
def test_outbox_send_backs_off_from_one_minute_doubling_to_eight_hours():
    """Each failure pushes the next attempt further away: 1, 2, 4, … minutes, never more than 8 hours."""
    row = OutgoingEmail.objects.create(to="anna@example.org", subject="s", sealed=sealed_body("b"))
    waits = []

    for _ in range(11):
        before = timezone.now()
        outbox_send(pk=row.pk)
        row.refresh_from_db()
        waits.append(round((row.next_attempt_at - before) / dt.timedelta(minutes=1)))

    assert waits == [1, 2, 4, 8, 16, 32, 64, 128, 256, 480, 480]
    assert row.attempts == 11
    assert row.last_error.startswith("ConnectionRefusedError")
    assert row.sent_at is None


def test_outbox_flush_gives_up_after_the_last_attempt():
    """A due email that failed MAX_ATTEMPTS times is not tried again; it still counts as waiting."""
    sealed = sealed_body("b")
    OutgoingEmail.objects.create(to="given-up@example.org", subject="s", sealed=sealed, attempts=MAX_ATTEMPTS)
    OutgoingEmail.objects.create(
        to="last-try@example.org", subject="s", sealed=sealed, attempts=MAX_ATTEMPTS - 1
    )

    sent, waiting = outbox_flush()

    assert (sent, waiting) == (1, 1)
    assert [m.to for m in mail.outbox] == [["last-try@example.org"]]


def test_send_queued_mail_says_what_it_did():
    """The cron job reports sent, still waiting and deleted emails in one line."""
    sealed = sealed_body("b")
    OutgoingEmail.objects.create(to="anna@example.org", subject="s", sealed=sealed)
    OutgoingEmail.objects.create(
        to="later@example.org",
        subject="s",
        sealed=sealed,
        attempts=1,
        next_attempt_at=timezone.now() + dt.timedelta(hours=1),
    )
    out = io.StringIO()

    call_command("send_queued_mail", stdout=out)

    assert out.getvalue() == "Verstuurd: 1. Nog in de wachtrij: 1. Verwijderd (bewaartermijn): 0.\n"
