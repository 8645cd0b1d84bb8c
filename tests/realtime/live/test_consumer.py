"""The room consumer runs actions as tasks: a bounded number per socket, answered in whatever order they finish."""

import asyncio

import psycopg
import pytest
from channels.db import database_sync_to_async

from realtime.live.consumer import MAX_IN_FLIGHT
from realtime.models import Question
from tests.production import suite_database_url
from tests.realtime.conftest import next_of_type

pytestmark = pytest.mark.django_db(transaction=True)


async def _answers_within(socket, seconds: float) -> list[dict]:
    """The acks and errors the socket got within `seconds` (presence frames and the like are skipped)."""
    await asyncio.sleep(seconds)
    answers = []
    while not socket.output_queue.empty():  # what arrived; a receive with a timeout would stop the app
        frame = await socket.receive_json_from()
        if frame["type"] in ("ack", "error"):
            answers.append(frame)
    return answers


async def test_actions_past_the_in_flight_bound_wait_for_a_slot_and_all_are_acked_after_the_wait(
    live_room, make_participant, room_socket
):
    """
    With the questions table locked by another connection, eight questions wait on the database; the
    ninth is not refused but waits, unread, for one of them to finish (back-pressure, as before actions ran
    as tasks). Once the lock goes, all nine are acked.
    """
    user = await database_sync_to_async(make_participant)(live_room)
    table = Question._meta.db_table
    async with room_socket(live_room, user) as socket:
        locker = await psycopg.AsyncConnection.connect(suite_database_url())
        try:
            await locker.execute(f"BEGIN; LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
            for n in range(MAX_IN_FLIGHT + 1):
                await socket.send_json_to({"action": "question.ask", "id": f"q{n}", "text": f"Vraag {n}"})
            answered = await _answers_within(socket, 1.0)
        finally:
            await locker.execute("ROLLBACK")
            await locker.close()
        replies = [await next_of_type(socket, "ack", timeout=10) for _ in range(MAX_IN_FLIGHT + 1)]

    assert answered == []  # neither acked nor refused while the database waits
    assert sorted(reply["id"] for reply in replies) == sorted(f"q{n}" for n in range(MAX_IN_FLIGHT + 1))


async def test_a_reconnect_that_says_where_it_left_off_gets_the_missed_events_then_resumed(
    live_room, make_participant, room_socket
):
    """`?since=&cseq=&role=` after two questions: those two frames from the log and `room.resumed`, no snapshot."""
    asker = await database_sync_to_async(make_participant)(live_room)
    watcher = await database_sync_to_async(make_participant)(live_room)
    async with room_socket(live_room, watcher) as first:
        left = first.snapshot
    async with room_socket(live_room, asker) as socket:
        for n in (1, 2):
            await socket.send_json_to({"action": "question.ask", "id": f"q{n}", "text": f"Vraag {n}"})
            await next_of_type(socket, "ack")

    query = f"?since={left['seq']}&cseq={left['cseq']}&role=participant"
    async with room_socket(live_room, watcher, query) as back:
        first_frame = back.snapshot  # the fixture keeps the first frame, whatever it is
        second = await back.receive_json_from(timeout=5)
        resumed = await next_of_type(back, "room.resumed")

    assert [(f["type"], f["seq"]) for f in (first_frame, second)] == [
        ("question.asked", left["seq"] + 1),
        ("question.asked", left["seq"] + 2),
    ]
    assert (resumed["seq"], resumed["cseq"], resumed["role"]) == (
        left["seq"] + 2,
        left["cseq"],
        "participant",
    )


async def test_a_reconnect_in_another_role_or_after_counter_frames_gets_a_snapshot(
    live_room, make_participant, room_socket
):
    """What the log cannot replay (another role's view, totals that changed) comes as a fresh snapshot."""
    watcher = await database_sync_to_async(make_participant)(live_room)
    async with room_socket(live_room, watcher) as first:
        left = first.snapshot

    for query in (
        f"?since={left['seq']}&cseq={left['cseq']}&role=projector",
        f"?since={left['seq']}&cseq={left['cseq'] + 1}&role=participant",
        "?since=-1&cseq=0&role=participant",
        "?since=x&cseq=0&role=participant",
    ):
        async with room_socket(live_room, watcher, query) as back:
            assert back.snapshot["type"] == "room.snapshot", query
