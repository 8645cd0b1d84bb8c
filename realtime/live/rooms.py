"""What the edge asks about rooms before and while a socket is in one, off the event loop."""

import asyncio

from channels.db import database_sync_to_async

from realtime import selectors
from realtime.models import LiveRoom
from realtime.threads import database_threads_size


def db(fn):
    """
    Run ORM work in the live rooms' database threads, not on the one thread-sensitive executor.

    Every call is self-contained (its own transaction, a connection lent by
    the pool for the call), so several connects and actions can reach the
    database at once; with one thread they queued behind each other (see
    docs/performance.md).
    """
    database_threads_size()
    return database_sync_to_async(fn, thread_sensitive=False)


_room_ids: dict[str, int] = {}
_room_lookups: dict[tuple, asyncio.Future] = {}


async def room_id(code: str) -> int | None:
    """
    The live room behind a join code, remembered per process.

    A crowd that arrives before the first answer shares that one lookup. The
    join checks the code against the room again (an organiser may change it in
    the admin) and the consumer `forget`s a code that no longer matches.
    """
    found = _room_ids.get(code)
    if found is not None:
        return found
    key = (asyncio.get_running_loop(), code)
    lookup = _room_lookups.get(key)
    if lookup is None:
        lookup = _room_lookups[key] = asyncio.ensure_future(db(selectors.room_get_by_code)(code=code))
        lookup.add_done_callback(lambda _done: _room_lookups.pop(key, None))
    room = await asyncio.shield(lookup)
    if room is None:
        return None
    if len(_room_ids) > 10_000:
        _room_ids.clear()
    _room_ids[code] = room.pk
    return room.pk


def forget(code: str) -> None:
    _room_ids.pop(code, None)


def _projector_token_valid(room_id: int, token: str | None) -> bool:
    return LiveRoom.objects.filter(pk=room_id, projector_token=token).exists()


async def projector_token_valid(room_id: int, token: str | None) -> bool:
    """Whether a projector's secret link is still the room's (a moderator may reset it)."""
    return await db(_projector_token_valid)(room_id, token)
