"""
The socket member: one socket in its room's fan-out, and the socket's own budgets.

The hub (realtime/live/fanout.py) hands every room frame to each local member's
`deliver`. A member writes it at once when it can: straight to uvicorn's
transport (realtime/live/direct.py), else through the ASGI `send` in one
writer task that drains the frames queued meanwhile.

The slow-client rule: a socket more than ROOM_SLOW_CLIENT_BYTES behind, counted
in what the server can see (its transport's buffer and the kernel's send queue
for a direct socket; the frames queued here otherwise, or more than
MAX_BACKLOG of them), is not waited for. Its queued frames are dropped and it
gets a fresh `room.snapshot` once it has taken what was already written. The
limit grows by the size of the last snapshot sent, so a large snapshot alone
does not count as being behind.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import math
import time
from collections.abc import Awaitable, Callable

from django.conf import settings

from realtime.live.direct import Direct, fallback

logger = logging.getLogger(__name__)

# Frames queued for one socket that writes through `send`: past this it resyncs.
MAX_BACKLOG = 200
# A stale direct socket gets its snapshot once no more than this is still unsent.
CAUGHT_UP_BYTES = 16 * 1024
CAUGHT_UP_POLL_SECONDS = 0.2


class TokenBucket:
    """`burst` tokens, refilled at `per_second`; `take()` returns the seconds to wait, or None when one was taken."""

    __slots__ = ("burst", "per_second", "tokens", "at")

    def __init__(self, burst: int, per_second: float):
        self.burst = burst
        self.per_second = per_second
        self.tokens = float(burst)
        self.at = time.monotonic()

    def take(self) -> int | None:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.per_second)
        self.at = now
        if self.tokens < 1:
            return max(1, math.ceil((1 - self.tokens) / self.per_second))
        self.tokens -= 1
        return None


class Member:
    """
    The room's frames for one socket. `send_text(text)` writes through ASGI; `snapshot()` builds a fresh one.

    Frames that arrive before `start` (while the first snapshot is built) wait
    in the backlog; the client ignores those at or below the snapshot's `seq`.
    """

    __slots__ = (
        "send_text",
        "snapshot",
        "direct",
        "ready",
        "stale",
        "backlog",
        "backlog_bytes",
        "writer",
        "limit",
        "unchecked",
    )

    def __init__(
        self, *, send_text: Callable[[str], Awaitable[None]], snapshot: Callable[[], Awaitable[str]]
    ):
        self.send_text = send_text
        self.snapshot = snapshot
        self.direct: Direct | None = None
        self.ready = False
        self.stale = False
        self.backlog: collections.deque[str] = collections.deque()
        self.backlog_bytes = 0
        self.writer: asyncio.Future | None = None
        self.limit = settings.ROOM_SLOW_CLIENT_BYTES
        self.unchecked = 0  # bytes written directly since `behind()` was last asked

    def start(self, direct: Direct | None, first_snapshot: str) -> None:
        """The first snapshot was sent: write room frames from now on."""
        self.direct = direct
        self.limit = settings.ROOM_SLOW_CLIENT_BYTES + len(first_snapshot)
        self.ready = True
        if self.backlog or self.stale:
            self._start_writer()

    def deliver(self, outgoing) -> None:
        """Write one room frame (a `fanout.Outgoing`), or queue it; resync a socket that is too far behind."""
        if self.stale:
            return  # a fresh snapshot is coming
        if self.ready and self.writer is None and self.direct is not None and self._write_direct(outgoing):
            return
        self.backlog.append(outgoing.text)
        self.backlog_bytes += len(outgoing.text)
        if len(self.backlog) > MAX_BACKLOG or self.backlog_bytes > self.limit:
            self.resync()
        elif self.ready and self.writer is None:
            self._start_writer()

    def _write_direct(self, outgoing) -> bool:
        try:
            wire = outgoing.wire
            # Ask the kernel how far behind the socket is once per quarter of the limit written, not per frame.
            self.unchecked += len(wire)
            if self.unchecked * 4 >= self.limit:
                self.unchecked = 0
                if self.direct.behind() > self.limit:
                    self.resync()
                    return True
            return self.direct.write(wire)
        except Exception as error:  # noqa: BLE001 - this socket goes the ASGI way from now on
            fallback(repr(error))
            self.direct = None
            return False

    def resync(self) -> None:
        """Drop what is queued; send a fresh snapshot once the socket has taken what was written."""
        self.backlog.clear()
        self.backlog_bytes = 0
        self.stale = True
        if self.ready and self.writer is None:
            self._start_writer()

    def stop(self) -> None:
        self.ready = False
        self.backlog.clear()
        if self.writer is not None:
            self.writer.cancel()

    def _start_writer(self) -> None:
        self.writer = asyncio.ensure_future(self._drain())

    async def _drain(self) -> None:
        try:
            while self.backlog or self.stale:
                if self.stale:
                    await self._caught_up()
                    self.stale = False
                    self.backlog.clear()
                    self.backlog_bytes = 0
                    text = await self.snapshot()
                    self.limit = settings.ROOM_SLOW_CLIENT_BYTES + len(text)
                    await self.send_text(text)
                else:
                    text = self.backlog.popleft()
                    self.backlog_bytes -= len(text)
                    await self.send_text(text)
        except Exception:  # noqa: BLE001 - the socket is gone or the snapshot failed; disconnect cleans up
            self.backlog.clear()
            self.backlog_bytes = 0
        finally:
            self.writer = None

    async def _caught_up(self) -> None:
        """Wait until a direct socket's client has read what was already written (`send` waits by itself)."""
        while self.direct is not None:
            try:
                if self.direct.behind() <= CAUGHT_UP_BYTES:
                    return
            except Exception as error:  # noqa: BLE001 - as in _write_direct
                fallback(repr(error))
                self.direct = None
                return
            await asyncio.sleep(CAUGHT_UP_POLL_SECONDS)
