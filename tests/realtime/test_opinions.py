"""Ending the link between an event's opinions and people (realtime/services/opinions.py), as the purge does."""

import pytest
from channels.db import database_sync_to_async
from django.core.exceptions import ValidationError
from django.urls import reverse

from events.models import Event
from realtime import selectors, snapshots
from realtime.hashing import voter_hash
from realtime.models import LiveRoom, NoteReaction, Poll, PollVote, QuestionUpvote
from realtime.services import notes as note_services
from realtime.services import polls as poll_services
from realtime.services import questions as question_services
from realtime.services import votes
from realtime.services.opinions import event_opinions_unlink
from tests.factories import SessionFactory
from tests.realtime.conftest import next_of_type

EVENT_OVER = "Dit evenement is voorbij. Stemmen, steunen en reageren kan hier niet meer."


@pytest.fixture
def voted(live_room, make_participant, make_moderator):
    """An open room in which one person upvoted a question, voted in a poll and reacted to a note."""
    author, voter = make_participant(live_room, "beleid"), make_participant(live_room, "politiek")
    moderator = make_moderator(live_room)
    question, _ = question_services.question_ask(user=author, room=live_room, text="Vraag")
    note, _ = note_services.note_add(user=author, room=live_room, kind="dilemma", text="Notitie")
    poll = poll_services.poll_create(user=moderator, room=live_room, text="Stelling", kind=Poll.Kind.SCALE)
    poll = poll_services.poll_open(user=moderator, poll=poll)
    option = poll.options.get(value=4).pk
    votes.question_upvote(user=voter, question=question)
    votes.poll_vote(user=voter, poll=poll, option_ids=[option])
    note_services.note_react(user=voter, note=note, kind="agree")
    return {"voter": voter, "question": question, "note": note, "poll": poll, "option": option}


def _fresh_event(room: LiveRoom) -> Event:
    return Event.objects.get(pk=room.session.event_id)


@pytest.mark.django_db
def test_unlinking_destroys_the_salt_once_and_rewrites_every_opinion(live_room, voted):
    """The first call empties the salt and rewrites the three rows; a second call changes nothing."""
    event = _fresh_event(live_room)
    ids = {
        model: set(model.objects.values_list("pk", flat=True))
        for model in (QuestionUpvote, PollVote, NoteReaction)
    }

    first = event_opinions_unlink(event=event)
    second = event_opinions_unlink(event=_fresh_event(live_room))

    assert first == {"vote_salt": 1, "unlinked_opinions": 3}
    assert second == {"vote_salt": 0, "unlinked_opinions": 0}
    assert _fresh_event(live_room).vote_salt == ""
    assert [set(model.objects.values_list("pk", flat=True)) & old for model, old in ids.items()] == [
        set()
    ] * 3
    assert list(PollVote.objects.values_list("perspective", "choices__option_id")) == [
        ("politiek", voted["option"])
    ]


@pytest.mark.django_db
def test_unlinking_one_event_leaves_the_others_alone(live_room, voted, make_participant):
    """Another event keeps its salt, and its votes can still be found for their voter."""
    other_room = LiveRoom.objects.create(session=SessionFactory(), is_open=True)
    other_voter = make_participant(other_room)
    question, _ = question_services.question_ask(user=other_voter, room=other_room, text="Elders")
    votes.question_upvote(user=other_voter, question=question)
    salt = _fresh_event(other_room).vote_salt

    event_opinions_unlink(event=_fresh_event(live_room))

    assert _fresh_event(other_room).vote_salt == salt
    assert QuestionUpvote.objects.filter(
        question=question, voter_hash=voter_hash("question", other_voter.pk, question.pk, salt=salt)
    ).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["upvote", "unvote", "poll_vote", "note_react"])
def test_after_unlinking_opinions_are_refused_with_a_readable_message(live_room, voted, action):
    """Even in a room left open, upvoting, voting and reacting give a clear Dutch refusal."""
    event_opinions_unlink(event=_fresh_event(live_room))
    question, poll, note, voter = voted["question"], voted["poll"], voted["note"], voted["voter"]
    calls = {
        "upvote": lambda: votes.question_upvote(user=voter, question=question),
        "unvote": lambda: votes.question_unvote(user=voter, question=question),
        "poll_vote": lambda: votes.poll_vote(user=voter, poll=poll, option_ids=[voted["option"]]),
        "note_react": lambda: note_services.note_react(user=voter, note=note, kind="disagree"),
    }
    question.refresh_from_db()
    question.room = LiveRoom.objects.select_related("session__event").get(pk=live_room.pk)

    with pytest.raises(ValidationError) as refused:
        calls[action]()

    assert (refused.value.code, refused.value.messages) == ("event_over", [EVENT_OVER])


@pytest.mark.django_db
def test_after_unlinking_a_batch_of_votes_is_refused_for_everyone(live_room, voted):
    """The group commit answers every upvote and vote in the batch with the same refusal."""
    event_opinions_unlink(event=_fresh_event(live_room))
    voter = voted["voter"]

    upvotes = votes.upvotes_record(room_id=live_room.pk, requests=[(voter, voted["question"].pk)])
    poll_votes = votes.poll_votes_record(
        room_id=live_room.pk, requests=[(voter, voted["poll"].pk, [voted["option"]])]
    )

    assert [(o.code, o.messages) for o in upvotes + poll_votes] == [("event_over", [EVENT_OVER])] * 2


@pytest.mark.django_db
def test_after_unlinking_my_votes_find_nothing(live_room, voted):
    """The room no longer shows the person what they voted: nobody can find that out any more."""
    voter = voted["voter"]
    before = snapshots.room_snapshot(room=live_room, user=voter, role="participant")

    event_opinions_unlink(event=_fresh_event(live_room))

    after = snapshots.room_snapshot(room=live_room, user=voter, role="participant")
    poll = Poll.objects.select_related("room__session__event").get(pk=voted["poll"].pk)
    assert (before["my_upvotes"], before["my_votes"], before["my_reactions"]) == (
        [voted["question"].pk],
        {str(poll.pk): [voted["option"]]},
        {str(voted["note"].pk): "agree"},
    )
    assert (after["my_upvotes"], after["my_votes"], after["my_reactions"]) == ([], {}, {})
    assert selectors.poll_my_choices(user=voter, poll=poll) == []


@pytest.mark.django_db
def test_after_unlinking_a_form_vote_shows_the_refusal(client, live_room, voted):
    """Without JavaScript the refusal appears as a message on the room page."""
    event_opinions_unlink(event=_fresh_event(live_room))
    client.force_login(voted["voter"])

    response = client.post(
        reverse("realtime:poll_vote", args=[live_room.session.code]),
        {"poll": voted["poll"].pk, "choices": voted["option"]},
        follow=True,
    )

    assert EVENT_OVER in response.content.decode()


@pytest.mark.django_db(transaction=True)
async def test_after_unlinking_a_socket_vote_gets_an_error_frame(live_room, room_socket, make_participant):
    """Over the WebSocket the refusal is an error frame with its own code and the Dutch message."""
    voter = await database_sync_to_async(make_participant)(live_room)
    question = await database_sync_to_async(
        lambda: question_services.question_ask(user=voter, room=live_room, text="Vraag")[0]
    )()
    await database_sync_to_async(lambda: event_opinions_unlink(event=_fresh_event(live_room)))()

    async with room_socket(live_room, voter) as socket:
        await socket.send_json_to({"action": "question.upvote", "id": "u1", "question": question.pk})
        error = await next_of_type(socket, "error")

    assert (error["id"], error["code"], error["message"]) == ("u1", "event_over", EVENT_OVER)
