"""The fan-out and the channel layer over `rediss://`: a Redis that speaks only TLS, with a throwaway CA."""

import asyncio

import pytest
import redis
from channels.layers import get_channel_layer

from realtime import bus, groups
from realtime.live import fanout
from trialoog.env import channel_layers

pytestmark = pytest.mark.django_db(transaction=True)


class Member:
    def __init__(self):
        self.frames = asyncio.Queue()

    def deliver(self, outgoing):
        self.frames.put_nowait(outgoing.text)

    def resync(self):
        raise AssertionError("the subscription never dropped")


@pytest.fixture
def over_tls(tls_redis, settings):
    """Point every Redis client of the live rooms at the TLS server (the channel layer too: it is where the
    fan-out used to find its URL)."""
    settings.FANOUT_REDIS_URL = tls_redis.url
    settings.CHANNEL_LAYERS = channel_layers(tls_redis.url)
    return redis.Redis.from_url(tls_redis.url)


async def test_a_published_frame_reaches_a_member_over_tls(over_tls, live_room):
    """`bus.publish` sends the frame through the TLS server to the hub's member, unchanged."""
    group = groups.room(live_room.pk)
    hub, member = fanout.hub(), Member()
    await hub.join(group, member)
    try:
        subscribers = over_tls.pubsub_numsub(f"trialoog:fanout:{group}")
        text = '{"type":"bench.tick","seq":1,"tekst":"é"}'
        await asyncio.to_thread(bus.publish, group, bus.sequenced(1, text))
        frame = await asyncio.wait_for(member.frames.get(), 5)
    finally:
        hub.leave(group, member)

    assert subscribers == [(f"trialoog:fanout:{group}".encode(), 1)]
    assert frame == '{"type":"bench.tick","seq":1,"tekst":"é"}'


async def test_the_subscription_over_tls_connects_once_instead_of_looping(over_tls, live_room):
    """
    With a `rediss://` URL joining returns once subscribed, and the connection stays: no reconnects.

    The hand-written RESP subscriber spoke plain TCP to the TLS port: the server hung up on every
    attempt, the join timed out and the hub reconnected every RECONNECT_DELAY.
    """
    group = groups.room(live_room.pk)
    hub, member = fanout.hub(), Member()
    await hub.join(group, member)
    try:
        before = over_tls.info("stats")["total_connections_received"]
        await asyncio.sleep(fanout.RECONNECT_DELAY * 4)
        after = over_tls.info("stats")["total_connections_received"]
    finally:
        hub.leave(group, member)

    assert after == before


async def test_the_channel_layer_round_trips_a_group_message_over_tls(over_tls):
    """channels_redis reads the same `rediss://` URL: group_add, group_send and receive work through TLS."""
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add("tls-check", channel)

    await layer.group_send("tls-check", {"type": "tls.ping", "text": "hallo"})
    message = await asyncio.wait_for(layer.receive(channel), 5)
    groups_on_tls_server = over_tls.keys("trialoog:group:tls-check")
    await layer.flush()

    assert message == {"type": "tls.ping", "text": "hallo"}
    assert groups_on_tls_server == [b"trialoog:group:tls-check"]
