"""Redis stops during a live session: pages and open sockets keep working, new sockets wait, then resync; nothing is lost or doubled."""

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


async def _frames_until(client: RoomClient, seconds: float, done) -> list[dict]:
    """The frames the open socket receives until `done(frames)` holds or `seconds` pass."""
    frames = []
    try:
        async with asyncio.timeout(seconds):
            while not done(frames):
                frames.append(json.loads(await client.socket.recv()))
    except TimeoutError:
        pass
    return frames


def _asked(frames: list[dict]) -> list[str]:
    return [f["question"]["text"] for f in frames if f["type"] == "question.asked"]


async def test_redis_outage_keeps_rooms_working_and_loses_nothing(
    redis_server, daphne_server, room_and_people
):
    """
    With Redis stopped, an open live socket stays open: a form post still stores a question and the socket
    receives it (the hub's check reads it from the room's log), a live action is acked and stored, and a
    new socket is refused. Once Redis is back the socket takes a fresh snapshot (a score frame, which is
    not logged, was lost meanwhile) with everything, and a resend of an acked action is a duplicate: each
    action is stored exactly once.
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
    await asyncio.sleep(1)  # the hub sees its subscription drop
    status, _body = await sync_to_async(Browserless(daphne_server.base, asker_cookie).post)(
        f"/zaal/{code}/vraag/", {"text": "Gesteld tijdens de storing"}
    )
    during = await _frames_until(live, 15, lambda frames: _asked(frames))
    live.queue({"action": "question.ask", "id": "outbox-1", "text": "Uit de socket"})
    question = next(f["question"]["id"] for f in during if f["type"] == "question.asked")
    # Its score frame is a counter frame, not logged: lost while Redis is away.
    live.queue({"action": "question.upvote", "id": "vote-1", "question": question})
    replies = await live.flush()
    newcomer = RoomClient(daphne_server.base, code, asker_cookie)
    try:
        await newcomer.connect(timeout=8)
        refused = False
    except (OSError, InvalidStatus, ConnectionClosed, TimeoutError):
        refused = True
    redis_server.start()
    after = await _frames_until(live, 30, lambda frames: any(f["type"] == "room.snapshot" for f in frames))
    live.queue({"action": "question.ask", "id": "outbox-1", "text": "Uit de socket"})
    resent = await live.flush()
    await live.close()

    texts = await sync_to_async(lambda: sorted(Question.objects.values_list("text", flat=True)))()
    snapshots = [f for f in after if f["type"] == "room.snapshot"]
    assert status == 302
    assert _asked(during) == ["Gesteld tijdens de storing"]
    assert [r["type"] for r in replies] == ["ack", "ack"]
    assert refused is True
    assert snapshots, [f["type"] for f in after]
    assert sorted(q["text"] for q in snapshots[-1]["questions"]) == texts
    assert {q["text"]: q["upvotes"] for q in snapshots[-1]["questions"]}["Gesteld tijdens de storing"] == 1
    assert resent[0]["duplicate"] is True
    assert texts == ["Gesteld tijdens de storing", "Uit de socket"]


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
        self.asked: list[float] = []  # when a question.asked frame arrived

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
                        kind = json.loads(message)["type"]
                        if kind == "room.snapshot":
                            self.snapshots.append(loop.time())
                        elif kind == "question.asked":
                            self.asked.append(loop.time())
            except (OSError, InvalidStatus, ConnectionClosed, TimeoutError):
                pass
            delay = min(30.0, 1.0 * 2**failed)
            failed += 1
            await asyncio.sleep(delay / 2 + random.random() * delay / 2)  # noqa: S311 - jitter, not a secret


async def test_redis_outage_does_not_defeat_the_reconnect_backoff(
    redis_server, compose_server, room_and_people
):
    """
    Redis stops for 10 s under 6 connected clients that back off like room.js (and start again from 1 s on
    every open socket), and a 7th starts connecting then. The open sockets stay open (no reconnect at all);
    the server refuses the newcomer's handshakes while it cannot reach Redis instead of accepting and
    dropping them, so it tries at most 5 times in those 10 s (20 and more before). Once Redis is back the
    newcomer gets its snapshot and a question asked reaches all 7.
    """
    room, (asker, _watcher) = room_and_people
    users = [
        await sync_to_async(UserFactory)(perspective=perspective)
        for perspective in ("uitvoering", "politiek", "beleid") * 2 + ("beleid",)
    ]
    for user in users:
        await sync_to_async(RegistrationFactory)(user=user, event=room.session.event)
    cookies = [await sync_to_async(production_cookie)(user) for user in users]
    asker_cookie = await sync_to_async(production_cookie)(asker)
    with compose_server(redis_url=redis_server.url) as (base, _log):
        url = base.replace("http://", "ws://") + f"/ws/rooms/{room.session.code}/"
        clients = [BackoffClient(url, base, cookie) for cookie in cookies]
        *connected, newcomer = clients
        tasks = [asyncio.ensure_future(client.run()) for client in connected]
        try:
            async with asyncio.timeout(20):
                while not all(client.snapshots for client in connected):
                    await asyncio.sleep(0.1)
            loop = asyncio.get_running_loop()
            await asyncio.to_thread(redis_server.stop)
            down_at = loop.time()
            tasks.append(asyncio.ensure_future(newcomer.run()))
            await asyncio.sleep(10)
            up_at = loop.time()
            await asyncio.to_thread(redis_server.start)
            recovered, replies = True, []
            try:
                async with asyncio.timeout(45):
                    while not (newcomer.snapshots and newcomer.snapshots[-1] > up_at):
                        await asyncio.sleep(0.2)
                asking = RoomClient(base, room.session.code, asker_cookie)
                await asking.connect()
                asking.queue({"action": "question.ask", "id": "after-1", "text": "Na de storing"})
                replies = await asking.flush()
                await asking.close()
                async with asyncio.timeout(15):
                    while not all(client.asked for client in clients):
                        await asyncio.sleep(0.2)
            except TimeoutError:
                recovered = False
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    during = [sum(down_at <= at < up_at for at in client.attempts) for client in clients]
    assert during[:-1] == [0] * 6, during
    assert 1 <= during[-1] <= 5, during
    assert recovered is True, ([len(c.asked) for c in clients], newcomer.snapshots)
    assert [r["type"] for r in replies] == ["ack"]
