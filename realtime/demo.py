"""
Live rooms for the example day: open rooms, phases and a prepared dilemma poll per trialoog.

Idempotent, like the rest of the demo seed.
"""

from django.db import transaction

from accounts.models import User
from events.models import Event, Registration, SessionKind
from realtime.hashing import voter_hash
from realtime.models import LiveRoom, Poll, PollChoice, PollOption, PollVote
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


# The example poll's answers (1 = helemaal oneens … 5 = helemaal eens) per perspective: politiek and
# beleid agree, uitvoering does not, so the lens reads "Politiek en uitvoering denken hier verschillend over".
EXAMPLE_STATEMENT = "Voorbeeld: een nieuwe regel gaat pas in als de uitvoering zegt dat het kan."
EXAMPLE_ANSWERS = {"politiek": [5, 5, 4, 4], "beleid": [5, 4, 4, 5, 4], "uitvoering": [2, 1, 2, 4]}


def _scale_poll(room: LiveRoom, text: str, **fields) -> Poll:
    poll = Poll.objects.create(room=room, text=text, kind=Poll.Kind.SCALE, **fields)
    PollOption.objects.bulk_create(
        PollOption(poll=poll, label=str(label), value=value, position=i)
        for i, (value, label) in enumerate(SCALE_LABELS)
    )
    return poll


def _example_poll(room: LiveRoom, event: Event) -> None:
    """A closed, revealed poll with the answers of 13 made-up demo participants, to show the lens."""
    poll = _scale_poll(room, EXAMPLE_STATEMENT, state=Poll.State.CLOSED, revealed=True, position=1)
    options = dict(poll.options.values_list("value", "pk"))
    person = 0
    for perspective, answers in EXAMPLE_ANSWERS.items():
        for answer in answers:
            person -= 1  # negative ids: no real account has them
            key = voter_hash("poll", person, poll.pk, salt=event.vote_salt)
            vote = PollVote.objects.create(poll=poll, voter_hash=key, perspective=perspective)
            PollChoice.objects.create(vote=vote, option_id=options[answer])


def _dilemma_for(title: str) -> str:
    for word, statement in DILEMMAS.items():
        if word.lower() in title.lower():
            return statement
    return "Wat hier besproken wordt, is in de uitvoering goed uit te voeren."


@transaction.atomic
def live_seed(event: Event) -> list[LiveRoom]:
    """
    Open a live room per session, give it its phases, and prepare a dilemma poll for each trialoog.

    The first trialoog also gets a closed example poll with made-up answers, so the demo shows the lens.
    """
    for user in User.objects.filter(email__in=DEMO_REGISTERED):
        Registration.objects.get_or_create(user=user, event=event)
    moderator = User.objects.filter(email="moderator@example.org").first()
    rooms = []
    example_shown = False
    for session in event.sessions.order_by("starts_at", "pk"):
        room = live_room_ensure(session=session)
        if not room.is_open and not room.phases.exists():
            LiveRoom.objects.filter(pk=room.pk).update(is_open=True)
        phases_ensure(room=room)
        if moderator and session.kind == SessionKind.WHOLE_SYSTEM:
            session.moderators.add(moderator)
        if session.kind == SessionKind.TRIALOOG and not room.polls.exists():
            _scale_poll(room, _dilemma_for(session.title))
            if not example_shown:
                _example_poll(room, event)
        example_shown = example_shown or session.kind == SessionKind.TRIALOOG
        rooms.append(room)
    return rooms
