"""Group commit of votes: the batch services (realtime/services/votes.py) and the gatherer (realtime/groupcommit.py)."""

import asyncio
import threading

import pytest
from channels.db import database_sync_to_async
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from realtime import groupcommit
from realtime.models import Poll, PollVote, Question, QuestionUpvote
from realtime.services import polls as poll_services
from realtime.services import questions as question_services
from realtime.services import votes
from tests.factories import UserFactory
from tests.realtime.conftest import next_of_type


@pytest.fixture
def questions(live_room, make_participant):
    author = make_participant(live_room, "beleid")
    made = [
        question_services.question_ask(user=author, room=live_room, text=f"Vraag {i}", client_id=f"q{i}")[0]
        for i in range(3)
    ]
    return made


@pytest.fixture
def open_poll(live_room, make_moderator):
    moderator = make_moderator(live_room)
    poll = poll_services.poll_create(
        user=moderator, room=live_room, text="Welke regel eerst?", kind="multiple", options=["A", "B", "C"]
    )
    return poll_services.poll_open(user=moderator, poll=poll)


def _counts_match_rows(room) -> bool:
    return all(q.upvotes == q.upvote_rows.count() for q in Question.objects.filter(room=room))


@pytest.mark.django_db
class TestUpvoteBatch:
    def test_each_request_gets_its_own_outcome(self, live_room, questions, make_participant):
        """New, repeated, duplicate-in-batch, hidden, unknown and not allowed: one batch, six answers."""
        first, second, hidden = questions
        question_services.question_moderate(
            user=UserFactory(is_superuser=True), question=hidden, action="hide"
        )
        alice, bob = make_participant(live_room, "politiek"), make_participant(live_room, "uitvoering")
        stranger = UserFactory(perspective="beleid")
        votes.question_upvote(user=bob, question=second)

        outcomes = votes.upvotes_record(
            room_id=live_room.pk,
            requests=[
                (alice, first.pk),
                (alice, first.pk),
                (bob, second.pk),
                (alice, hidden.pk),
                (alice, 999_999),
                (stranger, first.pk),
            ],
        )

        assert outcomes[:3] == [True, False, False]
        assert isinstance(outcomes[3], ValidationError) and outcomes[3].code == "not_visible"
        assert isinstance(outcomes[4], Question.DoesNotExist)
        assert isinstance(outcomes[5], PermissionDenied)
        first.refresh_from_db()
        second.refresh_from_db()
        assert (first.upvotes, second.upvotes) == (1, 1)
        assert QuestionUpvote.objects.get(question=first).perspective == "politiek"
        assert _counts_match_rows(live_room)

    def test_closed_room_refuses_everyone(self, live_room, questions, make_participant):
        alice = make_participant(live_room)
        live_room.is_open = False
        live_room.save(update_fields=["is_open"])

        outcomes = votes.upvotes_record(room_id=live_room.pk, requests=[(alice, questions[0].pk)])

        assert outcomes[0].code == "room_closed"
        assert not QuestionUpvote.objects.exists()

    def test_question_of_another_room_is_not_found(self, live_room, questions, make_participant):
        """An id from another room does not count here, even for someone who may vote there."""
        from realtime.models import LiveRoom
        from tests.factories import SessionFactory

        other = LiveRoom.objects.create(session=SessionFactory(event=live_room.session.event), is_open=True)
        alice = make_participant(live_room)

        outcomes = votes.upvotes_record(room_id=other.pk, requests=[(alice, questions[0].pk)])

        assert isinstance(outcomes[0], Question.DoesNotExist)
        assert not QuestionUpvote.objects.exists()


