import datetime as dt

import pytest
from django.contrib.auth.models import Group

from accounts.models import ORGANISER_GROUP
from events.models import SessionSignup
from realtime.models import (
    Action,
    LiveRoom,
    Note,
    NoteReaction,
    Poll,
    PollChoice,
    PollOption,
    PollVote,
    Question,
    QuestionUpvote,
)
from realtime.models.polls import SCALE_LABELS
from tests.factories import SessionFactory, SessionSignupFactory, UserFactory


@pytest.fixture
def organiser(db):
    user = UserFactory(perspective="beleid", name="Olga Organisator")
    user.groups.add(Group.objects.get_or_create(name=ORGANISER_GROUP)[0])
    return user


def add_scale_poll(room, text, votes_by_perspective, state=Poll.State.CLOSED):
    """A closed 5-point poll; votes_by_perspective maps a perspective to the chosen values."""
    poll = Poll.objects.create(room=room, text=text, kind=Poll.Kind.SCALE, state=state)
    options = {
        value: PollOption.objects.create(poll=poll, label=str(label), value=value, position=value)
        for value, label in SCALE_LABELS
    }
    for perspective, values in votes_by_perspective.items():
        for i, value in enumerate(values):
            vote = PollVote.objects.create(
                poll=poll, voter_hash=f"{poll.pk}-{perspective}-{i}", perspective=perspective
            )
            PollChoice.objects.create(vote=vote, option=options[value])
    return poll


def add_question(room, text, perspective, upvotes_by_perspective=None, **fields):
    upvotes_by_perspective = upvotes_by_perspective or {}
    question = Question.objects.create(
        room=room,
        text=text,
        perspective=perspective,
        upvotes=sum(upvotes_by_perspective.values()),
        **fields,
    )
    QuestionUpvote.objects.bulk_create(
        QuestionUpvote(question=question, voter_hash=f"q{question.pk}-{p}-{i}", perspective=p)
        for p, n in upvotes_by_perspective.items()
        for i in range(n)
    )
    return question


def add_note(room, text, perspective, kind, reactions=None, **fields):
    note = Note.objects.create(room=room, text=text, perspective=perspective, kind=kind, **fields)
    NoteReaction.objects.bulk_create(
        NoteReaction(note=note, voter_hash=f"n{note.pk}-{p}-{kind}-{i}", perspective=p, kind=kind)
        for (p, kind), n in (reactions or {}).items()
        for i in range(n)
    )
    return note


@pytest.fixture
def report_session(db):
    """
    A finished trialoog with fixed contributions, so the report's numbers are known exactly.

    Sign-ups (confirmed): politiek 2, beleid 3, uitvoering 4, anders 1; one on the waitlist.
    """
    session = SessionFactory(title="Digitale post als standaard", host_organisation="Logius")
    room = LiveRoom.objects.create(session=session, is_open=False)
    for perspective, n in {"politiek": 2, "beleid": 3, "uitvoering": 4, "anders": 1}.items():
        for _ in range(n):
            SessionSignupFactory(session=session, user=UserFactory(perspective=perspective))
    SessionSignupFactory(
        session=session,
        user=UserFactory(perspective="beleid"),
        status=SessionSignup.Status.WAITLISTED,
        waitlist_position=1,
    )

    kamerlid = UserFactory(
        perspective="politiek", is_kamerlid=True, name="Karin Kamerlid", organisation="Tweede Kamer"
    )
    shy = UserFactory(perspective="uitvoering", name="Stille Sander", organisation="UWV")
    add_question(
        room,
        "Wie betaalt de extra uitvoeringskosten?",
        "politiek",
        {"politiek": 1, "beleid": 2},
        author=kamerlid,
        is_kamerlid=True,
        show_name=True,
    )
    add_question(
        room,
        "Hoe helpen we mensen zonder computer?",
        "uitvoering",
        {"uitvoering": 4},
        author=shy,
        show_name=False,
        status=Question.Status.ANSWERED,
    )
    add_question(room, "Verborgen vraag", "beleid", status=Question.Status.HIDDEN)
    add_question(room, "Afgewezen vraag", "beleid", status=Question.Status.REJECTED)

    add_scale_poll(
        room,
        "Digitale post moet de standaard worden",
        {"politiek": [5, 4], "beleid": [4, 2, 1], "uitvoering": [1, 1, 2, 3], "anders": [5]},
    )
    choice = Poll.objects.create(
        room=room, text="Wie zet de eerste stap?", kind=Poll.Kind.SINGLE, state=Poll.State.CLOSED
    )
    rijk = PollOption.objects.create(poll=choice, label="Het Rijk", position=0)
    gemeenten = PollOption.objects.create(poll=choice, label="Gemeenten", position=1)
    for i, (perspective, option) in enumerate(
        [("beleid", rijk), ("uitvoering", gemeenten), ("uitvoering", gemeenten)]
    ):
        vote = PollVote.objects.create(poll=choice, voter_hash=f"c{i}", perspective=perspective)
        PollChoice.objects.create(vote=vote, option=option)
    Poll.objects.create(room=room, text="Nog niet gesteld", kind=Poll.Kind.SCALE, state=Poll.State.DRAFT)

    add_note(room, "Digitaal als standaard, of keuzevrijheid voor iedereen?", "politiek", Note.Kind.DILEMMA)
    add_note(room, "De kosten van papier dalen sterk", "beleid", Note.Kind.CONSIDERATION)
    add_note(room, "Meer telefoontjes bij de balie", "uitvoering", Note.Kind.EXECUTION)
    add_note(
        room,
        "Niemand mag buiten de boot vallen",
        "uitvoering",
        Note.Kind.PEOPLE,
        {("politiek", "agree"): 2, ("beleid", "recognise"): 1, ("uitvoering", "agree"): 3},
        mark=Note.Mark.COMMON_GROUND,
    )
    add_note(
        room,
        "Het tempo van invoering",
        "beleid",
        Note.Kind.CONSIDERATION,
        {("politiek", "agree"): 1, ("uitvoering", "disagree"): 2},
        mark=Note.Mark.NOT_AGREED,
    )
    add_note(room, "Wat kost een papieren alternatief?", "politiek", Note.Kind.OPEN_QUESTION)
    add_note(room, "Verborgen notitie", "beleid", Note.Kind.CONSIDERATION, status=Note.Status.HIDDEN)

    Action.objects.create(
        room=room,
        what="Pilot met een papieren alternatief",
        owner_name="Jan Jansen",
        owner_organisation="SVB",
        perspective="uitvoering",
        due_date=dt.date(2026, 9, 1),
    )
    return session
