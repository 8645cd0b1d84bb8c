"""
uvicorn's direct write: a room frame built once per broadcast and written to each socket's transport.

A server frame without compression is the same bytes for every socket, so the
fan-out builds it once (`fanout.Outgoing.wire`) and writes it to each
transport, as `websockets.broadcast()` does, instead of framing the text again
per socket through the ASGI `send` (measured: ask→all p99 101 → 91 ms at 2,000
clients, docs/performance.md). It reaches past ASGI into uvicorn's protocol
object, so it is kept to this module and to what was checked:

- `ROOM_DIRECT_WRITES` (default on) switches it off;
- only an instance of uvicorn's `WebSocketsSansIOProtocol` (`--ws websockets-sansio`,
  as docker-compose.yml runs it), of a uvicorn version in TESTED_UVICORN, without
  per-message deflate (compressed frames differ per socket);
- any exception, here or on a later write, sends that socket back to the
  ASGI `send` for good (the member drops its `Direct`).

`tests/realtime/live/test_direct.py` starts the compose command and asserts
that the fast path is taken there. Everything else (daphne, Channels' test
communicator) uses `send`.
"""

from __future__ import annotations

import fcntl
import logging
import struct
import termios

from django.conf import settings

try:
    import uvicorn
    from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
except ImportError:  # a server without uvicorn (daphne): nothing to bypass
    uvicorn = WebSocketsSansIOProtocol = None

logger = logging.getLogger(__name__)

# The uvicorn releases whose protocol object has the attributes used below: [from, to).
TESTED_UVICORN = ((0, 35), (0, 55))

# Sockets of this process that took the fast path, and those that fell back from it.
counts = {"direct": 0, "fallback": 0}


def _version(text: str) -> tuple[int, int]:
    major, minor = text.split(".")[:2]
    return int(major), int(minor)


def version_supported(text: str | None) -> bool:
    try:
        return text is not None and TESTED_UVICORN[0] <= _version(text) < TESTED_UVICORN[1]
    except ValueError:
        return False


class Direct:
    """One uvicorn socket written to directly; `behind()` is what it has not yet sent to the client."""

    __slots__ = ("protocol", "transport", "fd")

    def __init__(self, protocol):
        self.protocol = protocol
        self.transport = protocol.transport
        sock = self.transport.get_extra_info("socket")
        self.fd = sock.fileno() if sock is not None else -1

    def write(self, wire: bytes) -> bool:
        """Write a prebuilt frame; False when the socket pushes back or closes (then use `send`)."""
        protocol = self.protocol
        if not protocol.writable.is_set() or protocol.close_sent or self.transport.is_closing():
            return False
        self.transport.write(wire)
        return True

    def behind(self) -> int:
        """Bytes written for this socket that the client has not taken: the transport's buffer and the kernel's."""
        return self.transport.get_write_buffer_size() + self._kernel_unsent()

    def _kernel_unsent(self) -> int:
        if self.fd < 0:
            return 0
        try:
            return struct.unpack("i", fcntl.ioctl(self.fd, termios.TIOCOUTQ, b"\0\0\0\0"))[0]
        except OSError:
            return 0


def direct_for(send) -> Direct | None:
    """The fast path for the socket behind this ASGI `send`, or None to use `send` itself."""
    if not settings.ROOM_DIRECT_WRITES or WebSocketsSansIOProtocol is None:
        return None
    protocol = getattr(send, "__self__", None)
    if not isinstance(protocol, WebSocketsSansIOProtocol):
        return None
    if not version_supported(getattr(uvicorn, "__version__", None)):
        fallback(f"uvicorn {getattr(uvicorn, '__version__', '?')} is not in {TESTED_UVICORN}")
        return None
    try:
        if protocol.conn.extensions:
            return None  # per-message deflate: frames differ per socket
        missing = [name for name in ("writable", "close_sent", "transport") if not hasattr(protocol, name)]
        if missing:
            fallback(f"uvicorn's protocol has no {', '.join(missing)}")
            return None
        direct = Direct(protocol)
    except Exception as error:  # noqa: BLE001 - the fast path is optional; `send` always works
        fallback(repr(error))
        return None
    counts["direct"] += 1
    logger.debug("room frames for this socket are written directly to uvicorn's transport")
    return direct


def fallback(reason: str) -> None:
    counts["fallback"] += 1
    logger.warning("room frames for a socket fall back to ASGI send: %s", reason)
