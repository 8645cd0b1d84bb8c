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

Redis pub/sub delivers at most once. That is safe because the room's frames
carry `seq` (the moderators' `mod_seq`) and are kept in the room's event log:
the hub hands them on in order and reads what it missed from the log (see
`Hub`). Only when the log no longer holds the gap do the members get a fresh
snapshot, and after the subscription connection dropped and was restored when
a counter frame (not logged) was sent meanwhile. While Redis is away, open sockets stay open:
the hub's check every CHECK_INTERVAL brings the logged frames from the
database, and new sockets are refused until Redis is back.

Access messages (logouts, role changes, a new projector link) come on one
channel, `groups.ACCESS`, shared by every socket of the process: each socket
watches its addresses (`Hub.watch`), so it needs no Redis subscription or
channel-layer group of its own.
Publishing is the core's half (realtime/bus.py); without Redis (the in-memory
layer of the demo) bus.publish hands frames to the hubs of this process.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading

import redis
import redis.asyncio
from channels.db import database_sync_to_async
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from websockets.frames import Frame, Opcode

from realtime import broadcast, bus, groups

logger = logging.getLogger(__name__)

SUBSCRIBE_TIMEOUT = 5.0
RECONNECT_DELAY = 0.5
# A frame that arrives ahead of its turn waits this long for the ones before it, then they come from the log.
REORDER_WAIT = 0.2
# Every CHECK_INTERVAL the hub compares each room's committed seq with what it handed on.
CHECK_INTERVAL = 2.0
# At most this many frames are read back from the log to fill a gap; past that members resync.
REPAIR_LIMIT = 500
# Every this many checks (once a minute) the hub also drops logged frames past their retention.
PRUNE_EVERY_CHECKS = 30
# No error is retried inside redis-py (see _Subscriber).
_NO_RETRY = Retry(NoBackoff(), 0, supported_errors=())


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
            bus.listen(loop, found.deliver)
        return found


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
        self.watchers: dict[str, set] = {}  # per access address (groups.person, ...): the sockets' callbacks
        self.last: dict[str, int] = {}  # per group: the last seq handed on
        self.counted: dict[str, int] = {}  # per group: the highest counter frame number seen (or at the join)
        self.baselines: dict[str, asyncio.Future] = {}  # per group: its first `last`, read once subscribed
        self.held: dict[str, dict[int, str]] = {}  # per group: frames that arrived ahead of their turn
        self.repairs: dict[str, asyncio.Task] = {}
        self.behind: dict[str, int] = {}  # per group: the committed seq the previous check found missing
        self.checker: asyncio.Task | None = None
        self.checks = 0
        config = bus.redis_config()
        self.subscriber = _Subscriber(self, *config) if config else None

    async def join(self, group: str, member) -> None:
        """
        Add a member (anything with `deliver(outgoing)` and `resync()`); subscribe first if needed.

        Returns once frames of the group reach the member in order: subscribed,
        and the group's baseline (the committed seq when the subscription was
        confirmed) read. Whatever committed before that is in the snapshot the
        member gets next; whatever commits after arrives.
        """
        members = self.groups.get(group)
        if members is None:
            members = self.groups[group] = set()
        members.add(member)
        if self.subscriber is not None:
            await self.subscriber.subscribe(group)
        if group not in self.groups:
            return  # left meanwhile
        baseline = self.baselines.get(group)
        if baseline is None:
            baseline = self.baselines[group] = self.loop.create_future()
            try:
                room_id, stream = groups.stream_of(group)
                seqs = await _db(broadcast.room_seqs)(room_ids=[room_id], stream=stream)
                counts = await _db(broadcast.room_counts)(room_ids=[room_id], stream=stream)
            except BaseException as error:
                del self.baselines[group]
                baseline.set_exception(error)
                baseline.exception()  # retrieved: every joiner sees it raised below
                raise
            self.last[group] = max(self.last.get(group, 0), seqs.get(room_id, 0))
            self.counted[group] = max(self.counted.get(group, 0), counts.get(room_id, 0))
            baseline.set_result(None)
        else:
            await asyncio.shield(baseline)
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
            if self.subscriber is not None and (self.groups or self.watchers):
                self.subscriber.unsubscribe(group)
            self._close_when_idle()

    async def watch(self, addresses, callback) -> None:
        """
        Hand the access messages (broadcast.send_access) for any of `addresses` to `callback(message)`.

        Returns once this process listens to them: the one `groups.ACCESS`
        channel, shared by every socket here, so watching costs a socket no
        Redis command of its own.
        """
        for address in addresses:
            self.watchers.setdefault(address, set()).add(callback)
        if self.subscriber is not None:
            await self.subscriber.subscribe(groups.ACCESS)

    def unwatch(self, addresses, callback) -> None:
        for address in addresses:
            callbacks = self.watchers.get(address)
            if callbacks is not None:
                callbacks.discard(callback)
                if not callbacks:
                    del self.watchers[address]
        self._close_when_idle()

    def _close_when_idle(self) -> None:
        if self.groups or self.watchers:
            return
        if self.subscriber is not None:
            self.subscriber.close()  # nobody left here: no connection kept for nothing
        if self.checker is not None:
            self.checker.cancel()
            self.checker = None

    def _forget(self, group: str) -> None:
        self.last.pop(group, None)
        self.counted.pop(group, None)
        self.baselines.pop(group, None)
        self.held.pop(group, None)
        self.behind.pop(group, None)
        repair = self.repairs.pop(group, None)
        if repair is not None:
            repair.cancel()

    def deliver(self, group: str, data: str) -> None:
        """Take one frame as published (`sequenced`): hand it on in its turn, or hold it until then."""
        if group == groups.ACCESS:
            self._access(data)
            return
        if group not in self.groups:
            return  # nobody here listens (without Redis every hub is offered every frame)
        head, _bar, text = data.partition("|")
        if not head:
            self._write(group, text)
            return
        if head[0] == "c":  # a counter frame: totals, handed on at once (clients skip an older one)
            self.counted[group] = max(self.counted.get(group, 0), int(head[1:]))
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

    def _access(self, data: str) -> None:
        message = json.loads(data.partition("|")[2])
        for callback in tuple(self.watchers.get(message.pop("to", None), ())):
            try:
                callback(dict(message))
            except Exception:  # noqa: BLE001 - one broken socket must not stop the others
                logger.exception("an access message to a socket failed")

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

    def _repair_soon(self, group: str, wait: float, upto: int | None = None) -> None:
        if group not in self.repairs:
            self.repairs[group] = self.loop.create_task(self._repair(group, wait, upto))

    async def _repair(self, group: str, wait: float, upto: int | None) -> None:
        """Fill the gap up to the held frames (or up to the committed seq `upto`) from the log."""
        try:
            await asyncio.sleep(wait)
            last = self.last.get(group)
            if last is None or group not in self.groups:
                return
            room_id, stream = groups.stream_of(group)
            held = self.held.get(group)
            if held:
                upto = min(held) - 1
            elif upto is None:
                upto = (await _db(broadcast.room_seqs)(room_ids=[room_id], stream=stream)).get(room_id, 0)
            rows = await _db(broadcast.events_after)(
                room_id=room_id, stream=stream, after=last, upto=upto, limit=REPAIR_LIMIT
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
            newest = await _db(broadcast.room_seqs)(room_ids=[room_id], stream=stream)
            self.last[group] = max([self.last[group], upto, *held, *newest.values()])
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
                self.checks += 1
                if self.checks % PRUNE_EVERY_CHECKS == 0:
                    await _db(broadcast.events_prune)()
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - a database that is away now is there at the next check
                logger.warning("fan-out check failed", exc_info=True)

    async def check(self) -> None:
        """
        Compare each group's committed seq with what was handed on; repair what is still missing since the last check.

        A frame on its way takes milliseconds; one missing at two checks in a
        row was never published (its server died after the commit) or was lost
        with the subscription.
        """
        watched = [group for group in self.groups if group in self.last]
        if not watched:
            return
        committed = await _per_group(watched, broadcast.room_seqs)
        for group in watched:
            seq, last = committed.get(group, 0), self.last.get(group)
            if last is None or seq <= last:
                self.behind.pop(group, None)
            elif self.behind.get(group, seq + 1) <= seq:
                self._repair_soon(group, 0, seq)
                self.behind.pop(group, None)
            else:
                self.behind[group] = seq

    async def restored(self) -> None:
        """
        The subscription was lost for a while and is back: fill every group's gap from the log.

        Counter frames (scores, poll results) are not logged: where one was
        sent while the subscription was away (the room's counter is past the
        highest this hub saw), the group's members take a fresh snapshot.
        """
        for group in list(self.groups):
            self._repair_soon(group, 0)
        try:
            stale = await self._counters_missed()
        except Exception:  # noqa: BLE001 - the database is away too: a snapshot for everyone is safe
            logger.warning("reading the rooms' counters after a reconnect failed", exc_info=True)
            stale = set(self.groups)
        for member in {member for group in stale for member in self.groups.get(group, ())}:
            member.resync()

    async def _counters_missed(self) -> set[str]:
        stale = set()
        for group, number in (await _per_group(list(self.groups), broadcast.room_counts)).items():
            if number > self.counted.get(group, 0):
                self.counted[group] = number
                stale.add(group)
        return stale


def _db(fn):
    return database_sync_to_async(fn, thread_sensitive=False)


async def _per_group(names, read) -> dict[str, int]:
    """`read(room_ids=, stream=)` (broadcast.room_seqs or room_counts) for room groups: one query per stream."""
    by_stream: dict[str, dict[int, str]] = {}
    for name in names:
        room_id, stream = groups.stream_of(name)
        by_stream.setdefault(stream, {})[room_id] = name
    found = {}
    for stream, rooms in by_stream.items():
        for room_id, value in (await _db(read)(room_ids=list(rooms), stream=stream)).items():
            found[rooms[room_id]] = value
    return found


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
    every group subscribed again, every group's gap filled from the log, and
    a fresh snapshot where a counter frame was missed (`Hub.restored`). While the
    connection is lost, `subscribe` refuses at once (the join is refused).
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
        self.lost = False  # the connection dropped or could not be opened, and is not back yet

    async def subscribe(self, group: str) -> None:
        """Return once `group` is subscribed; raise ConnectionError at once while the connection is lost."""
        if self.lost:
            # Do not admit a socket that would miss the room's frames (and whose client would then
            # reset its backoff): the join is refused until Redis answers again.
            raise ConnectionError("the fan-out's Redis cannot be reached")
        await self._subscribe(group)

    async def _subscribe(self, group: str) -> None:
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
        self.lost = False
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
                self.lost = False
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
                self.lost = True
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
        await self.hub.restored()

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
