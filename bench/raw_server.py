"""
The raw limit: a minimal room server on `websockets.broadcast()`.

It speaks just enough of the room protocol for bench/live_room.py's clients:
a `room.snapshot` on connect and on `room.resync`, an `ack` for every action,
and for `question.ask` one `question.asked` frame, serialized once and
handed to `websockets.broadcast()` for every connection. No database, no
authentication, no Redis: what is left is the cost of Python WebSockets.

    .venv/bin/python bench/raw_server.py --port 8765
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import time

import websockets
from websockets.asyncio.server import broadcast, serve

try:
    import uvloop
except ImportError:  # pragma: no cover
    uvloop = None


class Room:
    def __init__(self):
        self.sockets = set()
        self.seq = 0
        self.next_id = 1

    def snapshot(self) -> str:
        return json.dumps({"type": "room.snapshot", "seq": self.seq, "role": "participant", "questions": []})

    def asked(self, text: str) -> str:
        """The same shape and size as Trialoog's question.asked frame."""
        self.seq += 1
        question = {
            "id": self.next_id,
            "text": text,
            "perspective": "uitvoering",
            "kamerlid": False,
            "author": None,
            "organisation": None,
            "status": "visible",
            "upvotes": 0,
            "by_perspective": {"politiek": 0, "beleid": 0, "uitvoering": 0, "anders": 0},
            "created_at": dt.datetime.now(dt.UTC).isoformat(),
        }
        self.next_id += 1
        body = {"type": "question.asked", "question": question, "seq": self.seq, "ts": round(time.time(), 6)}
        return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


ROOM = Room()


async def handler(ws) -> None:
    ROOM.sockets.add(ws)
    try:
        await ws.send(ROOM.snapshot())
        async for text in ws:
            try:
                content = json.loads(text)
            except ValueError:
                continue
            action = content.get("action")
            if action == "room.resync":
                await ws.send(ROOM.snapshot())
                continue
            if action == "question.ask":
                broadcast(ROOM.sockets, ROOM.asked(str(content.get("text", ""))))
            await ws.send(json.dumps({"type": "ack", "id": content.get("id"), "action": action}))
    except websockets.ConnectionClosed:
        pass
    finally:
        ROOM.sockets.discard(ws)


async def main(port: int) -> None:
    async with serve(
        handler, "127.0.0.1", port, backlog=2048, compression=None, ping_interval=None, max_size=2**16
    ) as server:
        print(f"raw server on 127.0.0.1:{port}", flush=True)
        await server.serve_forever()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    if uvloop is not None:
        uvloop.run(main(args.port))
    else:
        asyncio.run(main(args.port))
