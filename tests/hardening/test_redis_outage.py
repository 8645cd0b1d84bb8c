"""Redis stops during a live session: pages keep working, clients go offline, then resync; nothing is lost or doubled."""

import asyncio
import json
import random

import pytest
from asgiref.sync import sync_to_async
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from realtime.models import LiveRoom, Question
from tests.factories import RegistrationFactory, SessionFactory, UserFactory
from tests.hardening.conftest import Browserless, RoomClient, session_cookie
from tests.realtime.live.conftest import production_cookie

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def room_and_people(db):
    room = LiveRoom.objects.create(session=SessionFactory(), is_open=True)
    people = []
    for perspective in ("uitvoering", "politiek"):
        user = UserFactory(perspective=perspective)
        RegistrationFactory(user=user, event=room.session.event)
        people.append(user)
    return room, people


async def _closed_within(client: RoomClient, seconds: float) -> bool:
    try:
        async with asyncio.timeout(seconds):
            while True:
                await client.socket.recv()
    except TimeoutError:
        return False
    except Exception:  # noqa: BLE001 - any close or error means the client is offline
        return True


async def test_redis_outage_keeps_forms_working_and_loses_nothing(
    redis_server, daphne_server, room_and_people
):
    """
    With Redis stopped: a form post still stores a question and live clients are cut off (they see they
    are offline); once Redis is back, clients resync and every queued action is stored exactly once.
    """
    room, (asker, watcher) = room_and_people
    code = room.session.code
    asker_cookie, watcher_cookie = (
        await sync_to_async(session_cookie)(asker),
        await sync_to_async(session_cookie)(watcher),
    )
    live = RoomClient(daphne_server.base, code, watcher_cookie)
    await live.connect()

    redis_server.stop()
    went_offline = await _closed_within(live, 10)
    status, _body = await sync_to_async(Browserless(daphne_server.base, asker_cookie).post)(
        f"/zaal/{code}/vraag/", {"text": "Gesteld tijdens de storing"}
    )
    live.queue({"action": "question.ask", "id": "outbox-1", "text": "Uit de outbox"})
    redis_server.start()
    snapshot = await live.reconnect(within=20)
    replies = await live.flush()
    live.queue({"action": "question.ask", "id": "outbox-1", "text": "Uit de outbox"})
    resent = await live.flush()
    await live.close()

    texts = await sync_to_async(lambda: sorted(Question.objects.values_list("text", flat=True)))()
    assert went_offline is True
    assert status == 302
    assert [q["text"] for q in snapshot["questions"]] == ["Gesteld tijdens de storing"]
    assert [r["type"] for r in replies] == ["ack"]
    assert resent[0]["duplicate"] is True
    assert texts == ["Gesteld tijdens de storing", "Uit de outbox"]


class BackoffClient:
    """
    Reconnects as the old static/js/room.js did: after a close, wait a random time in [delay/2, delay], where
    delay is 1 s doubling per failed attempt up to 30 s, and start again from 1 s once a socket opens (the
    client now starts again only after a socket stayed open 10 s; the server's refusal must suffice alone).
    """

    def __init__(self, url: str, origin: str, cookie: str):
        self.url, self.origin, self.cookie = url, origin, cookie
        self.attempts: list[float] = []  # when each handshake was tried (loop time)
        self.snapshots: list[float] = []  # when a socket delivered its room.snapshot

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        failed = 0
        while True:
            self.attempts.append(loop.time())
            try:
                async with connect(
                    self.url, origin=self.origin, additional_headers={"Cookie": self.cookie}, open_timeout=10
                ) as socket:
                    failed = 0  # room.js: the socket's "open" event
                    async for message in socket:
                        if json.loads(message)["type"] == "room.snapshot":
                            self.snapshots.append(loop.time())
            except (OSError, InvalidStatus, ConnectionClosed, TimeoutError):
                pass
            delay = min(30.0, 1.0 * 2**failed)
            failed += 1
            await asyncio.sleep(delay / 2 + random.random() * delay / 2)  # noqa: S311 - jitter, not a secret


async def test_redis_outage_does_not_defeat_the_reconnect_backoff(
    redis_server, compose_server, room_and_people
):
    """
    Redis stops for 10 s under 6 clients that back off like room.js (and start again from 1 s on every
    open socket). The server refuses their handshakes while it cannot reach Redis instead of accepting and
    dropping them, so each tries at most 5 times in those 10 s (20 and more before); once Redis is back,
    every client gets a snapshot again.
    """
    room, _people = room_and_people
    users = [
        await sync_to_async(UserFactory)(perspective=perspective)
        for perspective in ("uitvoering", "politiek", "beleid") * 2
    ]
    for user in users:
        await sync_to_async(RegistrationFactory)(user=user, event=room.session.event)
    cookies = [await sync_to_async(production_cookie)(user) for user in users]
    with compose_server(redis_url=redis_server.url) as (base, _log):
        url = base.replace("http://", "ws://") + f"/ws/rooms/{room.session.code}/"
        clients = [BackoffClient(url, base, cookie) for cookie in cookies]
        tasks = [asyncio.ensure_future(client.run()) for client in clients]
        try:
            async with asyncio.timeout(20):
                while not all(client.snapshots for client in clients):
                    await asyncio.sleep(0.1)
            loop = asyncio.get_running_loop()
            await asyncio.to_thread(redis_server.stop)
            down_at = loop.time()
            await asyncio.sleep(10)
            up_at = loop.time()
            await asyncio.to_thread(redis_server.start)
            recovered = True
            try:
                async with asyncio.timeout(45):
                    while not all(client.snapshots and client.snapshots[-1] > up_at for client in clients):
                        await asyncio.sleep(0.2)
            except TimeoutError:
                recovered = False
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    during = [sum(down_at <= at < up_at for at in client.attempts) for client in clients]
    assert max(during) <= 5, during
    assert recovered is True
