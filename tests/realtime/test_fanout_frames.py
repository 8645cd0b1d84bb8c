"""The fan-out's shared frame bytes, and frames arriving in order."""

import asyncio
import json
import threading

import pytest
from django.db import connection
from websockets.frames import Frame, Opcode
from websockets.streams import StreamReader

from realtime import broadcast, groups
from realtime.live import fanout
from realtime.live.fanout import Outgoing


def _parse(data: bytes) -> Frame:
    reader = StreamReader()
    reader.feed_data(data)
    reader.feed_eof()
    parser = Frame.parse(reader.read_exact, mask=False)
    try:
        next(parser)
    except StopIteration as done:
        return done.value
    raise AssertionError("incomplete frame")


def test_wire_is_the_text_frame_a_server_sends():
    """Unmasked, final, text, with the UTF-8 payload: what every client decodes as the same message."""
    text = '{"type":"question.asked","question":{"text":"Wie betaalt de rekening? é€"}}' * 40
    frame = _parse(Outgoing(text).wire)

    assert (frame.opcode, frame.fin, frame.rsv1) == (Opcode.TEXT, True, False)
    assert frame.data.decode() == text


def test_wire_is_built_once():
    outgoing = Outgoing("{}")
    assert outgoing.wire is outgoing.wire


@pytest.mark.django_db(transaction=True)
async def test_concurrent_broadcasts_arrive_in_seq_order(live_room):
    """Eight threads broadcast to one room at once: through Redis, every frame arrives, in seq order."""
    received = []

    class Member:
        def deliver(self, outgoing):
            received.append(json.loads(outgoing.text)["seq"])

        def resync(self):
            raise AssertionError("the subscription never dropped")

    hub = fanout.hub()
    member = Member()
    await hub.join(groups.room(live_room.pk), member)
    try:

        def burst():
            try:
                for _ in range(25):
                    broadcast.publish(live_room.pk, "bench.tick")
            finally:
                connection.close()

        threads = [threading.Thread(target=burst) for _ in range(8)]
        await asyncio.gather(*(asyncio.to_thread(t.run) for t in threads))
        for _ in range(100):
            if len(received) == 200:
                break
            await asyncio.sleep(0.05)
    finally:
        hub.leave(groups.room(live_room.pk), member)

    assert len(received) == 200
    assert received == sorted(received)
    assert received == list(range(received[0], received[0] + 200))
