"""The slow-client rule (realtime/live/member.py) on the compose command: a socket that stops reading."""

import asyncio
import json
import socket
import time

import pytest
from channels.db import database_sync_to_async
from websockets.asyncio.client import connect

from realtime.services import questions as question_services
from tests.realtime.live.conftest import production_cookie

pytestmark = pytest.mark.django_db(transaction=True)

QUESTIONS = 400
LIMIT = 64 * 1024


def _small_window_socket(port: int) -> socket.socket:
    """A TCP socket that takes little at a time: a phone on a weak network, or a tab in the background."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    sock.setblocking(False)
    return sock


async def _frames_until(socket_, kind: str, timeout: float) -> list[dict]:
    frames = []
    async with asyncio.timeout(timeout):
        while not frames or frames[-1]["type"] != kind:
            frames.append(json.loads(await socket_.recv()))
    return frames


async def test_a_client_that_stops_reading_gets_a_snapshot_instead_of_the_backlog(
    compose_server, live_room, make_participant
):
    """
    One client stops reading while the room gets 400 questions (about 120 KB of frames). The server does not
    keep them all for it: when it reads again it gets some of the old frames, then a fresh room.snapshot that
    holds all 400. A client that reads along meanwhile gets every frame, in order, without waiting for it.
    """
    asker, slow_user, watcher_user = [
        await database_sync_to_async(make_participant)(live_room) for _ in range(3)
    ]
    code = await database_sync_to_async(lambda: live_room.session.code)()
    slow_cookie = await database_sync_to_async(production_cookie)(slow_user)
    watcher_cookie = await database_sync_to_async(production_cookie)(watcher_user)
    with compose_server(ROOM_SLOW_CLIENT_BYTES=str(LIMIT)) as (base, _log):
        url = base.replace("http://", "ws://") + f"/ws/rooms/{code}/"
        port = int(base.rsplit(":", 1)[1])
        async with (
            connect(
                url,
                origin=base,
                additional_headers={"Cookie": slow_cookie},
                sock=_small_window_socket(port),
                ping_interval=None,
                max_queue=4,
            ) as slow,
            connect(url, origin=base, additional_headers={"Cookie": watcher_cookie}) as watcher,
        ):
            first = json.loads(await slow.recv())
            await _frames_until(watcher, "room.snapshot", 10)
            slow.transport.pause_reading()

            async def read_along():
                seqs = []
                async with asyncio.timeout(60):
                    while len(seqs) < QUESTIONS:
                        frame = json.loads(await watcher.recv())
                        if frame["type"] == "question.asked":
                            seqs.append((frame["seq"], time.monotonic()))
                        assert frame["type"] != "room.snapshot"
                return seqs

            reading = asyncio.ensure_future(read_along())

            def ask_all():
                for n in range(QUESTIONS):
                    question_services.question_ask(
                        user=asker, room=live_room, text=f"Vraag {n}: " + "waarom " * 20, client_id=f"q{n}"
                    )
                return time.monotonic()

            asked_at = await database_sync_to_async(ask_all)()
            seen = await reading
            slow.transport.resume_reading()
            caught_up = await _frames_until(slow, "room.snapshot", 30)

    asked_to_slow = [f for f in caught_up if f["type"] == "question.asked"]
    snapshot = caught_up[-1]
    assert first["type"] == "room.snapshot"
    assert [seq for seq, _at in seen] == list(range(seen[0][0], seen[0][0] + QUESTIONS))
    assert seen[-1][1] - asked_at < 2.0
    assert len(asked_to_slow) < QUESTIONS / 2
    assert snapshot["seq"] == seen[-1][0]
    assert snapshot["totals"]["questions"] == QUESTIONS
