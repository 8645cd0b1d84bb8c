"""
One way to send email: render, store in the outbox, send after commit.

An email is a row in `OutgoingEmail` before anyone tries to send it, so an
SMTP outage delays mail but never drops it: `manage.py send_queued_mail`
(run it from cron or a timer every minute) retries with backoff.

A waiting email can hold a password-reset link, a login or verification
code or an invitation link, so its body, HTML body and attachments are
stored only sealed (`mail.sealing`: Fernet, with the keys in OUTBOX_KEY):
a read of the database gives nothing that works. Once sent, the sealed content is
deleted; the row itself (address, subject, dates) goes after
OUTBOX_RETENTION_DAYS.

django-post-office was weighed and not taken: it stores bodies, HTML,
template context and attachment files in the clear and keeps them after
sending, and it sends either at once, before the caller's transaction has
committed (priority "now"), or only when its queue job runs. Sealing,
deletion on send and sending right after commit would all have to be
added back around it.
"""

import base64
import datetime as dt
import logging

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from mail.models import OutgoingEmail
from mail.sealing import outbox_open, outbox_seal

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 12


def mail_send(
    *,
    to: str,
    template: str,
    context: dict,
    attachments: list[tuple[str, bytes | str, str]] | None = None,
    language: str | None = None,
) -> None:
    """
    Render `emails/<template>_subject.txt` and `emails/<template>.txt` and queue them for one address.

    Attachments are (filename, content, mimetype) tuples. The email is
    stored in the current transaction and sent after commit.
    """
    context = {"site_url": settings.SITE_URL, **context}
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
        body = render_to_string(f"emails/{template}.txt", context)
    message = EmailMultiAlternatives(subject=subject, body=body, to=[to])
    for filename, content, mimetype in attachments or []:
        message.attach(filename, content, mimetype)
    outbox_enqueue(message)


def outbox_enqueue(message: EmailMessage) -> None:
    """Store a ready message (also allauth's) in the outbox, sealed, and try to send it after commit."""
    html = next(
        (content for content, mimetype in getattr(message, "alternatives", []) if mimetype == "text/html"), ""
    )
    stored = []
    for filename, content, mimetype in message.attachments:
        raw = content.encode() if isinstance(content, str) else content
        stored.append({"filename": filename, "content": base64.b64encode(raw).decode(), "mimetype": mimetype})
    sealed = outbox_seal({"body": message.body, "html": html, "attachments": stored})
    rows = [
        OutgoingEmail.objects.create(to=recipient, subject=message.subject, sealed=sealed)
        for recipient in message.to
    ]
    for row in rows:
        transaction.on_commit(lambda pk=row.pk: outbox_send(pk=pk))


def _message(row: OutgoingEmail) -> EmailMultiAlternatives:
    content = outbox_open(row.sealed)
    message = EmailMultiAlternatives(subject=row.subject, body=content["body"], to=[row.to])
    if content["html"]:
        message.attach_alternative(content["html"], "text/html")
    for item in content["attachments"]:
        message.attach(item["filename"], base64.b64decode(item["content"]), item["mimetype"])
    return message


def outbox_send(*, pk: int) -> bool:
    """
    Try to send one queued email; return True when it went out.

    A failure is recorded with the next attempt time (exponential backoff,
    1 minute doubling to 8 hours); the email is never dropped silently.
    Once sent, the sealed body is deleted: only address, subject and dates
    stay, until `outbox_purge`.
    """
    with transaction.atomic():
        row = (
            OutgoingEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=pk, sent_at__isnull=True)
            .first()
        )
        if row is None:
            return False
        try:
            _message(row).send()
        except Exception as exc:  # noqa: BLE001 - any transport error means "retry later"
            row.attempts += 1
            row.last_error = f"{type(exc).__name__}: {exc}"[:500]
            row.next_attempt_at = timezone.now() + dt.timedelta(minutes=min(2 ** (row.attempts - 1), 480))
            row.save(update_fields=["attempts", "last_error", "next_attempt_at"])
            logger.warning("email %s to the outbox for retry: %s", row.pk, row.last_error)
            return False
        row.sent_at = timezone.now()
        row.attempts += 1
        row.sealed = ""
        row.save(update_fields=["sent_at", "attempts", "sealed"])
        return True


def outbox_flush(*, now=None) -> tuple[int, int]:
    """Send every queued email that is due; return (sent, still_waiting)."""
    now = now or timezone.now()
    due = OutgoingEmail.objects.filter(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    sent = sum(outbox_send(pk=pk) for pk in due.values_list("pk", flat=True))
    waiting = OutgoingEmail.objects.filter(sent_at__isnull=True).count()
    return sent, waiting


def outbox_purge(*, now=None) -> int:
    """
    Delete outbox rows sent, or given up on, more than OUTBOX_RETENTION_DAYS ago; return how many.

    A given-up row (MAX_ATTEMPTS failures) counts from when it was queued.
    Emails still being retried stay, however old.
    """
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.OUTBOX_RETENTION_DAYS)
    given_up = Q(sent_at__isnull=True, attempts__gte=MAX_ATTEMPTS, created_at__lt=cutoff)
    deleted, _detail = OutgoingEmail.objects.filter(Q(sent_at__lt=cutoff) | given_up).delete()
    return deleted
