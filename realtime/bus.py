"""
The sending half of the fan-out: one Redis PUBLISH per room frame, from any thread.

Core code (realtime/broadcast.py, realtime/events.py) sends through here and
never touches a socket. The receiving half, which writes each frame to the
local sockets of a room, is the live edge's hub (realtime/live/fanout.py): it
registers itself with `listen()`, which is how frames reach it without Redis
(the in-memory layer of the demo) and how `live_loop()` knows which event loop
serves this process's sockets.
"""

import asyncio
import threading
from collections.abc import Callable

import redis
from django.conf import settings


def redis_config() -> tuple[str, str] | None:
    """(url, channel prefix) of the fan-out's Redis, or None without Redis (this process is the world)."""
    url = settings.FANOUT_REDIS_URL
    return (url, settings.FANOUT_PREFIX) if url else None


def sequenced(seq: int | None, text: str) -> str:
    """A frame as the fan-out carries it: its `seq` in front (empty for frames without one), then the text."""
    return f"{'' if seq is None else seq}|{text}"


def counted(number: int, text: str) -> str:
    """A counter frame as the fan-out carries it: `c` and its counter number in front, then the text."""
    return f"c{number}|{text}"


# --- the local hubs ---------------------------------------------------------------------------

_listeners: dict[asyncio.AbstractEventLoop, Callable[[str, str], None]] = {}
_listeners_lock = threading.Lock()


def listen(loop: asyncio.AbstractEventLoop, deliver: Callable[[str, str], None]) -> None:
    """Register the hub of `loop`: `deliver(group, data)` takes frames published without Redis."""
    with _listeners_lock:
        for old in [old for old in _listeners if old.is_closed()]:
            del _listeners[old]
        _listeners[loop] = deliver


def live_loop() -> asyncio.AbstractEventLoop | None:
    """The running event loop that serves this process's room sockets, or None (no hub runs here)."""
    with _listeners_lock:
        for loop in _listeners:
            if loop.is_running() and not loop.is_closed():
                return loop
    return None


# --- publishing (any thread) ------------------------------------------------------------------

_publishers: dict[str, redis.Redis] = {}
_publishers_lock = threading.Lock()


def _redis_publisher() -> redis.Redis:
    url = settings.FANOUT_REDIS_URL
    with _publishers_lock:
        client = _publishers.get(url)
        if client is None:
            # Short timeouts: a publish that hangs holds up the thread that committed the event.
            client = _publishers[url] = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        return client


def publish(group: str, data: str) -> None:
    """Send one frame (`sequenced`) to every socket of `group`, in every process."""
    config = redis_config()
    if config is None:
        with _listeners_lock:
            listeners = list(_listeners.items())
        for loop, deliver in listeners:
            if not loop.is_closed():
                loop.call_soon_threadsafe(deliver, group, data)
        return
    channel = config[1] + group
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        loop = None
    if loop is not None:
        # Never block an event loop on a socket write to Redis.
        loop.run_in_executor(None, _redis_publisher().publish, channel, data)
    else:
        _redis_publisher().publish(channel, data)


def cluster_wait(name: str, interval: float) -> float:
    """
    Seconds until this process may send the throttled frame `name` again, 0 when it may now.

    One Redis key per frame name lives for `interval`: whichever server process
    sets it first sends, the others wait for it to expire. Without Redis, or
    when Redis does not answer, there is nobody to share with: 0.
    """
    config = redis_config()
    if config is None:
        return 0.0
    key = f"{config[1]}throttle:{name}"
    try:
        client = _redis_publisher()
        if client.set(key, b"1", nx=True, px=max(1, int(interval * 1000))):
            return 0.0
        return max(0.0, client.pttl(key) / 1000)
    except Exception:  # noqa: BLE001 - a missing throttle must not stop the frame
        return 0.0
