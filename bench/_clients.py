"""
Client worker for bench/live_room.py: many WebSocket clients in one asyncio process.

The parent starts it with a JSON config file and drives it phase by phase
over stdin/stdout, one JSON line each way. Every loop is bounded in count
and time; every socket goes to 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import collections
import json
import random
import re
import sys
import time

import websockets
from websockets.asyncio.client import connect

try:
    import uvloop
except ImportError:  # pragma: no cover
    uvloop = None

OPEN_TIMEOUT = 30
BULKY = re.compile(
    r'\{"type":"(room\.snapshot|question\.scored|note\.scored|poll\.results|presence\.changed)"'
)
SEQ = re.compile(r'"seq":(\d+)[,}]')
CSEQ = re.compile(r'"cseq":(\d+)[,}]')
PHASE_LIMIT = 180  # seconds; no phase waits longer than this


def hist_add(hist: collections.Counter, seconds: float) -> None:
    hist[max(0, int(seconds * 10_000))] += 1  # 0.1 ms buckets


class Client:
    def __init__(self, worker: Worker, url: str, origin: str, cookie: str | None, index: int):
        self.worker, self.url, self.origin, self.cookie, self.index = worker, url, origin, cookie, index
        self.ws = None
        self.reader = None
        self.seq = None
        self.cseq = None
        self.resume = (
            False  # reconnect saying where it left off, as room.js does (room.resumed or a snapshot)
        )
        self.snapshot_at = None
        self.resumed = False  # the last (re)connect ended in room.resumed, not a snapshot
        self.snapshot_event = asyncio.Event()
        self.pending: dict[str, float] = {}
        self.gaps = 0

    async def open(self) -> float:
        """Connect and wait for the snapshot; return the seconds it took."""
        start = time.monotonic()
        self.snapshot_event.clear()
        headers = {"Cookie": self.cookie} if self.cookie else {}
        url = self.url
        if self.resume and self.seq is not None and self.cseq is not None:
            url += f"?since={self.seq}&cseq={self.cseq}&role=participant"
        self.ws = await connect(
            url,
            origin=self.origin,
            additional_headers=headers,
            open_timeout=OPEN_TIMEOUT,
            ping_interval=None,
            close_timeout=1,
            max_size=None,
            max_queue=None,
            compression=None,
        )
        self.reader = asyncio.get_running_loop().create_task(self.read(self.ws))
        await asyncio.wait_for(self.snapshot_event.wait(), OPEN_TIMEOUT)
        return time.monotonic() - start

    def abort(self) -> None:
        if self.ws is not None:
            self.ws.transport.abort()
        if self.reader is not None:
            self.reader.cancel()
        self.ws = None

    async def send(self, body: dict) -> None:
        if self.ws is not None:
            await self.ws.send(json.dumps(body))

    async def read(self, ws) -> None:
        w = self.worker
        try:
            async for text in ws:
                now = time.time()
                bulky = BULKY.match(text)
                if bulky:
                    # Snapshots, score and result frames carry kilobytes the harness never reads: take
                    # only their type and seq (each phone parses its own; one process for thousands
                    # of phones would otherwise measure its own JSON parser).
                    kind = bulky.group(1)
                    seq_match, cseq_match = SEQ.search(text), CSEQ.search(text)
                    frame = {
                        "type": kind,
                        "seq": int(seq_match.group(1)) if seq_match else None,
                        "cseq": int(cseq_match.group(1)) if cseq_match else None,
                    }
                else:
                    frame = json.loads(text)
                    kind = frame.get("type")
                w.frames[kind] += 1
                seq = frame.get("seq")
                if kind == "room.snapshot" or kind == "room.resumed":
                    self.resumed = kind == "room.resumed"
                    self.seq = seq
                    self.cseq = frame.get("cseq")
                    self.snapshot_event.set()
                    continue
                cseq = frame.get("cseq")
                if cseq is not None and self.cseq is not None and cseq > self.cseq:
                    self.cseq = cseq
                if seq is not None and self.seq is not None:
                    if seq > self.seq + 1:
                        self.gaps += 1
                        w.gaps += 1
                        self.seq = seq
                        await self.send({"action": "room.resync", "id": "resync"})
                        continue
                    if seq > self.seq:
                        self.seq = seq
                if kind == "question.asked":
                    text_ = frame["question"]["text"]
                    if text_.startswith("bench "):
                        w.on_asked(int(text_[6:]), now, frame.get("ts"), self.index >= 0)
                elif kind == "ack" or kind == "error":
                    sent = self.pending.pop(frame.get("id") or "", None)
                    if sent is not None:
                        w.on_reply(frame, time.monotonic() - sent)
        except (websockets.ConnectionClosed, OSError):
            pass
        except asyncio.CancelledError:
            raise


class Worker:
    def __init__(self, config: dict):
        self.config = config
        urls = config["urls"]
        self.clients = [
            Client(self, urls[i % len(urls)], config["origins"][i % len(urls)], cookie, i)
            for i, cookie in enumerate(config["cookies"])
        ]
        self.askers = [
            Client(self, urls[i % len(urls)], config["origins"][i % len(urls)], cookie, -1 - i)
            for i, cookie in enumerate(config.get("asker_cookies") or [])
        ]
        self.reset_counters()

    def reset_counters(self) -> None:
        self.frames = collections.Counter()
        self.gaps = 0
        self.asked = {}  # k -> [count, first, last]
        self.ts_hist = collections.Counter()  # server send ts -> receive
        self.acks = 0
        self.errors = collections.Counter()
        self.ack_hist = collections.Counter()
        self.poll_acks = collections.Counter()  # option id -> acknowledged poll votes

    def on_asked(self, k: int, now: float, ts: float | None, counted: bool) -> None:
        if not counted:
            return
        entry = self.asked.get(k)
        if entry is None:
            self.asked[k] = [1, now, now]
        else:
            entry[0] += 1
            entry[2] = max(entry[2], now)
        if ts is not None:
            hist_add(self.ts_hist, now - ts)

    def on_reply(self, frame: dict, latency: float) -> None:
        if frame["type"] == "ack":
            self.acks += 1
            hist_add(self.ack_hist, latency)
            if frame.get("action") == "poll.vote":
                self.poll_acks[str(frame["choices"][0])] += 1
        else:
            self.errors[frame.get("code")] += 1

    # --- phases -------------------------------------------------------------------

    async def open_all(self, clients: list[Client], concurrency: int) -> dict:
        gate = asyncio.Semaphore(concurrency)
        hist = collections.Counter()
        failures = collections.Counter()

        async def one(client: Client) -> None:
            async with gate:
                for attempt in range(30):
                    try:
                        hist_add(hist, await client.open())
                        return
                    except Exception as error:  # noqa: BLE001 - counted and retried, as room.js does
                        failures[type(error).__name__] += 1
                        client.abort()
                        await asyncio.sleep(min(2.0, 0.1 * 2**attempt) * (0.5 + random.random()))

        start = time.monotonic()
        tasks = [asyncio.ensure_future(one(c)) for c in clients]
        _done, late = await asyncio.wait(tasks, timeout=self.config.get("connect_limit", PHASE_LIMIT))
        for task in late:
            task.cancel()
        if late:
            failures["gave up (phase time limit)"] += len(late)
        return {
            "connected": sum(1 for c in clients if c.snapshot_event.is_set() and c.ws is not None),
            "resumed": sum(1 for c in clients if c.resumed and c.ws is not None),
            "seconds": time.monotonic() - start,
            "hist": hist,
            "failures": failures,
        }

    async def phase_connect(self, cmd: dict) -> dict:
        result = await self.open_all(self.clients, cmd.get("concurrency", 200))
        if self.askers:
            await self.open_all(self.askers, 50)
        return result

    async def phase_broadcast(self, cmd: dict) -> dict:
        """Worker 0 asks questions at the given rate; every worker counts what arrives."""
        self.reset_counters()
        rate, count, first_k = cmd["rate"], cmd["count"], cmd["first_k"]
        sent_at = {}
        start = time.time()
        if self.askers:
            for i in range(count):
                delay = start + i / rate - time.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                k = first_k + i
                asker = self.askers[i % len(self.askers)]
                sent_at[k] = time.time()
                asker.pending[f"b{k}"] = time.monotonic()
                await asker.send({"action": "question.ask", "id": f"b{k}", "text": f"bench {k}"})
        else:
            await asyncio.sleep(max(0.0, start + count / rate - time.time()))
        # Drain: until every expected frame is in, or the drain time is up.
        deadline = time.monotonic() + cmd.get("drain", 10)
        expected = count * len(self.clients)
        while time.monotonic() < deadline and sum(e[0] for e in self.asked.values()) < expected:
            await asyncio.sleep(0.05)
        return {
            "elapsed": time.time() - start,
            "sent_at": sent_at,
            "asked": self.asked,
            "ts_hist": self.ts_hist,
            "frames": self.frames,
            "gaps": self.gaps,
            "ack_errors": self.errors,
        }

    async def phase_votes(self, cmd: dict) -> dict:
        """Every client upvotes its own sequence of questions at rate/N per second, per step."""
        questions = cmd["questions"]
        steps = cmd["steps"]  # [[rate_for_this_worker, seconds], ...]
        n = len(self.clients)
        poll = cmd.get("poll")
        voted = [False] * n
        results = []
        cursor = [0] * n
        for asker in self.askers:
            # A question's ack that arrives after the broadcast phase's drain is not a vote's.
            asker.pending.clear()
        for rate, seconds in steps:
            self.reset_counters()
            sent = skipped = 0
            start = time.monotonic()
            total = int(rate * seconds)
            for i in range(total):
                delay = start + i / rate - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                c = i % n
                client = self.clients[c]
                if cursor[c] >= len(questions) or len(client.pending) > 20 or client.ws is None:
                    skipped += 1
                    continue
                if poll and not voted[c]:
                    # Each person also votes once in the open poll, amid the upvotes.
                    voted[c] = True
                    vid = f"p{c}"
                    client.pending[vid] = time.monotonic()
                    option = poll["options"][c % len(poll["options"])]
                    await client.send(
                        {"action": "poll.vote", "id": vid, "poll": poll["id"], "choices": [option]}
                    )
                    sent += 1
                    continue
                q = questions[(c + cursor[c]) % len(questions)]
                cursor[c] += 1
                vid = f"v{c}-{q}"
                client.pending[vid] = time.monotonic()
                await client.send({"action": "question.upvote", "id": vid, "question": q})
                sent += 1
            send_seconds = time.monotonic() - start
            deadline = time.monotonic() + cmd.get("drain", 15)
            while time.monotonic() < deadline and self.acks + sum(self.errors.values()) < sent:
                await asyncio.sleep(0.05)
            results.append(
                {
                    "sent": sent,
                    "skipped": skipped,
                    "acked": self.acks,
                    "errors": self.errors,
                    "ack_hist": self.ack_hist,
                    "send_seconds": send_seconds,
                    "seconds": time.monotonic() - start,
                    "unanswered": sum(len(c.pending) for c in self.clients),
                    "poll_acks": self.poll_acks,
                }
            )
            for client in self.clients:
                client.pending.clear()
        return {"steps": results}

    async def phase_reconnect(self, cmd: dict) -> dict:
        for client in self.clients:
            client.abort()
            client.resume = cmd.get("resume", True)
        await asyncio.sleep(cmd.get("pause", 0.0))
        result = await self.open_all(self.clients, cmd.get("concurrency", 10_000))
        return result

    async def phase_close(self, cmd: dict) -> dict:
        for client in self.clients + self.askers:
            client.abort()
        return {}


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


async def main(config_path: str) -> None:
    with open(config_path) as fh:
        config = json.load(fh)
    worker = Worker(config)
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    print(json.dumps({"ready": True}), flush=True)
    for _ in range(100):
        line = await reader.readline()
        if not line:
            break
        cmd = json.loads(line)
        phase = cmd["phase"]
        if phase == "quit":
            break
        try:
            result = await getattr(worker, f"phase_{phase}")(cmd)
        except Exception as error:  # noqa: BLE001 - reported to the parent
            result = {"error": repr(error)}
        print(json.dumps(_jsonable(result)), flush=True)
    await worker.phase_close({})


if __name__ == "__main__":
    if uvloop is not None:
        uvloop.run(main(sys.argv[1]))
    else:
        asyncio.run(main(sys.argv[1]))
