"""
Per-process fan-out of public room frames.

Stock Channels delivers a group message by copying it into one channel-layer
queue per consumer, then each consumer picks it up through `dispatch` (with a
thread hop to close old database connections) and writes it. For a room of
thousands that is thousands of Redis operations and thread hops per frame.

Here each server process keeps, per event loop, a `Hub`: the room's local
sockets in a set and ONE Redis SUBSCRIBE per room. `publish()` does one Redis
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
from urllib.parse import urlparse

from channels.db import database_sync_to_async
from django.conf import settings

from realtime import broadcast, groups

logger = logging.getLogger(__name__)

SUBSCRIBE_TIMEOUT = 5.0
RECONNECT_DELAY = 0.5
# A frame that arrives ahead of its turn waits this long for the ones before it, then they come from the log.
REORDER_WAIT = 0.2
# Every CHECK_INTERVAL the hub compares each room's committed seq with what it handed on.
CHECK_INTERVAL = 2.0
# At most this many frames are read back from the log to fill a gap; past that members resync.
REPAIR_LIMIT = 500


def _redis_config() -> tuple[str, str] | None:
    """(url, channel prefix) of the Redis channel layer, or None without Redis."""
    layer = settings.CHANNEL_LAYERS.get("default", {})
    if "redis" not in layer.get("BACKEND", "").lower():
        return None
    host = layer.get("CONFIG", {}).get("hosts", [None])[0]
    url = host.get("address") if isinstance(host, dict) else host
    if not isinstance(url, str):
        return None
    return url, f"{layer['CONFIG'].get('prefix', 'asgi')}:fanout:"


# --- publishing (any thread) ------------------------------------------------------

_publisher = None
_publisher_lock = threading.Lock()


def _redis_publisher():
    global _publisher
    with _publisher_lock:
        if _publisher is None:
            import redis

            url, _prefix = _redis_config()
            # Short timeouts: broadcast.publish holds the room row while it publishes.
            _publisher = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        return _publisher


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


def live_loop() -> asyncio.AbstractEventLoop | None:
    """The running event loop that serves this process's room sockets, or None (no hub runs here)."""
    with _hubs_lock:
        for loop in _hubs:
            if loop.is_running() and not loop.is_closed():
                return loop
    return None


def sequenced(seq: int | None, text: str) -> str:
    """A frame as the fan-out carries it: its `seq` in front (empty for frames without one), then the text."""
    return f"{'' if seq is None else seq}|{text}"


