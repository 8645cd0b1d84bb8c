from django.core.management.base import BaseCommand

from events import demo
from realtime.demo import live_seed
from reports.demo import outcomes_seed


class Command(BaseCommand):
    help = (
        "Seed the example day (17 June 2026), its published outcomes, a province's trialoog (February 2027) "
        "and the demo accounts. Safe to run more than once."
    )

    def handle(self, *args, **options):
        event = demo.demo_seed()
        rooms = live_seed(event)
        outcomes_seed(event)
        if options["verbosity"] < 1:
            return
        self.stdout.write(self.style.SUCCESS(f"Voorbeelddag klaar: {event.name} ({event.date:%d-%m-%Y})"))
        self.stdout.write(f"Demo-accounts (wachtwoord: {demo.DEMO_PASSWORD}):")
        for email, *_rest, role in demo.DEMO_ACCOUNTS:
            self.stdout.write(f"  {email:28} {role}")
        self.stdout.write("Live zalen (deelnamecode, open via /zaal/<code>/):")
        for room in rooms:
            self.stdout.write(f"  {room.session.code}  {room.session.title}")
