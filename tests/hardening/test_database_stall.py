"""PostgreSQL stalls for 30 s while actions wait on it: the sockets stay open, and the actions are answered after."""

import asyncio
import contextlib
import json
import os
import signal
from pathlib import Path

import pytest
from channels.db import database_sync_to_async
from websockets.asyncio.client import connect

from tests.realtime.live.conftest import production_cookie
from tests.servers import started_server

pytestmark = pytest.mark.django_db(transaction=True)

STALL_SECONDS = 30


def _cluster_pids(datadir: str) -> list[int]:
    """The postmaster of the suite's PostgreSQL and every process it started (backends, writers)."""
    postmaster = int(Path(datadir, "postmaster.pid").read_text().split()[0])
    pids = [postmaster]
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == postmaster:
            pids.append(int(stat.parent.name))
    return pids


@contextlib.contextmanager
def frozen(datadir: str):
    """Every PostgreSQL process stopped (SIGSTOP): connections stay open and queries hang, as in a stall."""
    pids = _cluster_pids(datadir)
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)


async def test_a_30_second_database_stall_closes_no_socket(compose_server, live_room, make_participant):
    """
    Two clients with the default keepalive (websockets and uvicorn: a ping every 20 s, closed after 20 s
    without a pong) each have an action waiting while PostgreSQL is stopped for 30 s, over a keepalive
    ping and its deadline. No socket closes; once the database is back each action is acknowledged, or
    answered `unavailable` when its wait for a connection ran out, and the socket still answers a ping.
    """
    postgres = started_server("postgres")
    assert postgres is not None, "this test stops the suite's own PostgreSQL"
    users = [await database_sync_to_async(make_participant)(live_room) for _ in range(2)]
    cookies = [await database_sync_to_async(production_cookie)(user) for user in users]
    code = await database_sync_to_async(lambda: live_room.session.code)()
    with compose_server() as (base, _log):
        url = base.replace("http://", "ws://") + f"/ws/rooms/{code}/"
        async with contextlib.AsyncExitStack() as stack:
            sockets = [
                await stack.enter_async_context(
                    connect(
                        url,
                        origin=base,
                        additional_headers={"Cookie": cookie},
                        ping_interval=20,
                        ping_timeout=20,
                    )
                )
                for cookie in cookies
            ]
            for socket in sockets:
                assert json.loads(await socket.recv())["type"] == "room.snapshot"
            # Start the stall just before the server's first keepalive ping (20 s after the handshake), so
            # the ping and its 20 s deadline both fall inside it.
            await asyncio.sleep(15)
            with frozen(postgres.datadir):
                for n, socket in enumerate(sockets):
                    await socket.send(
                        json.dumps({"action": "question.ask", "id": f"stall-{n}", "text": f"Vraag {n}"})
                    )
                    # room.js sends its own ping every 30 s: a second frame arrives while the first action waits.
                    await socket.send(json.dumps({"action": "ping", "id": f"ping-{n}"}))
                await asyncio.sleep(STALL_SECONDS)
            answers = [
                await _answers(socket, {f"stall-{n}", f"ping-{n}"}) for n, socket in enumerate(sockets)
            ]
            for socket in sockets:
                await socket.send(json.dumps({"action": "ping", "id": "after"}))
            pongs = [await _answers(socket, {"after"}) for socket in sockets]

    # Acked, or answered `unavailable` when the wait for a database connection ran out; never unanswered.
    assert [
        {key: frame["type"] == "ack" or frame["type"] == "pong" or frame["code"] == "unavailable"}
        for answer in answers
        for key, frame in sorted(answer.items())
    ] == [{"ping-0": True}, {"stall-0": True}, {"ping-1": True}, {"stall-1": True}]
    assert [answer["after"] for answer in pongs] == [{"type": "pong", "id": "after"}] * 2


async def _answers(socket, ids: set[str], timeout: float = 40) -> dict[str, dict]:
    """The ack, error or pong of each id, in whatever order they come (actions run concurrently)."""
    found = {}
    async with asyncio.timeout(timeout):
        while set(found) != ids:
            frame = json.loads(await socket.recv())
            if frame.get("id") in ids and frame["type"] in ("ack", "error", "pong"):
                found[frame["id"]] = frame
    return found
