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


async def test_actions_past_the_in_flight_bound_are_refused_and_the_rest_acked_after_the_wait(
    live_room, make_participant, room_socket
):
    """
    With the questions table locked by another connection, eight questions wait on the database; a ninth is
    refused at once (`rate_limited`) rather than queued, while a ping of the socket itself is still read.
    Once the lock goes, the eight are acked.
    """
    user = await database_sync_to_async(make_participant)(live_room)
    table = Question._meta.db_table
    async with room_socket(live_room, user) as socket:
        locker = await psycopg.AsyncConnection.connect(suite_database_url())
        try:
            await locker.execute(f"BEGIN; LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
            for n in range(MAX_IN_FLIGHT + 1):
                await socket.send_json_to({"action": "question.ask", "id": f"q{n}", "text": f"Vraag {n}"})
            refused = await next_of_type(socket, "error", timeout=5)
            await asyncio.sleep(0.5)
            waiting = await socket.receive_nothing(timeout=0.5)
        finally:
            await locker.execute("ROLLBACK")
            await locker.close()
        acks = [await next_of_type(socket, "ack", timeout=10) for _ in range(MAX_IN_FLIGHT)]

    assert (refused["id"], refused["code"], refused["retry_after"]) == (
        f"q{MAX_IN_FLIGHT}",
        "rate_limited",
        1,
    )
    assert waiting is True
    assert sorted(ack["id"] for ack in acks) == sorted(f"q{n}" for n in range(MAX_IN_FLIGHT))


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
