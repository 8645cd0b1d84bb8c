"""
Fault injection: a server process is killed (SIGKILL) in the middle of broadcasting a new question,
while two uvicorn processes share the suite's PostgreSQL and Redis.

Worker A reaches PostgreSQL and Redis through TCP proxies the test controls. When A's PUBLISH of
the `question.asked` frame passes its Redis proxy, the test either

- drops the PUBLISH and kills A: the change is committed, its frame never reaches Redis
  ("between commit and publish", Redis frozen for A), or
- lets the PUBLISH through, freezes A's database connections and kills A: whatever A had not
  committed yet is rolled back ("between publish and commit").

The asker then reconnects to worker B and resends the action (same id), and someone on B asks a
second question. Every client on B, following the protocol (apply an event only when its `seq` is the
next one, resync on a gap), must end with both questions, having seen `seq` strictly increase by one,
and a fresh snapshot must equal the database.
"""

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from websockets.asyncio.client import connect

from bench import _harness
from realtime.models import Question
from scripts.services import free_port
from tests.production import _wait_until_healthy, suite_database_url

ROOT = Path(__file__).resolve().parent.parent.parent
WATCHERS = 3

pytestmark = pytest.mark.django_db(transaction=True)


class Proxy:
    """A TCP proxy on its own thread and event loop; `on_upstream(data)` may drop what a client sends."""

    def __init__(self, target_port: int):
        self.target_port = target_port
        self.port = free_port()
        self.frozen = False
        self.on_upstream = None  # data -> True to forward, False to drop
        self.transports: list = []
        self.loop = asyncio.new_event_loop()
        started = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(started,), daemon=True)
        self.thread.start()
        started.wait(5)

    def _run(self, started: threading.Event) -> None:
        asyncio.set_event_loop(self.loop)
        self.server = self.loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", self.port))
        started.set()
        self.loop.run_forever()

    async def _handle(self, reader, writer) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        self.transports += [writer.transport, up_writer.transport]
        await asyncio.gather(
            self._pipe(reader, up_writer, upstream=True),
            self._pipe(up_reader, writer, upstream=False),
            return_exceptions=True,
        )

    async def _pipe(self, reader, writer, upstream: bool) -> None:
        while data := await reader.read(65536):
            while self.frozen:
                await asyncio.sleep(0.01)
            if upstream and self.on_upstream is not None and not self.on_upstream(data):
                continue
            writer.write(data)
            await writer.drain()
        writer.close()

    def cut(self) -> None:
        """Abort every connection through the proxy (its client died: the server sees the connection drop)."""
        self.loop.call_soon_threadsafe(lambda: [t.abort() for t in self.transports])

    def close(self) -> None:
        async def stop():
            for transport in self.transports:
                transport.abort()
            self.server.close()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            self.loop.stop()

        asyncio.run_coroutine_threadsafe(stop(), self.loop)
        self.thread.join(5)


def _url_with_port(url: str, port: int) -> str:
    parts = urlsplit(url)
    credentials = parts.netloc.rpartition("@")[0]
    return urlunsplit(parts._replace(netloc=f"{credentials + '@' if credentials else ''}127.0.0.1:{port}"))


@contextlib.contextmanager
def _server(port: int, database_url: str, redis_url: str, log_path: Path):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_"))},
        "DJANGO_SETTINGS_MODULE": "trialoog.settings.test",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": settings.SECRET_KEY,
    }
    command = [
        str(Path(sys.executable).parent / "uvicorn"),
        *("--host", "127.0.0.1", "--port", str(port), "--ws", "websockets-sansio"),
        "trialoog.asgi:application",
    ]
    with open(log_path, "w") as log:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_until_healthy(f"http://127.0.0.1:{port}/healthz", proc)
            yield proc
        finally:
            _harness.stop_process(proc)


class Watcher:
    """A client that follows the protocol: applies an event only when its seq is the next one."""

    def __init__(self, url: str, origin: str, cookie: str):
        self.url, self.origin, self.cookie = url, origin, cookie
        self.seq = None
        self.questions: dict[int, str] = {}
        self.applied: list[int] = []
        self.gaps = 0
        self.acks: dict[str, dict] = {}

    async def open(self) -> None:
        self.ws = await connect(
            self.url, origin=self.origin, additional_headers={"Cookie": self.cookie}, ping_interval=None
        )
        self.reader = asyncio.get_running_loop().create_task(self._read())
        await _until(lambda: self.seq is not None)

    async def _read(self) -> None:
        with contextlib.suppress(Exception):
            async for text in self.ws:
                self.take(json.loads(text))

    def take(self, frame: dict) -> None:
        if frame["type"] == "room.snapshot":
            self.seq = frame["seq"]
            self.questions = {q["id"]: q["text"] for q in frame["questions"]}
        elif frame["type"] in ("ack", "error"):
            self.acks[frame["id"]] = frame
        elif isinstance(frame.get("seq"), int):
            if frame["seq"] <= self.seq:
                return  # already applied
            if frame["seq"] > self.seq + 1:
                self.gaps += 1
                asyncio.ensure_future(
                    self.ws.send(json.dumps({"action": "room.resync", "id": f"r{self.gaps}"}))
                )
                return
            self.seq = frame["seq"]
            self.applied.append(frame["seq"])
            if frame["type"] == "question.asked":
                self.questions[frame["question"]["id"]] = frame["question"]["text"]

    async def ask(self, action_id: str, text: str) -> dict:
        await self.ws.send(json.dumps({"action": "question.ask", "id": action_id, "text": text}))
        await _until(lambda: action_id in self.acks, timeout=15)
        return self.acks[action_id]

    async def close(self) -> None:
        self.reader.cancel()
        with contextlib.suppress(Exception):
            await self.ws.close()


