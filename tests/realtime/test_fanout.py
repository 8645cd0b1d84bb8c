"""The hub's Redis subscription (realtime/fanout.py): subscribe on the first join, restore after a loss, close at the end."""

import asyncio

import pytest
import redis
from django.conf import settings

from realtime import fanout


class Member:
    def __init__(self):
        self.frames = asyncio.Queue()
        self.resyncs = 0

    def deliver(self, outgoing):
        self.frames.put_nowait(outgoing.text)

    def resync(self):
        self.resyncs += 1


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


async def test_a_lost_subscription_is_restored_and_then_every_member_resynced(server):
    """After Redis drops the connection the hub subscribes again to every room, resyncs every member, and frames flow."""
    hub, first, second = fanout.hub(), Member(), Member()
    await hub.join("room-lost-a", first)
    await hub.join("room-lost-b", second)
    try:
        server.client_kill_filter(_type="pubsub")
        await _until(lambda: first.resyncs and second.resyncs)
        subscribed = server.pubsub_numsub("trialoog:fanout:room-lost-a", "trialoog:fanout:room-lost-b")
        await asyncio.to_thread(fanout.publish, "room-lost-b", '{"seq":7}')
        frame = await asyncio.wait_for(second.frames.get(), 5)
    finally:
        hub.leave("room-lost-a", first)
        hub.leave("room-lost-b", second)

    assert (first.resyncs, second.resyncs) == (1, 1)
    assert subscribed == [(b"trialoog:fanout:room-lost-a", 1), (b"trialoog:fanout:room-lost-b", 1)]
    assert frame == '{"seq":7}'


async def test_a_room_left_and_joined_in_one_turn_stays_subscribed(server):
    """UNSUBSCRIBE and SUBSCRIBE go out in the order asked: the new member hears the room."""
    hub, other, leaving, coming = fanout.hub(), Member(), Member(), Member()
    await hub.join("room-other", other)  # keeps the connection open when room-again empties
    await hub.join("room-again", leaving)
    try:
        hub.leave("room-again", leaving)
        await hub.join("room-again", coming)
        subscribed = server.pubsub_numsub("trialoog:fanout:room-again")
        await asyncio.to_thread(fanout.publish, "room-again", '{"seq":1}')
        frame = await asyncio.wait_for(coming.frames.get(), 5)
    finally:
        hub.leave("room-again", coming)
        hub.leave("room-other", other)

    assert subscribed == [(b"trialoog:fanout:room-again", 1)]
    assert frame == '{"seq":1}'


async def test_the_last_member_leaving_closes_the_connection(server):
    """With no room left in this process, the subscription connection goes away."""
    hub, member = fanout.hub(), Member()
    await hub.join("room-closing", member)
    subscribers = len(server.client_list(_type="pubsub"))

    hub.leave("room-closing", member)

    await _until(lambda: not server.client_list(_type="pubsub"))
    assert subscribers == 1
