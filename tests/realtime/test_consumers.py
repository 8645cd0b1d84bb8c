import asyncio
import json

import pytest
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth.models import AnonymousUser

from realtime.models import LiveRoom, Question, QuestionUpvote
from realtime.routing import websocket_urlpatterns
from realtime.services import questions as question_services
from realtime.services import votes
from tests.factories import SessionFactory, UserFactory
from tests.realtime.conftest import next_of_type

pytestmark = [pytest.mark.django_db(transaction=True)]


def test_tests_use_the_redis_channel_layer():
    """The consumer tests below run on the real Redis layer."""
    assert settings.CHANNEL_LAYERS["default"]["BACKEND"] == "channels_redis.core.RedisChannelLayer"


async def test_two_participants_see_each_others_questions(live_room, make_participant, room_socket):
    """A question asked by one participant reaches the other, with perspective and without a name."""
    asker = await database_sync_to_async(make_participant)(live_room, "uitvoering")
    watcher = await database_sync_to_async(make_participant)(live_room, "politiek")
    async with room_socket(live_room, asker) as a, room_socket(live_room, watcher) as b:
        await a.send_json_to({"action": "question.ask", "id": "q-1", "text": "Wat kost dit de uitvoering?"})

        ack = await next_of_type(a, "ack")
        event = await next_of_type(b, "question.asked")

    assert ack["id"] == "q-1"
    assert event["question"]["text"] == "Wat kost dit de uitvoering?"
    assert event["question"]["perspective"] == "uitvoering"
    assert event["question"]["author"] is None
    assert event["seq"] == b.snapshot["seq"] + 1


async def test_kamerlid_question_carries_the_mark_and_the_chosen_name(
    live_room, make_participant, room_socket
):
    """A Kamerlid's question is always marked; the name only shows when chosen."""
    kamerlid = await database_sync_to_async(make_participant)(
        live_room, "politiek", is_kamerlid=True, name="Kim"
    )
    async with room_socket(live_room, kamerlid) as socket:
        await socket.send_json_to({"action": "question.ask", "id": "k", "text": "Vraag", "show_name": True})

        event = await next_of_type(socket, "question.asked")

    assert (event["question"]["kamerlid"], event["question"]["author"]) == (True, "Kim")


async def test_pending_queue_is_never_sent_to_attendees(
    live_room, make_participant, make_moderator, room_socket
):
    """With pre-moderation on, only the moderator group hears of a new question."""
    await database_sync_to_async(LiveRoom.objects.filter(pk=live_room.pk).update)(premoderation=True)
    asker = await database_sync_to_async(make_participant)(live_room)
    other = await database_sync_to_async(make_participant)(live_room)
    moderator = await database_sync_to_async(make_moderator)(live_room)
    async with (
        room_socket(live_room, asker) as a,
        room_socket(live_room, other) as b,
        room_socket(live_room, moderator) as m,
    ):
        await a.send_json_to({"action": "question.ask", "id": "p-1", "text": "Wacht op goedkeuring"})
        ack = await next_of_type(a, "ack")
        queued = await next_of_type(m, "question.changed")
        await asyncio.sleep(0.5)
        seen_by_other = []
        while not await b.receive_nothing(timeout=0.1):
            seen_by_other.append(await b.receive_json_from())

    assert ack["status"] == "pending"
    assert queued["question"]["status"] == "pending"
    assert "mod_seq" in queued
    assert [f["type"] for f in seen_by_other if f["type"] != "presence.changed"] == []
    assert "pending" not in b.snapshot


async def test_approved_question_reaches_the_room(live_room, make_participant, make_moderator, room_socket):
    """When the moderator approves a pending question, attendees receive it."""
    await database_sync_to_async(LiveRoom.objects.filter(pk=live_room.pk).update)(premoderation=True)
    asker = await database_sync_to_async(make_participant)(live_room)
    moderator = await database_sync_to_async(make_moderator)(live_room)
    async with room_socket(live_room, asker) as a, room_socket(live_room, moderator) as m:
        await a.send_json_to({"action": "question.ask", "id": "p-2", "text": "Mag dit?"})
        ack = await next_of_type(a, "ack")
        await m.send_json_to({"action": "question.approve", "id": "m-1", "question": ack["question"]})

        event = await next_of_type(a, "question.updated")

    assert (event["question"]["id"], event["question"]["status"]) == (ack["question"], "visible")


async def test_same_action_id_twice_stores_one_question(live_room, make_participant, room_socket):
    """Resending an action with the same id never duplicates it."""
    user = await database_sync_to_async(make_participant)(live_room)
    async with room_socket(live_room, user) as socket:
        frame = {"action": "question.ask", "id": "same-id", "text": "Eén keer graag"}
        await socket.send_json_to(frame)
        first = await next_of_type(socket, "ack")
        await socket.send_json_to(frame)
        second = await next_of_type(socket, "ack")

    assert await database_sync_to_async(Question.objects.count)() == 1
    assert (first["duplicate"], second["duplicate"]) == (False, True)
    assert first["question"] == second["question"]


