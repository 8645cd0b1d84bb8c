"""The /healthz endpoint: a real database query and a real channel-layer round trip."""

import asyncio
import logging

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.db import connection
from django.http import JsonResponse

logger = logging.getLogger(__name__)

CHANNEL_LAYER_TIMEOUT = 3.0


def _check_database() -> None:
    # Django closes the connection at the end of the request (request_finished).
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


async def _check_channel_layer() -> None:
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("no channel layer configured")
    # The default prefix matters: channels-redis serves every process-local
    # channel ("specific.<process>!…") from one receive loop, and a channel
    # with another prefix is never read while a consumer holds that loop.
    channel = await layer.new_channel()
    await layer.send(channel, {"type": "healthz.ping"})
    message = await layer.receive(channel)
    if message.get("type") != "healthz.ping":
        raise RuntimeError("channel layer returned an unexpected message")


async def healthz(request):
    """Return 200 when the database and the channel layer both work, else 503 naming the failing part."""
    result = {}
    try:
        await sync_to_async(_check_database, thread_sensitive=True)()
        result["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means "not healthy"
        logger.warning("healthz: database check failed: %s", exc)
        result["database"] = "error"
    try:
        await asyncio.wait_for(_check_channel_layer(), timeout=CHANNEL_LAYER_TIMEOUT)
        result["channel_layer"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means "not healthy"
        logger.warning("healthz: channel layer check failed: %r", exc)
        result["channel_layer"] = "error"
    status = 200 if all(value == "ok" for value in result.values()) else 503
    response = JsonResponse(result, status=status)
    response["Cache-Control"] = "no-store"
    return response
