from django.core.management.base import BaseCommand, CommandError

from events.models import Event
from events.services.retention import EventNotOver, personal_data_purge

LABELS = {
    "needs": "wensen (dieet, toegankelijkheid) van deelnemers",
    "unregistered_needs": "wensen van accounts die zich nooit hebben aangemeld",
    "cancelled_signups": "geannuleerde sessie-inschrijvingen",
    "cancelled_registrations": "afgemelde aanmeldingen",
    "kamerlid_invitations": "gebruikte of verlopen Kamerlid-uitnodigingen",
    "outbox": "verstuurde of mislukte e-mails ouder dan de bewaartermijn",
    "room_events": "bewaarde live-berichten van de zalen (om gemiste berichten opnieuw te sturen)",
    "vote_salt": "stemsleutel van het evenement (niemand kan stemmen nog aan personen koppelen)",
    "unlinked_opinions": "stemmen, steunbetuigingen en reacties opnieuw opgeslagen zonder code (tellen mee)",
}
# Rewritten, not removed: they stay out of the total.
KEPT = {"unlinked_opinions"}


class Command(BaseCommand):
    help = "Delete personal data past retention after an event. Idempotent; prints what it removed."

    def add_arguments(self, parser):
        parser.add_argument("--event", required=True, help="The event's slug, e.g. dvdpd-2026")

    def handle(self, *args, event, **options):
        found = Event.objects.filter(slug=event).first()
        if found is None:
            raise CommandError(f"Onbekend evenement: {event}")
        try:
            counts = personal_data_purge(event=found)
        except EventNotOver as error:
            raise CommandError(str(error))
        for key, count in counts.items():
            self.stdout.write(f"{count:5d}  {LABELS[key]}")
        removed = sum(count for key, count in counts.items() if key not in KEPT)
        self.stdout.write(self.style.SUCCESS(f"Klaar: {removed} verwijderd voor {found.name}."))