@pytest.mark.django_db
class TestPollVoteBatch:
    def test_new_changed_invalid_and_last_wins(self, live_room, open_poll, make_participant):
        a, b, c = open_poll.options.order_by("position", "pk").values_list("pk", flat=True)
        alice, bob, carol = (make_participant(live_room, p) for p in ("politiek", "beleid", "uitvoering"))
        votes.poll_vote(user=bob, poll=open_poll, option_ids=[a])

        outcomes = votes.poll_votes_record(
            room_id=live_room.pk,
            requests=[
                (alice, open_poll.pk, [b, a]),
                (bob, open_poll.pk, [c]),
                (carol, open_poll.pk, [999_999]),
                (carol, open_poll.pk, []),
                (alice, open_poll.pk, [c]),
            ],
        )

        assert outcomes[0] == sorted([a, b]) and outcomes[1] == [c] and outcomes[4] == [c]
        assert outcomes[2].code == "invalid_choice" and outcomes[3].code == "invalid_choice"
        stored = {
            v.perspective: sorted(v.choices.values_list("option_id", flat=True))
            for v in PollVote.objects.filter(poll=open_poll)
        }
        assert stored == {"politiek": [c], "beleid": [c]}

    def test_single_choice_and_closed_poll(self, live_room, open_poll, make_participant):
        alice = make_participant(live_room)
        a, b, _c = open_poll.options.values_list("pk", flat=True)
        Poll.objects.filter(pk=open_poll.pk).update(kind=Poll.Kind.SINGLE)

        outcomes = votes.poll_votes_record(room_id=live_room.pk, requests=[(alice, open_poll.pk, [a, b])])
        assert outcomes[0].code == "invalid_choice"

        Poll.objects.filter(pk=open_poll.pk).update(state=Poll.State.CLOSED)
        outcomes = votes.poll_votes_record(room_id=live_room.pk, requests=[(alice, open_poll.pk, [a])])
        assert outcomes[0].code == "poll_closed"
        assert not PollVote.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_batches_never_double_count(live_room, questions, make_participant):
    """Eight threads write overlapping batches (same people, same questions): rows = counters = people."""
    people = [make_participant(live_room, ("politiek", "beleid", "uitvoering")[i % 3]) for i in range(40)]
    barrier = threading.Barrier(8)
    errors = []

    def batch(offset):
        try:
            barrier.wait(timeout=30)
            requests = [(person, q.pk) for person in people[offset : offset + 20] for q in questions[:2]]
            votes.upvotes_record(room_id=live_room.pk, requests=requests)
        except Exception as exc:  # noqa: BLE001 - asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=batch, args=(i * 3,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    # The overlapping slices 0-19, 3-22, …, 21-39 together cover all 40 people exactly once.
    assert QuestionUpvote.objects.filter(question=questions[0]).count() == len(people)
    assert _counts_match_rows(live_room)


@pytest.mark.django_db(transaction=True)
async def test_votes_arriving_together_share_one_transaction(live_room, questions, make_participant):
    """Thirty upvotes submitted at once are written in one batch and each gets its own answer."""
    people = await database_sync_to_async(lambda: [make_participant(live_room) for _ in range(30)])()
    sizes = []

    def record(room_id, requests):
        sizes.append(len(requests))
        return votes.upvotes_record(room_id=room_id, requests=requests)

    gatherer = groupcommit.GroupCommit(record)
    outcomes = await asyncio.gather(
        *(gatherer.submit(live_room.pk, (person, questions[0].pk)) for person in people),
        gatherer.submit(live_room.pk, (people[0], 999_999)),
        return_exceptions=True,
    )

    assert sizes == [31]
    assert outcomes[:30] == [True] * 30
    assert isinstance(outcomes[30], Question.DoesNotExist)
    count = await database_sync_to_async(lambda: Question.objects.get(pk=questions[0].pk).upvotes)()
    assert count == 30


@pytest.mark.django_db(transaction=True)
async def test_votes_over_websocket_are_acked_after_commit(
    live_room, questions, make_participant, room_socket
):
    """Twenty sockets upvote at once: every one is acked, the database holds exactly the acked votes."""
    people = await database_sync_to_async(lambda: [make_participant(live_room) for _ in range(20)])()
    target = questions[1].pk
    sockets = []
    try:
        for person in people:
            context = room_socket(live_room, person)
            sockets.append((context, await context.__aenter__()))
        for i, (_context, socket) in enumerate(sockets):
            await socket.send_json_to({"action": "question.upvote", "id": f"u{i}", "question": target})
        await sockets[0][1].send_json_to({"action": "question.upvote", "id": "bad", "question": 999_999})
        replies = [await next_of_type(socket, "ack") for _context, socket in sockets]
        error = await next_of_type(sockets[0][1], "error")
    finally:
        for context, _socket in reversed(sockets):
            await context.__aexit__(None, None, None)

    assert sorted(r["id"] for r in replies) == sorted(f"u{i}" for i in range(20))
    assert all(r["question"] == target for r in replies)
    assert error["id"] == "bad" and error["code"] == "not_found"
    stored = await database_sync_to_async(lambda: QuestionUpvote.objects.filter(question_id=target).count())()
    count = await database_sync_to_async(lambda: Question.objects.get(pk=target).upvotes)()
    assert stored == count == 20