class Hub:
    """
    The local members of each room group, fed by one subscription per group.

    Public frames are handed on strictly in `seq` order, each once. A frame
    that arrives ahead of its turn (two servers published at the same moment)
    waits up to REORDER_WAIT for the ones before it; what is still missing
    then is read from the room's event log (broadcast.events_after), as is
    anything a server committed and never published because it died in
    between, which the check every CHECK_INTERVAL finds by comparing the
    rooms' committed `seq` with the last one handed on. Members get a fresh
    snapshot only when the log no longer holds what they missed.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop):
        self.loop = loop
        self.groups: dict[str, set] = {}
        self.last: dict[str, int] = {}  # per group: the last seq handed on
        self.held: dict[str, dict[int, str]] = {}  # per group: frames that arrived ahead of their turn
        self.repairs: dict[str, asyncio.Task] = {}
        self.behind: dict[str, int] = {}  # per group: the committed seq the previous check found missing
        self.checker: asyncio.Task | None = None
        config = _redis_config()
        self.subscriber = _Subscriber(self, *config) if config else None

    async def join(self, group: str, member) -> None:
        """Add a member (anything with `deliver(outgoing)` and `resync()`); subscribe first if needed."""
        members = self.groups.get(group)
        new = members is None
        if new:
            members = self.groups[group] = set()
        members.add(member)
        if self.subscriber is not None:
            await self.subscriber.subscribe(group)
        if new and group in self.groups:
            # Subscribed first: whatever commits from now on arrives, and what committed before is
            # in the snapshot the member gets next.
            room_id = groups.room_id_of(group)
            seqs = await _db(broadcast.room_seqs)(room_ids=[room_id])
            self.last[group] = max(self.last.get(group, 0), seqs.get(room_id, 0))
        if self.checker is None or self.checker.done():
            self.checker = self.loop.create_task(self._check_forever())

    def leave(self, group: str, member) -> None:
        members = self.groups.get(group)
        if members is None:
            return
        members.discard(member)
        if not members:
            del self.groups[group]
            self._forget(group)
            if self.subscriber is not None:
                if self.groups:
                    self.subscriber.unsubscribe(group)
                else:
                    self.subscriber.close()  # nobody left here: no connection kept for nothing
            if not self.groups and self.checker is not None:
                self.checker.cancel()
                self.checker = None

    def _forget(self, group: str) -> None:
        self.last.pop(group, None)
        self.held.pop(group, None)
        self.behind.pop(group, None)
        repair = self.repairs.pop(group, None)
        if repair is not None:
            repair.cancel()

    def deliver(self, group: str, data: str) -> None:
        """Take one frame as published (`sequenced`): hand it on in its turn, or hold it until then."""
        head, _bar, text = data.partition("|")
        if not head:
            self._write(group, text)
            return
        seq = int(head)
        last = self.last.get(group)
        if last is None or seq == last + 1:
            self.last[group] = seq
            self._write(group, text)
            self._release(group)
        elif seq > last:
            self.held.setdefault(group, {})[seq] = text
            self._repair_soon(group, REORDER_WAIT)
        # seq <= last: handed on already (the log got here first)

    def _release(self, group: str) -> None:
        held = self.held.get(group)
        while held:
            following = self.last[group] + 1
            text = held.pop(following, None)
            if text is None:
                for seq in [seq for seq in held if seq < following]:
                    del held[seq]
                break
            self.last[group] = following
            self._write(group, text)

    def _write(self, group: str, text: str) -> None:
        outgoing = Outgoing(text)
        for member in tuple(self.groups.get(group, ())):
            try:
                member.deliver(outgoing)
            except Exception:  # noqa: BLE001 - one broken socket must not stop the room
                logger.exception("fan-out to a member failed")

    def _repair_soon(self, group: str, wait: float) -> None:
        if group not in self.repairs:
            self.repairs[group] = self.loop.create_task(self._repair(group, wait))

    async def _repair(self, group: str, wait: float) -> None:
        """Fill the gap before the held frames (or up to the committed seq) from the log."""
        try:
            await asyncio.sleep(wait)
            last = self.last.get(group)
            if last is None or group not in self.groups:
                return
            rows = await _db(broadcast.events_after)(
                room_id=groups.room_id_of(group), after=last, limit=REPAIR_LIMIT
            )
            if self.last.get(group) != last:
                return  # frames arrived meanwhile; the next gap (if any) schedules its own repair
            for seq, text in rows or ():
                if seq == self.last[group] + 1:
                    self.last[group] = seq
                    self._write(group, text)
            self._release(group)
            if rows is not None and not self.held.get(group):
                return
            # The log no longer holds all that is missing (too much, or pruned): start the members
            # again from a fresh snapshot, and go on from the newest frame there is.
            logger.warning("fan-out for %s fell further behind than the log holds; members resync", group)
            held = self.held.pop(group, {})
            newest = await _db(broadcast.room_seqs)(room_ids=[groups.room_id_of(group)])
            self.last[group] = max([self.last[group], *held, *newest.values()])
            for member in tuple(self.groups.get(group, ())):
                member.resync()
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - the next check tries again
            logger.exception("fan-out repair for %s failed", group)
        finally:
            if self.repairs.get(group) is asyncio.current_task():
                del self.repairs[group]
        if self.held.get(group):
            self._repair_soon(group, REORDER_WAIT)

    async def _check_forever(self) -> None:
        while True:
            await asyncio.sleep(CHECK_INTERVAL)
            try:
                await self.check()
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - a database that is away now is there at the next check
                logger.warning("fan-out check failed", exc_info=True)

    async def check(self) -> None:
        """
        Compare each room's committed seq with what was handed on; repair what is still missing since the last check.

        A frame on its way takes milliseconds; one missing at two checks in a
        row was never published (its server died after the commit) or was lost
        with the subscription.
        """
        watched = {groups.room_id_of(group): group for group in self.groups if group in self.last}
        if not watched:
            return
        committed = await _db(broadcast.room_seqs)(room_ids=list(watched))
        for room_id, group in watched.items():
            seq, last = committed.get(room_id, 0), self.last.get(group)
            if last is None or seq <= last:
                self.behind.pop(group, None)
            elif self.behind.get(group, seq + 1) <= seq:
                self._repair_soon(group, 0)
                self.behind.pop(group, None)
            else:
                self.behind[group] = seq

    def resync_all(self) -> None:
        """The subscription was lost for a while: fill every group's gap from the log."""
        for group in list(self.groups):
            self._repair_soon(group, 0)


