"""
Per-process fan-out of public room frames.

Stock Channels delivers a group message by copying it into one channel-layer
queue per consumer, then each consumer picks it up through `dispatch` (with a
thread hop to close old database connections) and writes it. For a room of
thousands that is thousands of Redis operations and thread hops per frame.

Here each server process keeps, per event loop, a `Hub`: the room's local
sockets in a set and ONE Redis SUBSCRIBE per room, on one redis.asyncio
PubSub connection (so `rediss://` and the URL's TLS options work as for every
other Redis client of the site). `publish()` does one Redis
PUBLISH of the already serialized frame; every process that has people in the
room receives it once and writes the same string to each local socket.

Redis pub/sub delivers at most once. That is safe because public frames carry
the room's `seq`: a client that sees a gap asks for a fresh `room.snapshot`.
When the subscription connection drops, every local member gets a snapshot
after it is restored. Without Redis (the in-memory layer of the demo) the
hubs of this process are the whole world and frames go to them directly.
"""

from __future__ import annotations

import asyncio
import logging
import threading

import redis
import redis.asyncio
from django.conf import settings
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

logger = logging.getLogger(__name__)

SUBSCRIBE_TIMEOUT = 5.0
RECONNECT_DELAY = 0.5
# No error is retried inside redis-py (see _Subscriber).
_NO_RETRY = Retry(NoBackoff(), 0, supported_errors=())


def _redis_config() -> tuple[str, str] | None:
    """(url, channel prefix) of the fan-out's Redis, or None without Redis (this process is the world)."""
    url = settings.FANOUT_REDIS_URL
    return (url, settings.FANOUT_PREFIX) if url else None


# --- publishing (any thread) ------------------------------------------------------

_publishers: dict[str, redis.Redis] = {}
_publishers_lock = threading.Lock()


def _redis_publisher() -> redis.Redis:
    url = settings.FANOUT_REDIS_URL
    with _publishers_lock:
        client = _publishers.get(url)
        if client is None:
            # Short timeouts: broadcast.publish holds the room row while it publishes.
            client = _publishers[url] = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        return client


def publish(group: str, text: str) -> None:
    """Send one serialized frame to every socket of `group`, in every process."""
    config = _redis_config()
    if config is None:
        for hub in list(_hubs.values()):
            if not hub.loop.is_closed():
                hub.loop.call_soon_threadsafe(hub.deliver, group, text)
        return
    channel = config[1] + group
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        loop = None
    if loop is not None:
        # Never block an event loop on a socket write to Redis.
        loop.run_in_executor(None, _redis_publisher().publish, channel, text)
    else:
        _redis_publisher().publish(channel, text)


def cluster_wait(name: str, interval: float) -> float:
    """
    Seconds until this process may send the throttled frame `name` again, 0 when it may now.

    One Redis key per frame name lives for `interval`: whichever server process
    sets it first sends, the others wait for it to expire. Without Redis, or
    when Redis does not answer, there is nobody to share with: 0.
    """
    config = _redis_config()
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


class Outgoing:
    """One room frame on its way to the local sockets: the text, and its WebSocket frame built once."""

    __slots__ = ("text", "_wire")

    def __init__(self, text: str):
        self.text = text
        self._wire = None

    @property
    def wire(self) -> bytes:
        """The unmasked, uncompressed text frame a server sends: the same bytes for every socket."""
        if self._wire is None:
            from websockets.frames import Frame, Opcode

            self._wire = Frame(Opcode.TEXT, self.text.encode()).serialize(mask=False)
        return self._wire


# --- receiving (one hub per event loop) --------------------------------------------

_hubs: dict = {}
_hubs_lock = threading.Lock()


def hub() -> Hub:
    """This event loop's hub."""
    loop = asyncio.get_running_loop()
    with _hubs_lock:
        for old in [old for old in _hubs if old.is_closed()]:
            del _hubs[old]
        found = _hubs.get(loop)
        if found is None:
            found = _hubs[loop] = Hub(loop)
        return found


class Hub:
    """The local members of each room group, fed by one subscription per group."""

    def __init__(self, loop: asyncio.AbstractEventLoop):
        self.loop = loop
        self.groups: dict[str, set] = {}
        config = _redis_config()
        self.subscriber = _Subscriber(self, *config) if config else None

    async def join(self, group: str, member) -> None:
        """Add a member (anything with `deliver(outgoing)` and `resync()`); subscribe first if needed."""
        members = self.groups.get(group)
        if members is None:
            members = self.groups[group] = set()
        members.add(member)
        if self.subscriber is not None:
            await self.subscriber.subscribe(group)

    def leave(self, group: str, member) -> None:
        members = self.groups.get(group)
        if members is None:
            return
        members.discard(member)
        if not members:
            del self.groups[group]
            if self.subscriber is not None:
                if self.groups:
                    self.subscriber.unsubscribe(group)
                else:
                    self.subscriber.close()  # nobody left here: no connection kept for nothing

    def deliver(self, group: str, text: str) -> None:
        outgoing = Outgoing(text)
        for member in tuple(self.groups.get(group, ())):
            try:
                member.deliver(outgoing)
            except Exception:  # noqa: BLE001 - one broken socket must not stop the room
                logger.exception("fan-out to a member failed")

    def resync_all(self) -> None:
        for members in list(self.groups.values()):
            for member in tuple(members):
                member.resync()