@pytest.mark.django_db(transaction=True)
async def test_an_id_past_the_integer_range_fails_alone(live_room, questions, make_participant, room_socket):
    """A huge id is 'not found' for its sender; a vote in the same moment is still stored and acked."""
    people = await database_sync_to_async(lambda: [make_participant(live_room) for _ in range(2)])()
    async with room_socket(live_room, people[0]) as first, room_socket(live_room, people[1]) as second:
        await first.send_json_to({"action": "question.upvote", "id": "huge", "question": 10**30})
        await second.send_json_to({"action": "question.upvote", "id": "fine", "question": questions[0].pk})
        error = await next_of_type(first, "error")
        ack = await next_of_type(second, "ack")

    assert (error["id"], error["code"]) == ("huge", "not_found")
    assert ack["id"] == "fine"
    assert await database_sync_to_async(lambda: QuestionUpvote.objects.count())() == 1


@pytest.mark.django_db(transaction=True)
async def test_a_request_that_breaks_the_batch_fails_alone(live_room, questions, make_participant):
    """When the batch raises, each request is tried alone: the others are stored, the bad one gets its error."""
    people = await database_sync_to_async(lambda: [make_participant(live_room) for _ in range(3)])()
    gatherer = groupcommit.GroupCommit(
        lambda room_id, requests: votes.upvotes_record(room_id=room_id, requests=requests)
    )

    outcomes = await asyncio.gather(
        *(gatherer.submit(live_room.pk, (person, questions[0].pk)) for person in people),
        gatherer.submit(live_room.pk, (people[0], "geen-nummer")),
        return_exceptions=True,
    )

    assert outcomes[:3] == [True, True, True]
    assert isinstance(outcomes[3], ValueError)
    count = await database_sync_to_async(lambda: Question.objects.get(pk=questions[0].pk).upvotes)()
    assert count == 3


@pytest.mark.django_db(transaction=True)
async def test_every_waiter_gets_its_own_exception(live_room, questions, make_participant):
    """One shared exception raised by many waiters would pile up their tracebacks."""
    people = await database_sync_to_async(lambda: [make_participant(live_room) for _ in range(2)])()
    await database_sync_to_async(
        lambda: type(live_room).objects.filter(pk=live_room.pk).update(is_open=False)
    )()
    gatherer = groupcommit.GroupCommit(
        lambda room_id, requests: votes.upvotes_record(room_id=room_id, requests=requests)
    )

    first, second = await asyncio.gather(
        *(gatherer.submit(live_room.pk, (person, questions[0].pk)) for person in people),
        return_exceptions=True,
    )

    assert first is not second
    assert first.code == second.code == "room_closed"
    assert first.messages == second.messages


@pytest.mark.django_db
def test_votes_for_a_poll_that_is_not_open_are_refused_without_a_lock(
    live_room, open_poll, make_moderator, make_participant
):
    moderator = make_moderator(live_room)
    draft = poll_services.poll_create(user=moderator, room=live_room, text="Later", kind="scale")
    alice = make_participant(live_room)
    option = open_poll.options.values_list("pk", flat=True).first()
    draft_option = draft.options.values_list("pk", flat=True).first()

    outcomes = votes.poll_votes_record(
        room_id=live_room.pk, requests=[(alice, draft.pk, [draft_option]), (alice, open_poll.pk, [option])]
    )

    assert outcomes[0].code == "poll_closed"
    assert outcomes[1] == [option]
    assert PollVote.objects.filter(poll=open_poll).count() == 1
