import asyncio

import pytest
from channels.testing import WebsocketCommunicator
from django.conf import settings

from trialoog.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)


async def test_idle_consumer_on_redis_still_receives_after_15_seconds():
    """A consumer idle for 15 s on the real Redis layer still gets group messages (no socket timeout)."""
    assert settings.CHANNEL_LAYERS["default"]["BACKEND"] == "channels_redis.core.RedisChannelLayer"
    communicator = WebsocketCommunicator(
        application, "/ws/ping/", headers=[(b"origin", b"http://localhost"), (b"host", b"localhost")]
    )
    connected, _ = await communicator.connect()
    assert connected

    await asyncio.sleep(15)
    await communicator.send_json_to({"action": "ping", "id": "after-idle"})
    reply = await communicator.receive_json_from(timeout=5)

    assert reply == {"type": "pong", "id": "after-idle"}
    await communicator.disconnect()


async def test_websocket_from_a_foreign_origin_is_refused():
    """The Origin header must be the site's own origin."""
    communicator = WebsocketCommunicator(
        application, "/ws/ping/", headers=[(b"origin", b"http://evil.example"), (b"host", b"localhost")]
    )

    connected, _ = await communicator.connect()

    assert connected is False
