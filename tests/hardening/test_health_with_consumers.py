"""/healthz must keep answering 200 while WebSocket consumers are connected to the same process."""

import asyncio
import urllib.request

import pytest

from realtime.models import LiveRoom
from tests.factories import RegistrationFactory, SessionFactory, UserFactory
from tests.hardening.conftest import RoomClient, session_cookie

pytestmark = pytest.mark.django_db(transaction=True)


def test_healthz_stays_ok_while_consumers_are_connected(daphne_server):
    """A connected room client must not starve the health check's channel-layer round trip."""
    room = LiveRoom.objects.create(session=SessionFactory(), is_open=True)
    user = UserFactory()
    RegistrationFactory(user=user, event=room.session.event)
    cookie = session_cookie(user)

    async def run() -> list[int]:
        client = RoomClient(daphne_server.base, room.session.code, cookie)
        await client.connect()
        statuses = []
        for _ in range(3):
            with await asyncio.to_thread(
                urllib.request.urlopen, f"{daphne_server.base}/healthz", timeout=10
            ) as response:
                statuses.append(response.status)
        await client.close()
        return statuses

    assert asyncio.run(run()) == [200, 200, 200]
