"""Redis stops during a live session: pages keep working, clients go offline, then resync; nothing is lost or doubled."""

import asyncio

import pytest
from asgiref.sync import sync_to_async

from realtime.models import LiveRoom, Question
from tests.factories import RegistrationFactory, SessionFactory, UserFactory
from tests.hardening.conftest import Browserless, RoomClient, session_cookie

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
