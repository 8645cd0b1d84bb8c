"""One way to send email: render a template pair, attach files, send."""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

logger = logging.getLogger(__name__)


def mail_send(
    *,
    to: str,
    template: str,
    context: dict,
    attachments: list[tuple[str, bytes | str, str]] | None = None,
    language: str | None = None,
) -> None:
    """
    Render `emails/<template>_subject.txt` and `emails/<template>.txt` and send them to one address.

    Attachments are (filename, content, mimetype) tuples. Call this from
    `transaction.on_commit`, so no email goes out for a change that rolled back.
    """
    context = {"site_url": settings.SITE_URL, **context}
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
        body = render_to_string(f"emails/{template}.txt", context)
    message = EmailMultiAlternatives(subject=subject, body=body, to=[to])
    for filename, content, mimetype in attachments or []:
        message.attach(filename, content, mimetype)
    message.send()
    logger.info("mail %s sent", template)
