"""
Benchmark of a large live room: snapshot size and build time, the HTML pages, "Meer laden" pages, connects.

Starts a throwaway PostgreSQL and Redis and the production web process
(bench/_harness.py, the compose `web` command), seeds one open room with
`--questions` questions and `--notes` notes (tests/large_room.py: 400- and
600-character texts) and `--sockets` registered participants, then measures:

- the `room.snapshot` for a participant and a moderator, built in this
  process with the server's settings: bytes, and build time p50/p95 both cold
  (the shared part built anew) and warm (reused at the same seq); beside it the
  unbounded snapshot the room sent before (every question and note);
- the room page, the console and the projector over HTTP: bytes and p50/p95;
- one page of `GET /zaal/<code>/meer/` (questions and notes), walked to the end: p50/p95;
- `--sockets` sockets connecting at once: time to the first frame, p50/p95/max, and its size
  (with `--unbounded` the server sends whole snapshots, as before: they fail at the 1 MiB limit).

    .venv/bin/python bench/snapshot.py
    .venv/bin/python bench/snapshot.py --questions 3000 --notes 2000 --sockets 50

Everything runs on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import _harness  # noqa: E402

FRAME_LIMIT = 2**20


def pct(values: list[float]) -> tuple[float, float, float]:
    """p50, p95 and max of `values`, in milliseconds."""
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000, ordered[-1] * 1000


def timed(fn, repeat: int) -> tuple[list[float], object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return times, result


def http_get(url: str, cookie: str) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - loopback only
        return response.status, response.read()


def build_rows(*, room, participant, moderator, repeat: int) -> list[tuple]:
    """Snapshot sizes and build times in this process, bounded and as they were before."""
    from realtime import paging, snapshots

    unbounded = paging.Limits(10**9, 10**9, 10**9)
    rows = []
    for label, user, role, limits in (
        ("snapshot, participant", participant, "participant", None),
        ("snapshot, moderator", moderator, "moderator", None),
        ("snapshot before (unbounded), participant", participant, "participant", unbounded),
    ):

        def cold(user=user, role=role, limits=limits):
            snapshots._public_cache.clear()
            return snapshots.room_snapshot_texts(room=room, viewers=[(user, role)], limits=limits)[0]

        def warm(user=user, role=role, limits=limits):
            return snapshots.room_snapshot_texts(room=room, viewers=[(user, role)], limits=limits)[0]

        times, text = timed(cold, repeat)
        rows.append((f"{label}: build (cold)", len(text.encode()), *pct(times)))
        if role != "moderator":
            warm()
            times, text = timed(warm, repeat)
            rows.append((f"{label}: build (warm, same seq)", len(text.encode()), *pct(times)))
    return rows


def http_rows(*, base: str, code: str, token: str, cookies: dict, repeat: int) -> list[tuple]:
    rows = []
    for label, path, cookie in (
        ("room page (participant)", f"/zaal/{code}/", cookies["participant"]),
        ("console (moderator)", f"/zaal/{code}/console/", cookies["moderator"]),
        ("projector", f"/projector/{token}/", ""),
    ):
        times, (status, body) = timed(lambda path=path, cookie=cookie: http_get(base + path, cookie), repeat)
        assert status == 200, (path, status)
        rows.append((f"{label}: GET", len(body), *pct(times)))
    # One person per list: a page counts as a room action, and one walk stays within a person's limit.
    for name, cookie in (("questions", cookies["participant"]), ("notes", cookies["second"])):
        times, sizes, after, pages = [], [], None, 0
        while True:
            query = f"?lijst={name}" + (f"&na={after}" if after else "")
            start = time.perf_counter()
            status, body = http_get(f"{base}/zaal/{code}/meer/{query}", cookie)
            times.append(time.perf_counter() - start)
            assert status == 200, status
            page = json.loads(body)
            sizes.append(len(body))
            pages += 1
            after = page["next"]
            if after is None:
                break
        rows.append((f"GET /meer/ {name}: one page ({pages} pages)", max(sizes), *pct(times)))
    return rows


async def connect_all(url: str, origin: str, cookies: list[str]) -> tuple[list[float], list[int], int]:
    """Open every socket at once; the seconds until each first frame, its bytes, and how many failed."""
    from websockets.asyncio.client import connect

    async def one(cookie: str):
        start = time.perf_counter()
        async with connect(
            url, origin=origin, additional_headers={"Cookie": cookie}, max_size=FRAME_LIMIT, open_timeout=60
        ) as socket:
            text = await asyncio.wait_for(socket.recv(), 60)
            return time.perf_counter() - start, len(text.encode()) if isinstance(text, str) else len(text)

    results = await asyncio.gather(*(one(c) for c in cookies), return_exceptions=True)
    ok = [r for r in results if not isinstance(r, BaseException)]
    return [t for t, _ in ok], [n for _, n in ok], len(results) - len(ok)


def print_table(rows: list[tuple], connects: tuple, args) -> None:
    print()
    bounds = "unbounded socket snapshots" if args.unbounded else "bounds as configured"
    print(f"Room with {args.questions} questions and {args.notes} notes ({bounds})")
    print(f"{'what':58} {'bytes':>10} {'p50 ms':>9} {'p95 ms':>9} {'max ms':>9}")
    for label, size, p50, p95, top in rows:
        print(f"{label:58} {size:>10,} {p50:>9.1f} {p95:>9.1f} {top:>9.1f}")
    times, sizes, failed = connects
    label = f"{args.sockets} sockets at once: first frame ({failed} failed)"
    if times:
        p50, p95, top = pct(times)
        print(f"{label:58} {max(sizes):>10,} {p50:>9.1f} {p95:>9.1f} {top:>9.1f}")
    else:
        print(f"{label:58} {'-':>10}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=int, default=3000)
    parser.add_argument("--notes", type=int, default=2000)
    parser.add_argument("--sockets", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=20, help="repetitions of each timed build and GET")
    parser.add_argument("--server", choices=_harness.SERVERS, default="uvicorn")
    parser.add_argument(
        "--unbounded",
        action="store_true",
        help="the server sends every question and note in its snapshots, as before they were bounded",
    )
    parser.add_argument("--json", help="also write every figure to this file")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="trialoog-bench-"))
    huge = str(10**9)
    extra_env = (
        {"ROOM_SNAPSHOT_TOP": huge, "ROOM_SNAPSHOT_NEWEST": huge, "ROOM_SNAPSHOT_QUEUE": huge}
        if args.unbounded
        else {}
    )
    stack = _harness.Stack(server=args.server, processes=1, workdir=tmp, extra_env=extra_env)
    try:
        print(f"starting PostgreSQL, Redis and {args.server} ...", flush=True)
        stack.start_services()
        seed = _harness.seed(participants=args.sockets, askers=1, vote_questions=0)
        from accounts.models import User
        from realtime.models import LiveRoom
        from tests.large_room import large_room_fill

        room = LiveRoom.objects.select_related("session").get(pk=seed.room_id)
        author = User.objects.get(email__endswith="-0@example.org", registrations__event=room.session.event)
        moderator = room.session.moderators.get()
        print(f"seeding {args.questions} questions and {args.notes} notes ...", flush=True)
        large_room_fill(room=room, author=author, questions=args.questions, notes=args.notes)
        stack.start_servers()
        base = f"http://127.0.0.1:{stack.ports[0]}"

        rows = build_rows(room=room, participant=author, moderator=moderator, repeat=args.repeat)
        cookies = {
            "participant": seed.participant_cookies[0],
            "second": seed.participant_cookies[1],
            "moderator": seed.moderator_cookie,
        }
        rows += http_rows(
            base=base, code=seed.code, token=room.projector_token, cookies=cookies, repeat=args.repeat
        )
        url = base.replace("http://", "ws://") + f"/ws/rooms/{seed.code}/"
        connects = asyncio.run(connect_all(url, base, seed.participant_cookies))
    except Exception:
        print(stack.log_tail(), file=sys.stderr)
        raise
    finally:
        stack.stop()
    print_table(rows, connects, args)
    if args.json:
        Path(args.json).write_text(json.dumps({"rows": rows, "connects": connects}, indent=1))


if __name__ == "__main__":
    main()
