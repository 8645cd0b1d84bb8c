from django.core.management.base import BaseCommand

from events import demo


class Command(BaseCommand):
    help = "Seed the example day (17 June 2026) and the demo accounts. Safe to run more than once."

    def handle(self, *args, **options):
        event = demo.demo_seed()
        if options["verbosity"] < 1:
            return
        self.stdout.write(self.style.SUCCESS(f"Voorbeelddag klaar: {event.name} ({event.date:%d-%m-%Y})"))
        self.stdout.write(f"Demo-accounts (wachtwoord: {demo.DEMO_PASSWORD}):")
        for email, *_rest, role in demo.DEMO_ACCOUNTS:
            self.stdout.write(f"  {email:28} {role}")
