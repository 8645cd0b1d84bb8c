"""
Micro-benchmark of the fan-out's subscriber: frames through Redis to the members of one hub.

Compares the subscriber of a baseline revision (by default the hand-written
RESP2 one that came before redis.asyncio PubSub) with the one in this tree,
in the same process, against one throwaway Redis (or REDIS_URL when set):

- burst: `--frames` frames published as fast as a pipelined client can,
  to `--members` local members; frames per second delivered, and the event
  loop's CPU time per frame (the number that matters on a busy worker);
- paced: 2,000 frames at 1,000 per second to one member; delivery latency
  from PUBLISH to `deliver`, p50 and p99.

Rounds alternate between the two so that noise from other processes hits
both; the median of the rounds is printed. The members only count, so the
figures are the subscriber's (socket reads, parsing, dispatch), not a room's.

    .venv/bin/python bench/fanout.py [--frames 20000] [--members 1 100] [--rounds 3] [--baseline REV]
"""

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import threading
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BASELINE = "0dbdf2d"  # main before the subscriber moved to redis.asyncio
GROUP = "bench-room"
PAD = "x" * 240  # a question.asked frame is about 300 bytes


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def load_baseline(revision: str) -> types.ModuleType:
    """realtime/fanout.py as it was at `revision`, as a module of its own."""
    source = subprocess.run(
        ["git", "show", f"{revision}:realtime/fanout.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    module = types.ModuleType("fanout_baseline")
    exec(compile(source, f"{revision}:realtime/fanout.py", "exec"), module.__dict__)  # noqa: S102 - our own file
    return module


class Counter:
    """A member that counts frames; the first one also notes when each arrived."""

    def __init__(self, frames: int, done: asyncio.Event, timed: bool):
        self.count = 0
        self.frames = frames
        self.done = done
        self.latencies = [] if timed else None

    def deliver(self, outgoing) -> None:
        self.count += 1
        if self.latencies is not None:
            sent = float(outgoing.text.rsplit('"sent":', 1)[1].split(",", 1)[0])
            self.latencies.append(time.perf_counter() - sent)
        if self.count == self.frames:
            self.done.set()

    def resync(self) -> None:
        raise AssertionError("the subscription dropped during the bench")


def publish(url: str, channel: str, frames: int, rate: float | None) -> None:
    """Publish `frames` frames, pipelined in batches of 200, or one by one at `rate` per second."""
    import redis

    client = redis.Redis.from_url(url)
    started = time.perf_counter()
    if rate is None:
        for first in range(0, frames, 200):
            pipe = client.pipeline(transaction=False)
            for seq in range(first, min(frames, first + 200)):
                pipe.publish(
                    channel,
                    f'{{"type":"bench.tick","seq":{seq},"sent":{time.perf_counter()!r},"pad":"{PAD}"}}',
                )
            pipe.execute()
    else:
        for seq in range(frames):
            pause = started + seq / rate - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            client.publish(
                channel, f'{{"type":"bench.tick","seq":{seq},"sent":{time.perf_counter()!r},"pad":"{PAD}"}}'
            )
    client.close()


async def run(module, *, url: str, prefix: str, frames: int, members: int, rate: float | None) -> dict:
    hub = module.hub()
    done = asyncio.Event()
    counters = [Counter(frames, done, timed=index == 0) for index in range(members)]
    for counter in counters:
        await hub.join(GROUP, counter)
    try:
        cpu, wall = time.thread_time(), time.perf_counter()
        publisher = threading.Thread(target=publish, args=(url, prefix + GROUP, frames, rate))
        publisher.start()
        await asyncio.wait_for(done.wait(), 120)
        cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
        publisher.join()
    finally:
        for counter in counters:
            hub.leave(GROUP, counter)
    assert all(counter.count == frames for counter in counters)
    latencies = counters[0].latencies
    return {
        "frames_per_s": frames / wall,
        "cpu_us_per_frame": cpu / frames * 1e6,
        "p50_ms": percentile(latencies, 0.5) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--frames", type=int, default=20_000)
    parser.add_argument("--members", type=int, nargs="+", default=[1, 100])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--baseline", default=BASELINE)
    args = parser.parse_args()

    server = None
    if not os.environ.get("REDIS_URL"):
        from scripts.services import Redis

        server = Redis().start()
        os.environ["REDIS_URL"] = server.url
    os.environ["DJANGO_SETTINGS_MODULE"] = "trialoog.settings.test"
    import django

    django.setup()
    import redis.utils
    from django.conf import settings

    from realtime.live import fanout

    implementations = {"RESP2 (" + args.baseline + ")": load_baseline(args.baseline), "redis.asyncio": fanout}
    url, prefix = settings.FANOUT_REDIS_URL, settings.FANOUT_PREFIX
    print(f"redis-py {redis.__version__}, hiredis {'yes' if redis.utils.HIREDIS_AVAILABLE else 'no'}")
    scenarios = [(f"burst {args.frames} frames, {m} members", args.frames, m, None) for m in args.members]
    scenarios.append(("paced 2000 frames at 1000/s, 1 member", 2000, 1, 1000.0))
    try:
        for title, frames, members, rate in scenarios:
            results = {name: [] for name in implementations}
            for _ in range(args.rounds):
                for name, module in implementations.items():
                    results[name].append(
                        asyncio.run(
                            run(module, url=url, prefix=prefix, frames=frames, members=members, rate=rate)
                        )
                    )
            print(f"\n{title} (median of {args.rounds})")
            print(f"  {'subscriber':<22}{'frames/s':>10}{'CPU µs/frame':>14}{'p50 ms':>9}{'p99 ms':>9}")
            for name, rounds in results.items():
                row = {key: statistics.median(r[key] for r in rounds) for key in rounds[0]}
                print(
                    f"  {name:<22}{row['frames_per_s']:>10,.0f}{row['cpu_us_per_frame']:>14.1f}"
                    f"{row['p50_ms']:>9.2f}{row['p99_ms']:>9.2f}"
                )
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
