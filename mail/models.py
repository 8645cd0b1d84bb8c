from django.db import models
from django.utils.translation import gettext_lazy as _


class OutgoingEmail(models.Model):
    """
    An email in the outbox. Every email is stored first and sent after commit;
    one that fails stays here and is retried by `manage.py send_queued_mail`.

    Body, HTML body and attachments are stored only sealed with OUTBOX_KEY
    (`sealed`), because they can hold a password-reset link, a login code or
    an invitation link; once the email is sent they are deleted. Sent and
    given-up rows are removed after OUTBOX_RETENTION_DAYS (`outbox_purge`).

    The model moved here from `accounts`; its rows, table and index were
    renamed in place (accounts 0004, mail 0001), not copied.
    """

    to = models.EmailField()
    subject = models.CharField(max_length=300)
    sealed = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("uitgaande e-mail")
        verbose_name_plural = _("uitgaande e-mails")
        indexes = [models.Index(fields=["sent_at", "next_attempt_at"], name="mail_outbox_due_idx")]

    def __str__(self):
        return f"{self.to}: {self.subject}"