class _Subscriber:
    """
    The hub's redis.asyncio PubSub connection: SUBSCRIBE, UNSUBSCRIBE, messages.

    Commands go out in the order the hub asks for them (a queue with one
    writer), so a room left and joined again in one loop turn ends up
    subscribed. Replies come back in that order too: a group counts as
    subscribed once every SUBSCRIBE sent for it on this connection is
    confirmed. redis-py's own retries are off: it would reconnect and
    resubscribe without telling, and frames published meanwhile would be
    lost unnoticed. Here a lost connection is reopened after RECONNECT_DELAY,
    every group subscribed again, and then every member resynced.
    """

    def __init__(self, hub: Hub, url: str, prefix: str):
        self.hub = hub
        # RESP2: under RESP3 redis-py passes every message through a push handler that first
        # formats it for a debug log, which costs more than the rest of the read (bench/fanout.py).
        self.client = redis.asyncio.Redis.from_url(
            url, retry=_NO_RETRY, socket_connect_timeout=SUBSCRIBE_TIMEOUT, socket_keepalive=True, protocol=2
        )
        self.prefix = prefix
        self.task = None
        self.commands: asyncio.Queue | None = None  # of the open connection
        self.subscribed: set[str] = set()
        self.unconfirmed: dict[str, int] = {}
        self.waiting: dict[str, asyncio.Future] = {}

    async def subscribe(self, group: str) -> None:
        if group in self.subscribed and group not in self.waiting:
            return
        future = self.waiting.get(group)
        if future is None:
            future = self.waiting[group] = self.hub.loop.create_future()
            self.subscribed.add(group)
            self._send("subscribe", group)
        if self.task is None:
            self.task = self.hub.loop.create_task(self._run())
        await asyncio.wait_for(asyncio.shield(future), SUBSCRIBE_TIMEOUT)

    def unsubscribe(self, group: str) -> None:
        if group in self.subscribed:
            self.subscribed.discard(group)
            self.waiting.pop(group, None)
            self._send("unsubscribe", group)

    def close(self) -> None:
        """Drop the connection and every subscription; the next subscribe() opens a new one."""
        if self.task is not None:
            self.task.cancel()  # its `finally` closes the PubSub
            self.task = None
        self.commands = None
        self.subscribed.clear()
        self.unconfirmed.clear()
        for future in self.waiting.values():
            future.cancel()
        self.waiting.clear()

    def _send(self, verb: str, group: str) -> None:
        """Queue a command on the open connection; without one, _run subscribes on connecting."""
        if self.commands is None:
            return
        if verb == "subscribe":
            self.unconfirmed[group] = self.unconfirmed.get(group, 0) + 1
        self.commands.put_nowait((verb, self.prefix + group))

    async def _run(self) -> None:
        first = True
        while True:
            pubsub = self.client.pubsub()
            commands = asyncio.Queue()
            tasks = []
            try:
                await pubsub.connect()
                self.commands = commands
                self.unconfirmed.clear()
                for group in self.subscribed:
                    self.waiting.setdefault(group, self.hub.loop.create_future())
                    self._send("subscribe", group)
                tasks = [
                    asyncio.ensure_future(self._write(pubsub, commands)),
                    asyncio.ensure_future(self._read(pubsub)),
                ]
                if not first:
                    tasks.append(asyncio.ensure_future(self._resync_when_subscribed()))
                first = False
                done, _pending = await asyncio.wait(tasks[:2], return_when=asyncio.FIRST_COMPLETED)
                done.pop().result()
                raise ConnectionError("the fan-out subscription stopped")
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - reconnect below
                logger.warning("fan-out subscription lost: %r", error)
            finally:
                if self.commands is commands:
                    self.commands = None
                for task in tasks:
                    task.cancel()
                await pubsub.aclose()
            await asyncio.sleep(RECONNECT_DELAY)

    async def _resync_when_subscribed(self) -> None:
        """After a reconnect: once the groups are subscribed again, every member takes a snapshot."""
        pending = [asyncio.shield(future) for future in self.waiting.values()]
        if pending:
            await asyncio.wait(pending, timeout=SUBSCRIBE_TIMEOUT)
        # Frames may have been lost while the connection was down.
        self.hub.resync_all()

    async def _write(self, pubsub, commands: asyncio.Queue) -> None:
        while True:
            verb, channel = await commands.get()
            if verb == "subscribe":
                await pubsub.subscribe(channel)
            else:
                await pubsub.unsubscribe(channel)

    async def _read(self, pubsub) -> None:
        prefix_length = len(self.prefix)
        deliver = self.hub.deliver
        while True:
            message = await pubsub.get_message(timeout=None)
            if message is None:
                continue
            kind = message["type"]
            if kind == "message":
                deliver(message["channel"][prefix_length:].decode(), message["data"].decode())
            elif kind == "subscribe":
                group = message["channel"][prefix_length:].decode()
                left = self.unconfirmed.get(group, 0) - 1
                if left > 0:
                    self.unconfirmed[group] = left
                    continue
                self.unconfirmed.pop(group, None)
                future = self.waiting.pop(group, None)
                if future is not None and not future.done():
                    future.set_result(None)
