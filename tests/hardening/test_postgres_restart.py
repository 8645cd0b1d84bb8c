"""PostgreSQL restarts: clear errors during the outage, nothing half-written, recovery without a manual step."""

import asyncio
import json
import urllib.request

import pytest
from asgiref.sync import sync_to_async
from django.db import connection

from realtime.models import LiveRoom, Question
from tests.factories import RegistrationFactory, SessionFactory, UserFactory
from tests.hardening.conftest import Browserless, RoomClient, session_cookie
from tests.servers import started_server

pytestmark = pytest.mark.django_db(transaction=True)


def _health(base: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(f"{base}/healthz", timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


async def _outage(postgres, base: str, code: str, cookie: str) -> dict:
    browser = Browserless(base, cookie)
    await asyncio.to_thread(browser.get, f"/zaal/{code}/")
    live = RoomClient(base, code, cookie)
    await live.connect()
    seen = {}
    await asyncio.to_thread(postgres.stop_server)
    try:
        seen["health_down"] = await asyncio.to_thread(_health, base)
        seen["page"] = await asyncio.to_thread(
            browser.post, f"/zaal/{code}/vraag/", {"text": "Tijdens de storing"}
        )
        live.queue({"action": "question.ask", "id": "during", "text": "Via de socket tijdens de storing"})
        seen["during"] = await live.flush()
    finally:
        await asyncio.to_thread(postgres.start_server)
    seen["health_up"] = await asyncio.to_thread(_health, base)
    seen["after_status"], _page = await asyncio.to_thread(
        browser.post, f"/zaal/{code}/vraag/", {"text": "Na de storing"}
    )
    seen["after"] = await live.flush()
    await live.close()
    return seen


def test_postgres_restart_gives_clear_errors_then_recovers(daphne_server):
    """During the outage: 503 with a Dutch page, an 'unavailable' error frame, healthz names the database.
    After the restart everything works again, with no manual step, and the unsaved action can be resent."""
    postgres = started_server("postgres")
    assert postgres is not None, "this test restarts the suite's own PostgreSQL"
    room = LiveRoom.objects.create(session=SessionFactory(), is_open=True)
    user = UserFactory()
    RegistrationFactory(user=user, event=room.session.event)
    cookie = session_cookie(user)
    connection.close()

    seen = asyncio.run(_outage(postgres, daphne_server.base, room.session.code, cookie))

    connection.close()
    # The restart killed the connection that async tests' sync_to_async thread may hold:
    # drop it, so a later test in that thread does not meet "terminating connection".
    asyncio.run(sync_to_async(lambda: connection.close())())  # `connection` resolved in that thread
    texts = sorted(Question.objects.values_list("text", flat=True))
    assert seen["health_down"] == (503, {"database": "error", "channel_layer": "ok"})
    assert seen["page"][0] == 503
    assert "Tijdelijke storing" in seen["page"][1]
    assert (seen["during"][0]["type"], seen["during"][0]["code"]) == ("error", "unavailable")
    assert seen["health_up"] == (200, {"database": "ok", "channel_layer": "ok"})
    assert seen["after_status"] == 302
    assert [reply["type"] for reply in seen["after"]] == ["ack"]
    assert texts == ["Na de storing", "Via de socket tijdens de storing"]