def _db(fn):
    return database_sync_to_async(fn, thread_sensitive=False)


class _Subscriber:
    """A minimal RESP2 pub/sub connection on asyncio streams: SUBSCRIBE, UNSUBSCRIBE, messages."""

    def __init__(self, hub: Hub, url: str, prefix: str):
        self.hub = hub
        self.url = urlparse(url)
        self.prefix = prefix
        self.writer = None
        self.reader_task = None
        self.subscribed: set[str] = set()
        self.waiting: dict[str, asyncio.Future] = {}
        self.connected = asyncio.Event()
        self.connecting = False

    async def subscribe(self, group: str) -> None:
        if group in self.subscribed and group not in self.waiting:
            return
        if self.reader_task is None:
            self.reader_task = self.hub.loop.create_task(self._run())
        await asyncio.wait_for(self.connected.wait(), SUBSCRIBE_TIMEOUT)
        future = self.waiting.get(group)
        if future is None:
            future = self.waiting[group] = self.hub.loop.create_future()
            self.subscribed.add(group)
            self._command("SUBSCRIBE", self.prefix + group)
        await asyncio.wait_for(asyncio.shield(future), SUBSCRIBE_TIMEOUT)

    def unsubscribe(self, group: str) -> None:
        if group in self.subscribed:
            self.subscribed.discard(group)
            self.waiting.pop(group, None)
            self._command("UNSUBSCRIBE", self.prefix + group)

    def close(self) -> None:
        """Drop the connection and every subscription; the next subscribe() opens a new one."""
        if self.reader_task is not None:
            self.reader_task.cancel()
            self.reader_task = None
        if self.writer is not None:
            self.writer.close()
            self.writer = None
        self.connected.clear()
        self.subscribed.clear()
        for future in self.waiting.values():
            future.cancel()
        self.waiting.clear()

    def _command(self, *words: str) -> None:
        if self.writer is None:
            return
        parts = [f"*{len(words)}\r\n".encode()]
        for word in words:
            data = word.encode()
            parts.append(b"$%d\r\n%s\r\n" % (len(data), data))
        self.writer.write(b"".join(parts))

    async def _open(self):
        reader, writer = await asyncio.open_connection(
            self.url.hostname or "127.0.0.1", self.url.port or 6379
        )
        self.writer = writer
        if self.url.password:
            words = (
                ["AUTH", self.url.username, self.url.password]
                if self.url.username
                else ["AUTH", self.url.password]
            )
            self._command(*words)
            reply = await reader.readline()
            if not reply.startswith(b"+"):
                raise ConnectionError("Redis refused the credentials")
        return reader

    async def _run(self) -> None:
        first = True
        while True:
            try:
                reader = await self._open()
                for group in self.subscribed:
                    self.waiting.setdefault(group, self.hub.loop.create_future())
                    self._command("SUBSCRIBE", self.prefix + group)
                self.connected.set()
                if not first:
                    # Frames may have been lost while the connection was down.
                    self.hub.resync_all()
                first = False
                await self._read(reader)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - reconnect below
                logger.warning("fan-out subscription lost: %r", error)
            self.connected.clear()
            if self.writer is not None:
                self.writer.close()
                self.writer = None
            await asyncio.sleep(RECONNECT_DELAY)

    async def _read(self, reader: asyncio.StreamReader) -> None:
        prefix_length = len(self.prefix)
        deliver = self.hub.deliver
        while True:
            header = await reader.readline()
            if not header:
                raise ConnectionError("Redis closed the subscription")
            if header[:1] != b"*":
                if header[:1] == b"-":
                    logger.warning("Redis error on the fan-out subscription: %r", header)
                continue
            items = []
            for _ in range(int(header[1:])):
                line = await reader.readline()
                if line[:1] == b"$":
                    size = int(line[1:])
                    items.append((await reader.readexactly(size + 2))[:-2])
                else:
                    items.append(line[1:-2])
            kind = items[0]
            if kind == b"message":
                deliver(items[1][prefix_length:].decode(), items[2].decode())
            elif kind == b"subscribe":
                future = self.waiting.pop(items[1][prefix_length:].decode(), None)
                if future is not None and not future.done():
                    future.set_result(None)
