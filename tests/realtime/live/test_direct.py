"""The uvicorn direct write (realtime/live/direct.py): taken on the compose command, guarded everywhere else."""

import json

import pytest
import uvicorn
from channels.db import database_sync_to_async
from websockets.asyncio.client import connect

from realtime.live import direct
from realtime.services import questions as question_services
from tests.realtime.live.conftest import production_cookie

pytestmark = pytest.mark.django_db(transaction=True)

TAKEN = "room frames for this socket are written directly to uvicorn's transport"


async def _next(socket, kind: str) -> dict:
    while True:
        frame = json.loads(await socket.recv())
        if frame["type"] == kind:
            return frame


async def test_compose_uvicorn_takes_the_direct_path(compose_server, live_room, make_participant):
    """The compose command (uvicorn --ws websockets-sansio): a room socket is written to directly, and its frames
    arrive whole. The server logs one line per socket that takes the fast path, none that falls back."""
    user = await database_sync_to_async(make_participant)(live_room)
    cookie = await database_sync_to_async(production_cookie)(user)
    code = await database_sync_to_async(lambda: live_room.session.code)()
    with compose_server(LOG_LEVEL="DEBUG") as (base, log):
        url = base.replace("http://", "ws://") + f"/ws/rooms/{code}/"
        async with connect(
            url, origin=base, additional_headers={"Cookie": cookie}, open_timeout=10
        ) as socket:
            await _next(socket, "room.snapshot")
            await database_sync_to_async(question_services.question_ask)(
                user=user, room=live_room, text="Over de directe weg"
            )
            asked = await _next(socket, "question.asked")
        lines = log.read_text().splitlines()

    assert asked["question"]["text"] == "Over de directe weg"
    assert sum(TAKEN in line for line in lines) == 1
    assert [line for line in lines if "fall back to ASGI send" in line] == []


def test_the_installed_uvicorn_is_a_tested_version():
    """A uvicorn upgrade past TESTED_UVICORN turns the fast path off until it is checked again (and this fails)."""
    assert direct.version_supported(uvicorn.__version__) is True


def test_versions_outside_the_tested_range_are_refused():
    assert [
        direct.version_supported(v) for v in ("0.34.3", "0.35.0", "0.54.9", "0.55.0", "1.0", "x", None)
    ] == [
        False,
        True,
        True,
        False,
        False,
        False,
        False,
    ]


async def test_other_servers_use_asgi_send(settings):
    """Not uvicorn's protocol (daphne, the test communicator), or the setting off: no fast path."""

    async def send(message):
        raise AssertionError("not called")

    settings.ROOM_DIRECT_WRITES = True
    assert direct.direct_for(send) is None
