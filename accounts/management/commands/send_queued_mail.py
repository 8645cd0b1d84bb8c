from django.core.management.base import BaseCommand

from trialoog.mail import outbox_flush


class Command(BaseCommand):
    help = "Send queued emails that are due (retries after an SMTP outage). Run every minute."

    def handle(self, *args, **options):
        sent, waiting = outbox_flush()
        self.stdout.write(f"Verstuurd: {sent}. Nog in de wachtrij: {waiting}.")
