import datetime as dt
import math

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


Z90 = 1.6449  # two-sided 90 %, as docs/report-schema.md states


def wilson90(agree: int, n: int) -> tuple[float, float]:
    """
    The Wilson score interval at 90 %, written out from its textbook formula for the expectations.

    low, high = (p + z²/2n ∓ z·√(p(1−p)/n + z²/4n²)) / (1 + z²/n), with p = agree / n.
    """
    p = agree / n
    centre = p + Z90**2 / (2 * n)
    half = Z90 * math.sqrt(p * (1 - p) / n + Z90**2 / (4 * n**2))
    return max(0.0, (centre - half) / (1 + Z90**2 / n)), min(1.0, (centre + half) / (1 + Z90**2 / n))


def shown(agree: int, total: int) -> dict:
    """A lens perspective as published when it is shown, with its Wilson bounds."""
    low, high = wilson90(agree, total)
    return {
        "agree": agree,
        "total": total,
        "share": pytest.approx(agree / total, abs=1e-12),
        "low": pytest.approx(low, abs=1e-12),
        "high": pytest.approx(high, abs=1e-12),
    }


WITHHELD = {"suppressed": True}
NOBODY = {"agree": 0, "total": 0}


def sign_up(session, counts: dict[str, int], **user_fields):
    for perspective, n in counts.items():
        for _ in range(n):
            SessionSignupFactory(session=session, user=UserFactory(perspective=perspective, **user_fields))


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
    sign_up(session, {"politiek": 2, "beleid": 3, "uitvoering": 4, "anders": 1})
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


@pytest.fixture
def lone_kamerlid_session(db):
    """
    One Kamerlid (the only politiek participant) with three of beleid and three of uitvoering.

    The Kamerlid votes, reacts and upvotes everywhere, each time differently
    from at least one other person, so only a published politiek figure could
    give the Kamerlid's choice away. Politiek (1) is withheld; the remainder
    would then be 1, so uitvoering (3, smaller than or tied with beleid, and
    before it in the tie order) is withheld too, leaving a group of 4.
    """
    session = SessionFactory(title="Een Kamerlid alleen")
    room = LiveRoom.objects.create(session=session, is_open=False)
    SessionSignupFactory(session=session, user=UserFactory(perspective="politiek", is_kamerlid=True))
    sign_up(session, {"beleid": 3, "uitvoering": 3})
    add_scale_poll(
        room,
        "Papier blijft altijd mogelijk",
        {"politiek": [1], "beleid": [5, 5, 4], "uitvoering": [5, 4, 2]},
    )
    choice = Poll.objects.create(
        room=room, text="Wie betaalt?", kind=Poll.Kind.SINGLE, state=Poll.State.CLOSED
    )
    rijk = PollOption.objects.create(poll=choice, label="Het Rijk", position=0)
    gemeenten = PollOption.objects.create(poll=choice, label="Gemeenten", position=1)
    votes = [("politiek", rijk), ("beleid", rijk), ("beleid", gemeenten), ("beleid", gemeenten)]
    votes += [("uitvoering", gemeenten), ("uitvoering", gemeenten), ("uitvoering", rijk)]
    for i, (perspective, option) in enumerate(votes):
        vote = PollVote.objects.create(poll=choice, voter_hash=f"k{i}", perspective=perspective)
        PollChoice.objects.create(vote=vote, option=option)
    add_note(
        room,
        "Een brief op papier kost weinig",
        "beleid",
        Note.Kind.CONSIDERATION,
        {
            ("politiek", "disagree"): 1,
            ("beleid", "agree"): 3,
            ("uitvoering", "agree"): 2,
            ("uitvoering", "disagree"): 1,
        },
    )
    add_question(room, "Wat kost de overgang?", "beleid", {"politiek": 1, "beleid": 2, "uitvoering": 1})
    return session


@pytest.fixture
def unanimous_session(db):
    """Three voters per perspective, every one of them answering "Helemaal eens"."""
    session = SessionFactory(title="Iedereen eens")
    room = LiveRoom.objects.create(session=session, is_open=False)
    add_scale_poll(
        room,
        "Iedereen moet de post kunnen lezen",
        {p: [5, 5, 5] for p in ("politiek", "beleid", "uitvoering")},
    )
    return session


def agree_votes(agree: int, total: int) -> list[int]:
    """`agree` answers "Helemaal eens" (5) and the rest "Oneens" (2)."""
    return [5] * agree + [2] * (total - agree)


RANKED_POLLS = {
    # consensual: every low bound above 0.5; ranked by the smallest low bound (n/(n+z²) for n of n)
    "A 3·3·3 eens": ((3, 3), (3, 3), (3, 3)),  # min low 3/(3+z²) = 0.5258, smoothed (4/5)³ = 0.512
    "B 6·6·5 eens": ((6, 6), (6, 6), (5, 5)),  # min low 5/(5+z²) = 0.6489
    "C 4·4·4 eens": ((4, 4), (4, 4), (4, 4)),  # min low 4/(4+z²) = 0.5965
    "D 3·3·4 eens": ((3, 3), (3, 3), (4, 4)),  # min low 0.5258 as A, smoothed (4/5)²(5/6) = 0.533 > A
    # divergent: apart, ranked by |z| of politiek against the lowest (pooled share 1/2 in all three)
    "E 4/4 0/4 2/4": ((4, 4), (0, 4), (2, 4)),  # z = 1 / √(¼·(¼+¼)) = 2.828
    "F 3/3 3/3 0/3": ((3, 3), (3, 3), (0, 3)),  # z = 1 / √(¼·(⅓+⅓)) = 2.449
    "G 5/6 1/6 3/6": ((5, 6), (1, 6), (3, 6)),  # z = (4/6) / √(¼·(⅙+⅙)) = 2.309
    # neither: mixed (gap 0.25, z = 0.73) and too few (politiek 2)
    "H 2/4 2/4 3/4": ((2, 4), (2, 4), (3, 4)),
    "I 2/2 3/3 3/3": ((2, 2), (3, 3), (3, 3)),
}


@pytest.fixture
def ranked_session(db):
    """Nine 5-point polls with known verdicts, in the order of RANKED_POLLS."""
    session = SessionFactory(title="Rangorde")
    room = LiveRoom.objects.create(session=session, is_open=False)
    for text, counts in RANKED_POLLS.items():
        add_scale_poll(
            room,
            text,
            {p: agree_votes(*n) for p, n in zip(("politiek", "beleid", "uitvoering"), counts, strict=True)},
        )
    return session
