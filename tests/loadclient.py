"""
A small HTTP/1.1 keep-alive load client on asyncio, for tests/hardening/test_db_pool.py and bench/pages.py.

Each of `connections` sockets sends GET after GET on one kept-alive
connection (reconnecting only when the server closes it) until `requests`
answers per connection are in, or `seconds` have passed (requests in flight
then finish and count). Only 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import collections
import time
from dataclasses import dataclass, field

# No new request starts after the deadline; one already sent gets this long to be answered.
ANSWER_TIMEOUT = 60.0


@dataclass
class LoadResult:
    statuses: collections.Counter = field(default_factory=collections.Counter)
    latencies: list[float] = field(default_factory=list)
    errors: collections.Counter = field(default_factory=collections.Counter)
    elapsed: float = 0.0

    @property
    def answered(self) -> int:
        return sum(self.statuses.values())

    @property
    def per_second(self) -> float:
        return self.answered / self.elapsed if self.elapsed else 0.0

    def percentile(self, fraction: float) -> float | None:
        if not self.latencies:
            return None
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one response; return its status and whether the server keeps the connection open."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    else:
        await reader.readexactly(int(headers.get("content-length", "0")))
    return status, headers.get("connection", "").lower() != "close"


async def _connection(port, request: bytes, result: LoadResult, requests: int | None, deadline: float):
    reader = writer = None
    done = 0
    while (requests is None or done < requests) and time.monotonic() < deadline:
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            start = time.monotonic()
            writer.write(request)
            status, keep = await asyncio.wait_for(_read_response(reader), timeout=ANSWER_TIMEOUT)
            result.latencies.append(time.monotonic() - start)
            result.statuses[status] += 1
            done += 1
            if not keep:
                writer.close()
                writer = None
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
            result.errors[type(exc).__name__] += 1
            done += 1
            if writer is not None:
                writer.close()
            writer = None
    if writer is not None:
        writer.close()


def build_request(path: str, port: int, headers: dict[str, str] | None = None) -> bytes:
    lines = [f"GET {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: keep-alive"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin1")


async def load(
    *,
    ports: list[int],
    path: str,
    connections: int,
    requests: int | None = None,
    seconds: float = 60.0,
    headers: dict[str, str] | None = None,
) -> LoadResult:
    """Drive `connections` keep-alive sockets (spread over `ports`) at one path; return what came back."""
    result = LoadResult()
    start = time.monotonic()
    deadline = start + seconds
    await asyncio.gather(
        *(
            _connection(
                ports[i % len(ports)],
                build_request(path, ports[i % len(ports)], headers),
                result,
                requests,
                deadline,
            )
            for i in range(connections)
        )
    )
    result.elapsed = time.monotonic() - start
    return result
