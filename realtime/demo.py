"""
Live rooms for the example day: open rooms, phases and a prepared dilemma poll per trialoog.

Idempotent, like the rest of the demo seed.
"""

from django.db import transaction

from accounts.models import User
from events.models import Event, Registration, SessionKind
from realtime.models import LiveRoom, Poll, PollOption
from realtime.models.polls import SCALE_LABELS
from realtime.services.notes import phases_ensure
from realtime.services.rooms import live_room_ensure

DEMO_REGISTERED = ["moderator@example.org", "kamerlid@example.org", "deelnemer@example.org"]

# A dilemma statement per trialoog topic (matched on a word in the title).
DILEMMAS = {
    "Vereenvoudigingswet": "Eén verzamelwet die regels in veel wetten tegelijk aanpast, is de snelste weg naar eenvoud.",
    "Gegevensdeling": "Uitvoerders moeten gegevens mogen delen zonder eerst een nieuwe wet af te wachten.",
    "uitvoeringstoets": "Een wetsvoorstel zonder positieve uitvoeringstoets hoort niet naar de Kamer te gaan.",
    "Sneltoets": "Elke motie of elk amendement met gevolgen voor de uitvoering krijgt eerst een sneltoets.",
    "Beleid zoekt Uitvoerder": "Beleidsmakers moeten een deel van hun tijd in de uitvoering werken.",
    "arbeidsmarkt": "Bij schaarste aan personeel gaat eenvoud van regels vóór maatwerk.",
}


def _dilemma_for(title: str) -> str:
    for word, statement in DILEMMAS.items():
        if word.lower() in title.lower():
            return statement
    return "Wat hier besproken wordt, is in de uitvoering goed uit te voeren."


@transaction.atomic
def live_seed(event: Event) -> list[LiveRoom]:
    """Open a live room per session, give it its phases, and prepare a dilemma poll for each trialoog."""
    for user in User.objects.filter(email__in=DEMO_REGISTERED):
        Registration.objects.get_or_create(user=user, event=event)
    moderator = User.objects.filter(email="moderator@example.org").first()
    rooms = []
    for session in event.sessions.all():
        room = live_room_ensure(session=session)
        if not room.is_open and not room.phases.exists():
            LiveRoom.objects.filter(pk=room.pk).update(is_open=True)
        phases_ensure(room=room)
        if moderator and session.kind == SessionKind.WHOLE_SYSTEM:
            session.moderators.add(moderator)
        if session.kind == SessionKind.TRIALOOG and not room.polls.exists():
            poll = Poll.objects.create(room=room, text=_dilemma_for(session.title), kind=Poll.Kind.SCALE)
            PollOption.objects.bulk_create(
                PollOption(poll=poll, label=str(label), value=value, position=i)
                for i, (value, label) in enumerate(SCALE_LABELS)
            )
        rooms.append(room)
    return rooms