async def _until(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.05)


@pytest.fixture
def two_workers(tmp_path):
    """Worker A behind proxies to PostgreSQL and Redis, worker B direct; yields (A proc, proxies, ports)."""
    database_url, redis_url = suite_database_url(), settings.REDIS_URL
    pg_proxy = Proxy(urlsplit(database_url).port)
    redis_proxy = Proxy(urlsplit(redis_url).port)
    ports = free_port(), free_port()
    try:
        with (
            _server(
                ports[0],
                _url_with_port(database_url, pg_proxy.port),
                _url_with_port(redis_url, redis_proxy.port),
                tmp_path / "a.log",
            ) as worker_a,
            _server(ports[1], database_url, redis_url, tmp_path / "b.log"),
        ):
            yield worker_a, pg_proxy, redis_proxy, ports
    finally:
        pg_proxy.close()
        redis_proxy.close()


@pytest.mark.parametrize("moment", ["after_commit_before_publish", "after_publish_before_commit"])
def test_every_client_converges_when_a_worker_dies_mid_broadcast(two_workers, moment):
    worker_a, pg_proxy, redis_proxy, ports = two_workers
    seed = _harness.seed(participants=WATCHERS, askers=1, vote_questions=0)
    url = "ws://127.0.0.1:{}/ws/rooms/" + seed.code + "/"
    origin = "http://127.0.0.1:{}"

    def on_upstream(data: bytes) -> bool:
        if b"PUBLISH" not in data or b"question.asked" not in data:
            return True
        redis_proxy.on_upstream = None
        if moment == "after_commit_before_publish":
            os.kill(worker_a.pid, signal.SIGKILL)
            return False  # the frame never reaches Redis
        pg_proxy.frozen = True  # nothing A sends the database after this publish arrives

        def kill():
            os.kill(worker_a.pid, signal.SIGKILL)
            pg_proxy.cut()

        redis_proxy.loop.call_later(0.5, kill)
        return True

    async def scenario():
        watchers = [
            Watcher(url.format(ports[1]), origin.format(ports[1]), c) for c in seed.participant_cookies
        ]
        asker = Watcher(url.format(ports[0]), origin.format(ports[0]), seed.asker_cookies[0])
        for client in [*watchers, asker]:
            await client.open()
        await asyncio.sleep(1.5)  # presence frames of the joins are out
        redis_proxy.on_upstream = on_upstream
        await asker.ws.send(json.dumps({"action": "question.ask", "id": "crash-1", "text": "Eerste vraag"}))
        await asyncio.to_thread(worker_a.wait, 15)
        await asker.close()

        # The asker's page reconnects to the other worker and resends what was not acknowledged.
        asker = Watcher(url.format(ports[1]), origin.format(ports[1]), seed.asker_cookies[0])
        await asker.open()
        resent = await asker.ask("crash-1", "Eerste vraag")
        second = await watchers[0].ask("after-1", "Tweede vraag")
        assert (resent["type"], second["type"]) == ("ack", "ack")
        try:
            await _until(
                lambda: all({"Eerste vraag", "Tweede vraag"} <= set(w.questions.values()) for w in watchers),
                timeout=15,
            )
        finally:
            seen = [sorted(w.questions.values()) for w in watchers]
            gaps = [w.gaps for w in watchers]
            applied = [w.applied for w in watchers]
            fresh = Watcher(url.format(ports[1]), origin.format(ports[1]), seed.participant_cookies[0])
            await fresh.open()
            for client in [*watchers, asker, fresh]:
                await client.close()
        return seen, gaps, applied, fresh.questions

    seen, gaps, applied, fresh = asyncio.run(scenario())

    assert worker_a.poll() == -signal.SIGKILL
    stored = dict(Question.objects.filter(room_id=seed.room_id).values_list("pk", "text"))
    assert sorted(stored.values()) == ["Eerste vraag", "Tweede vraag"]  # stored once each
    assert seen == [sorted(stored.values())] * WATCHERS
    assert gaps == [0] * WATCHERS
    for seqs in applied:
        assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))
    assert fresh == stored
