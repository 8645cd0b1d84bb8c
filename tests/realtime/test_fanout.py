"""The hub's Redis subscription (realtime/live/fanout.py): subscribe on the first join, restore after a loss, close at the end."""

import asyncio
import json

import pytest
import redis
from channels.db import database_sync_to_async
from django.conf import settings
from django.db import connection

from realtime import broadcast, groups
from realtime.live import fanout
from realtime.models import LiveRoom
from tests.factories import SessionFactory

pytestmark = pytest.mark.django_db(transaction=True)


class Member:
    def __init__(self):
        self.frames = asyncio.Queue()
        self.resyncs = 0

    def deliver(self, outgoing):
        self.frames.put_nowait(json.loads(outgoing.text))

    def resync(self):
        self.resyncs += 1


@pytest.fixture
def rooms(live_room):
    """The room groups of two live rooms."""
    other = LiveRoom.objects.create(session=SessionFactory(), is_open=True)
    return groups.room(live_room.pk), groups.room(other.pk)


def _tick(group: str) -> int:
    """Commit one public event in the room of `group` (logged, then published); its seq."""
    return broadcast.publish(groups.stream_of(group)[0], "bench.tick")


@pytest.fixture
def server():
    """A client of the suite's Redis, to look at the hub's subscription from outside."""
    client = redis.Redis.from_url(settings.FANOUT_REDIS_URL)
    yield client
    client.close()


async def _until(condition, seconds: float = 5) -> None:
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not met in time")


async def test_a_lost_subscription_is_restored_and_what_it_missed_comes_from_the_log(server, rooms):
    """
    After Redis drops the connection the hub subscribes again to every room and fills from the log what
    was committed meanwhile: every member gets every frame once, in order, without a fresh snapshot.
    """
    lost_a, lost_b = rooms
    hub, first, second = fanout.hub(), Member(), Member()
    await hub.join(lost_a, first)
    await hub.join(lost_b, second)
    try:
        server.client_kill_filter(_type="pubsub")
        missed = await database_sync_to_async(_tick)(lost_a)  # most likely while nobody listens
        got = await asyncio.wait_for(first.frames.get(), 10)
        await _until(lambda: len(server.pubsub_numsub(f"trialoog:fanout:{lost_b}")) == 1)
        subscribed = server.pubsub_numsub(f"trialoog:fanout:{lost_a}", f"trialoog:fanout:{lost_b}")
        after = await database_sync_to_async(_tick)(lost_b)
        frame = await asyncio.wait_for(second.frames.get(), 5)
    finally:
        hub.leave(lost_a, first)
        hub.leave(lost_b, second)

    assert (got["type"], got["seq"], missed) == ("bench.tick", 1, 1)
    assert (first.resyncs, second.resyncs) == (0, 0)
    assert first.frames.empty()
    assert subscribed == [
        (f"trialoog:fanout:{lost_a}".encode(), 1),
        (f"trialoog:fanout:{lost_b}".encode(), 1),
    ]
    assert (frame["seq"], after) == (1, 1)


def _count_unsent(group: str) -> int:
    """Take the room's next counter number without sending the frame: a counter frame lost on its way."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE realtime_liveroom SET counts_seq = counts_seq + 1 WHERE id = %s RETURNING counts_seq",
            [groups.stream_of(group)[0]],
        )
        return cursor.fetchone()[0]


async def test_a_counter_frame_missed_while_the_subscription_was_lost_brings_a_snapshot(server, rooms):
    """
    Counter frames are not logged: when one was sent while the connection was away (the room's counter
    is past the highest this hub saw), that room's members resync once it is back; the other room's not.
    """
    missed_room, quiet_room = rooms
    hub, missing, quiet = fanout.hub(), Member(), Member()
    await hub.join(missed_room, missing)
    await hub.join(quiet_room, quiet)
    try:
        await database_sync_to_async(broadcast.publish_counts)(
            groups.stream_of(missed_room)[0], "bench.count"
        )
        seen = await asyncio.wait_for(missing.frames.get(), 5)
        await database_sync_to_async(_count_unsent)(missed_room)
        server.client_kill_filter(_type="pubsub")
        await _until(lambda: missing.resyncs > 0, 10)
        await asyncio.sleep(0.3)
    finally:
        hub.leave(missed_room, missing)
        hub.leave(quiet_room, quiet)

    assert (seen["type"], seen["cseq"]) == ("bench.count", 1)
    assert (missing.resyncs, quiet.resyncs) == (1, 0)


async def test_access_messages_reach_the_sockets_watching_their_address_on_one_subscription(server, rooms):
    """A logout's close goes to the watchers of that address only; a hundred watchers share one SUBSCRIBE."""
    hub, member = fanout.hub(), Member()
    got = {"person.1": [], "person.2": []}
    callbacks = [got["person.1"].append, got["person.2"].append]
    many = [[] for _ in range(100)]
    await hub.join(rooms[0], member)
    try:
        await hub.watch(["person.1", "login.abc"], callbacks[0])
        await hub.watch(["person.2"], callbacks[1])
        for index, bucket in enumerate(many):
            await hub.watch([f"person.{100 + index}"], bucket.append)
        access = server.pubsub_numsub(f"trialoog:fanout:{groups.ACCESS}")
        await asyncio.to_thread(broadcast.sockets_close_person, user_id=1)
        await _until(lambda: got["person.1"])
        hub.unwatch(["person.2"], callbacks[1])
        await asyncio.to_thread(broadcast.sockets_close_person, user_id=2)
        await asyncio.to_thread(broadcast.sockets_close_person, user_id=1)
        await _until(lambda: len(got["person.1"]) == 2)
    finally:
        hub.unwatch(["person.1", "login.abc"], callbacks[0])
        for index, bucket in enumerate(many):
            hub.unwatch([f"person.{100 + index}"], bucket.append)
        hub.leave(rooms[0], member)

    assert access == [(f"trialoog:fanout:{groups.ACCESS}".encode(), 1)]
    assert got["person.1"] == [{"type": "access.close", "code": broadcast.CLOSE_LOGGED_OUT}] * 2
    assert got["person.2"] == []
    assert not any(many)
    assert hub.watchers == {}


async def test_a_room_left_and_joined_in_one_turn_stays_subscribed(server, rooms):
    """UNSUBSCRIBE and SUBSCRIBE go out in the order asked: the new member hears the room."""
    again, kept = rooms
    hub, other, leaving, coming = fanout.hub(), Member(), Member(), Member()
    await hub.join(kept, other)  # keeps the connection open when `again` empties
    await hub.join(again, leaving)
    try:
        hub.leave(again, leaving)
        await hub.join(again, coming)
        subscribed = server.pubsub_numsub(f"trialoog:fanout:{again}")
        await database_sync_to_async(_tick)(again)
        frame = await asyncio.wait_for(coming.frames.get(), 5)
    finally:
        hub.leave(again, coming)
        hub.leave(kept, other)

    assert subscribed == [(f"trialoog:fanout:{again}".encode(), 1)]
    assert frame["seq"] == 1


async def test_the_last_member_leaving_closes_the_connection(server, rooms):
    """With no room left in this process, the subscription connection goes away."""
    hub, member = fanout.hub(), Member()
    await hub.join(rooms[0], member)
    subscribers = len(server.client_list(_type="pubsub"))

    hub.leave(rooms[0], member)

    await _until(lambda: not server.client_list(_type="pubsub"))
    assert subscribers == 1