async def test_reconnect_gets_a_snapshot_with_what_was_missed(live_room, make_participant, room_socket):
    """A client that was away receives a fresh snapshot with the questions asked meanwhile."""
    asker = await database_sync_to_async(make_participant)(live_room)
    away = await database_sync_to_async(make_participant)(live_room)
    async with room_socket(live_room, away) as first:
        seq_before = first.snapshot["seq"]
    async with room_socket(live_room, asker) as a:
        await a.send_json_to({"action": "question.ask", "id": "x", "text": "Gemist?"})
        await next_of_type(a, "ack")

    async with room_socket(live_room, away) as again:
        snapshot = again.snapshot
        await again.send_json_to({"action": "room.resync", "id": "again"})
        resynced = await next_of_type(again, "room.snapshot")

    assert [q["text"] for q in snapshot["questions"]] == ["Gemist?"]
    assert snapshot["seq"] > seq_before
    assert resynced["questions"] == snapshot["questions"]


BAD_FRAMES = [
    ("not json", "{nope", "bad_json"),
    ("array", "[1, 2]", "bad_frame"),
    ("string", '"hello"', "bad_frame"),
    ("unknown action", '{"action": "question.delete_all", "id": "u"}', "unknown_action"),
    ("action wrong type", '{"action": 5, "id": "w"}', "unknown_action"),
    ("text wrong type", '{"action": "question.ask", "id": "t", "text": 12}', "invalid"),
    ("text object", '{"action": "question.ask", "id": "o", "text": {"a": 1}}', "invalid"),
    ("question as string", '{"action": "question.upvote", "id": "s", "question": "1"}', "invalid"),
    ("question as bool", '{"action": "question.upvote", "id": "b", "question": true}', "invalid"),
    ("missing question", '{"action": "question.upvote", "id": "m"}', "invalid"),
    ("empty text", '{"action": "question.ask", "id": "e", "text": "   "}', "empty"),
    ("text over 500", json.dumps({"action": "question.ask", "id": "l", "text": "x" * 501}), "too_long"),
    ("no id", '{"action": "question.ask", "text": "Zonder id"}', "invalid"),
    ("ping without id", '{"action": "ping"}', "invalid"),
    (
        "frame over 8 KiB",
        json.dumps({"action": "question.ask", "id": "big", "text": "x" * 9000}),
        "too_large",
    ),
    ("deep nesting", "[" * 5000 + "]" * 5000, "too_large"),
    ("id too long", json.dumps({"action": "question.ask", "id": "i" * 65, "text": "hoi"}), "invalid"),
    ("moderation by attendee", '{"action": "room.close", "id": "c"}', "forbidden"),
    ("unknown question", '{"action": "question.upvote", "id": "n", "question": 999999}', "not_found"),
]


async def test_bad_frames_get_an_error_and_change_nothing(live_room, make_participant, room_socket):
    """Every malformed or forbidden frame is answered with an error; the connection and the state survive."""
    user = await database_sync_to_async(make_participant)(live_room)
    codes = []
    async with room_socket(live_room, user) as socket:
        for _name, text, _expected in BAD_FRAMES:
            await socket.send_to(text_data=text)
            codes.append((await next_of_type(socket, "error"))["code"])
        await socket.send_to(bytes_data=b"\x00\x01")
        binary = await next_of_type(socket, "error")
        await socket.send_json_to({"action": "ping", "id": "alive"})
        pong = await next_of_type(socket, "pong")

    assert codes == [expected for _name, _text, expected in BAD_FRAMES]
    assert binary["code"] == "bad_frame"
    assert pong["id"] == "alive"
    assert await database_sync_to_async(Question.objects.count)() == 0
    room = await database_sync_to_async(LiveRoom.objects.get)(pk=live_room.pk)
    assert room.is_open is True


async def test_error_frames_carry_a_readable_dutch_message(live_room, make_participant, room_socket):
    """An error explains itself to a person, in Dutch."""
    user = await database_sync_to_async(make_participant)(live_room)
    async with room_socket(live_room, user) as socket:
        await socket.send_json_to({"action": "question.ask", "id": "l", "text": "x" * 501})

        error = await next_of_type(socket, "error")

    assert error["id"] == "l"
    assert "maximaal 500 tekens" in error["message"]


async def test_closed_room_refuses_questions(live_room, make_participant, room_socket):
    """A closed room is read-only: asking is answered with room_closed."""
    await database_sync_to_async(LiveRoom.objects.filter(pk=live_room.pk).update)(is_open=False)
    user = await database_sync_to_async(make_participant)(live_room)
    async with room_socket(live_room, user) as socket:
        await socket.send_json_to({"action": "question.ask", "id": "c", "text": "Nog open?"})

        error = await next_of_type(socket, "error")

    assert error["code"] == "room_closed"
    assert await database_sync_to_async(Question.objects.count)() == 0


