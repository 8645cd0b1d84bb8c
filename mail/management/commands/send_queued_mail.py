from django.core.management.base import BaseCommand

from mail.services import outbox_flush, outbox_purge


class Command(BaseCommand):
    help = (
        "Send queued emails that are due (retries after an SMTP outage), and delete sent or failed "
        "emails past OUTBOX_RETENTION_DAYS. Run every minute."
    )

    def handle(self, *args, **options):
        sent, waiting = outbox_flush()
        removed = outbox_purge()
        self.stdout.write(
            f"Verstuurd: {sent}. Nog in de wachtrij: {waiting}. Verwijderd (bewaartermijn): {removed}."
        )
