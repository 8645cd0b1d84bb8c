from django.core.management.base import BaseCommand
from django.db.models import Exists, OuterRef

from events.models import Session, SessionSignup
from events.services.signup import signup_waitlist_fill


class Command(BaseCommand):
    help = (
        "Geef vrije plaatsen aan de wachtlijst, bijvoorbeeld nadat gereserveerde plaatsen zijn vrijgekomen. "
        "Draai dit elke paar minuten (cron)."
    )

    def handle(self, *args, **options):
        waiting = SessionSignup.objects.filter(session=OuterRef("pk"), status=SessionSignup.Status.WAITLISTED)
        promoted = 0
        for session in Session.objects.filter(Exists(waiting)):
            promoted += len(signup_waitlist_fill(session=session))
        self.stdout.write(f"{promoted} promoted")