async def test_another_rooms_question_is_not_found(live_room, make_participant, room_socket):
    """Actions can only touch objects of the room they were sent to."""
    other_room = await database_sync_to_async(
        lambda: LiveRoom.objects.create(session=SessionFactory(event=live_room.session.event), is_open=True)
    )()
    stranger = await database_sync_to_async(make_participant)(other_room)
    question, _created = await database_sync_to_async(question_services.question_ask)(
        user=stranger, room=other_room, text="Elders"
    )
    user = await database_sync_to_async(make_participant)(live_room)
    async with room_socket(live_room, user) as socket:
        await socket.send_json_to({"action": "question.upvote", "id": "x", "question": question.pk})

        error = await next_of_type(socket, "error")

    assert error["code"] == "not_found"
    assert await database_sync_to_async(QuestionUpvote.objects.count)() == 0


async def test_upvotes_are_coalesced_into_a_few_score_frames(live_room, make_participant, room_socket):
    """40 upvotes in a burst reach a watcher as a handful of question.scored frames with the final count."""
    asker = await database_sync_to_async(make_participant)(live_room)
    question, _created = await database_sync_to_async(question_services.question_ask)(
        user=asker, room=live_room, text="Populair"
    )
    voters = [
        await database_sync_to_async(make_participant)(live_room, p) for p in ["politiek", "beleid"] * 20
    ]
    async with room_socket(live_room, asker) as watcher:
        for voter in voters:
            await database_sync_to_async(votes.question_upvote)(user=voter, question=question)
        frames = []
        while True:
            frame = await next_of_type(watcher, "question.scored", timeout=2)
            frames.append(frame)
            if frame["scores"][0]["upvotes"] == 40:
                break

    assert len(frames) <= 8
    [score] = frames[-1]["scores"]
    assert (score["question"], score["upvotes"]) == (question.pk, 40)
    # The asker (uitvoering, present, did not upvote) is a group of one: withheld, and beleid with it,
    # because 40 minus politiek and beleid would tell that the asker did not upvote.
    assert score["by_perspective"] == {"politiek": 20, "beleid": None, "uitvoering": None, "anders": 0}


async def test_presence_is_counted_per_perspective(live_room, make_participant, room_socket):
    """The snapshot counts the people present per perspective."""
    first = await database_sync_to_async(make_participant)(live_room, "politiek")
    second = await database_sync_to_async(make_participant)(live_room, "beleid")
    async with room_socket(live_room, first), room_socket(live_room, second) as socket:
        presence = socket.snapshot["presence"]

    assert presence == {"politiek": 1, "beleid": 1, "uitvoering": 0, "anders": 0}


async def _close_code(path: str, user) -> int:
    communicator = WebsocketCommunicator(URLRouter(websocket_urlpatterns), path)
    communicator.scope["user"] = user
    connected, _ = await communicator.connect(timeout=5)
    assert connected
    closed = await communicator.receive_output(timeout=5)
    assert closed["type"] == "websocket.close"
    return closed["code"]


async def test_unregistered_user_is_refused_with_4403(live_room):
    """Someone without a registration for the event may not join."""
    stranger = await database_sync_to_async(UserFactory)()
    code = await database_sync_to_async(lambda: live_room.session.code)()

    assert await _close_code(f"/ws/rooms/{code}/", stranger) == 4403
    assert await _close_code(f"/ws/rooms/{code}/", AnonymousUser()) == 4403


async def test_unknown_room_code_is_refused_with_4404(live_room, make_participant):
    """A code that matches no session closes with 4404."""
    user = await database_sync_to_async(make_participant)(live_room)

    assert await _close_code("/ws/rooms/ZZZZZZ/", user) == 4404


async def test_projector_token_joins_read_only(live_room, room_socket):
    """The secret projector link joins without a login and cannot act."""
    token = live_room.projector_token
    async with room_socket(live_room, AnonymousUser(), query=f"?projector={token}") as projector:
        await projector.send_json_to({"action": "question.ask", "id": "p", "text": "Mag niet"})
        error = await next_of_type(projector, "error")

    assert projector.snapshot["role"] == "projector"
    assert error["code"] == "forbidden"


async def test_wrong_projector_token_is_refused(live_room):
    """A guessed projector token is refused with 4403."""
    code = await database_sync_to_async(lambda: live_room.session.code)()

    assert await _close_code(f"/ws/rooms/{code}/?projector=guess", AnonymousUser()) == 4403


async def test_projector_is_cut_off_after_the_link_is_reset(live_room, make_moderator, room_socket):
    """A connected projector loses the room at its next ping once the moderator resets the secret link."""
    from realtime.services import rooms as room_services

    moderator = await database_sync_to_async(make_moderator)(live_room)
    token = live_room.projector_token
    async with room_socket(live_room, AnonymousUser(), query=f"?projector={token}") as projector:
        await database_sync_to_async(room_services.projector_token_reset)(user=moderator, room=live_room)
        await projector.send_json_to({"action": "ping", "id": "p"})
        while (closed := await projector.receive_output(timeout=5))["type"] != "websocket.close":
            pass

    assert closed["code"] == 4403
