"""The one vote service (realtime/services/votes.py): a form post is a batch of one, refused as the socket's batch is."""

import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from events.models import Event
from realtime.models import LiveRoom, Question, QuestionUpvote
from realtime.services import polls as p
from realtime.services import questions as q
from realtime.services import votes
from realtime.services.opinions import event_opinions_unlink
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_upvote_twice_counts_once(live_room, make_participant):
    """A repeated upvote is a no-op, so retries cannot inflate the score."""
    asker, voter = make_participant(live_room), make_participant(live_room, "beleid")
    question, _ = q.question_ask(user=asker, room=live_room, text="Vraag")

    first = votes.question_upvote(user=voter, question=question)
    second = votes.question_upvote(user=voter, question=question)

    question.refresh_from_db()
    assert (first, second, question.upvotes) == (True, False, 1)


def test_upvote_is_stored_without_a_link_to_the_person(live_room, make_participant):
    """The upvote row holds a keyed hash and the perspective, nothing that names the voter."""
    asker, voter = make_participant(live_room), make_participant(live_room, "beleid")
    question, _ = q.question_ask(user=asker, room=live_room, text="Vraag")

    votes.question_upvote(user=voter, question=question)

    row = QuestionUpvote.objects.values().get()
    assert set(row) == {"id", "question_id", "voter_hash", "perspective"}
    assert row["perspective"] == "beleid"
    assert row["voter_hash"] != hashlib.sha256(f"question:{voter.pk}:{question.pk}".encode()).hexdigest()
    assert len(row["voter_hash"]) == 64


def test_one_persons_upvotes_on_two_questions_do_not_share_a_hash(live_room, make_participant):
    """Hashes differ per question, so a person's upvotes cannot be grouped together."""
    asker, voter = make_participant(live_room), make_participant(live_room)
    first, _ = q.question_ask(user=asker, room=live_room, text="Een")
    second, _ = q.question_ask(user=asker, room=live_room, text="Twee")

    votes.question_upvote(user=voter, question=first)
    votes.question_upvote(user=voter, question=second)

    assert QuestionUpvote.objects.values("voter_hash").distinct().count() == 2


def test_unvote_withdraws_the_upvote(live_room, make_participant):
    """Withdrawing an upvote lowers the count and removes the row."""
    asker, voter = make_participant(live_room), make_participant(live_room)
    question, _ = q.question_ask(user=asker, room=live_room, text="Vraag")
    votes.question_upvote(user=voter, question=question)

    votes.question_unvote(user=voter, question=question)

    question.refresh_from_db()
    assert (question.upvotes, QuestionUpvote.objects.count()) == (0, 0)


def _refusal(outcome) -> tuple:
    """What a refusal says, comparable between a raised exception and a batch's outcome."""
    if isinstance(outcome, ValidationError):
        return ("ValidationError", outcome.code, outcome.messages)
    return (type(outcome).__name__,)


def _raised(call) -> tuple:
    try:
        call()
    except (ValidationError, PermissionDenied, Question.DoesNotExist) as error:
        return _refusal(error)
    raise AssertionError("not refused")


# Each case changes the world after the first upvote and returns who then tries again.


def _closed(room, question, voter):
    LiveRoom.objects.filter(pk=room.pk).update(is_open=False)
    return voter


def _hidden(room, question, voter):
    Question.objects.filter(pk=question.pk).update(status=Question.Status.HIDDEN)
    return voter


def _purged(room, question, voter):
    event_opinions_unlink(event=Event.objects.get(pk=room.session.event_id))
    return voter


def _stranger(room, question, voter):
    return UserFactory(perspective="beleid")  # not registered for the event


CASES = {
    "closed room": (_closed, ("ValidationError", "room_closed")),
    "hidden question": (_hidden, ("ValidationError", "not_visible")),
    "event purged": (_purged, ("ValidationError", "event_over")),
    "not a participant": (_stranger, ("PermissionDenied",)),
}


@pytest.mark.parametrize("case", CASES)
def test_upvote_unvote_and_the_batch_refuse_alike(live_room, make_participant, case):
    """The form post's upvote, its unvote and the socket's batch give the same refusal for the same reason."""
    asker, voter = make_participant(live_room), make_participant(live_room, "beleid")
    question, _ = q.question_ask(user=asker, room=live_room, text="Vraag")
    votes.question_upvote(user=voter, question=question)
    change, expected = CASES[case]
    voter = change(live_room, question, voter)

    batch = votes.upvotes_record(room_id=live_room.pk, requests=[(voter, question.pk)])
    upvote = _raised(lambda: votes.question_upvote(user=voter, question=question))
    unvote = _raised(lambda: votes.question_unvote(user=voter, question=question))

    assert _refusal(batch[0])[: len(expected)] == expected
    assert upvote == unvote == _refusal(batch[0])
    assert Question.objects.get(pk=question.pk).upvotes == 1


def test_poll_vote_is_the_batch_of_one(live_room, make_participant, make_moderator):
    """A form post's poll vote returns what the socket acks: the chosen option ids, sorted."""
    moderator = make_moderator(live_room)
    poll = p.poll_create(
        user=moderator, room=live_room, text="Welke?", kind="multiple", options=["a", "b", "c"]
    )
    p.poll_open(user=moderator, poll=poll)
    a, b, c = poll.options.order_by("position").values_list("pk", flat=True)
    voter = make_participant(live_room)

    chosen = votes.poll_vote(user=voter, poll=poll, option_ids=[c, a])
    again = votes.poll_votes_record(room_id=live_room.pk, requests=[(voter, poll.pk, [a, c])])

    assert (chosen, again) == ([a, c], [[a, c]])
