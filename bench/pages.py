"""
Public pages under load, beside a tiny view, on the production-like stack.

Starts its own PostgreSQL (max_connections 100 by default, as a stock
server), Redis and the compose web command (uvicorn × 2 workers, production
settings), seeds the demo day, then drives each page with N keep-alive
connections for a few seconds, at 40 and at 200 connections, in one run:

    .venv/bin/python bench/pages.py                    # or: --seconds 10 --levels 40,200 --json out.json

Per page and level it prints requests/s, p50/p99 latency, the ratio to
`/.well-known/security.txt` at the same level, the status counts, the server
CPU per request and the new PostgreSQL sessions per request (from
pg_stat_database.sessions before and after). Any non-200 answer makes it
exit with status 1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._harness import CpuMeter, Stack, _session_cookie  # noqa: E402
from tests.loadclient import load  # noqa: E402

try:
    import uvloop
except ImportError:  # pragma: no cover
    uvloop = None

TINY = "/.well-known/security.txt"


def pg_sessions() -> int:
    """PostgreSQL's count of sessions ever opened on this database, read on a fresh snapshot."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
        return cursor.fetchone()[0]


def prepare() -> tuple[list[tuple[str, str, dict]], dict]:
    """Seed the demo day; return the pages to drive as (label, path, headers) and facts about the seed."""
    from django.conf import settings
    from django.core.management import call_command

    from accounts.models import User
    from events.models import Session
    from reports.models import OutcomeReport

    call_command("seed_demo", verbosity=0)
    session = Session.objects.select_related("event").order_by("starts_at", "pk").first()
    event = f"/{session.event.slug}"
    attendee = User.objects.filter(registrations__isnull=False).order_by("pk").first()
    key, row = _session_cookie(attendee, settings.AUTHENTICATION_BACKENDS[0])
    row.save()
    signed_in = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={key}"}
    pages = [
        ("tiny view", TINY, {}),
        ("start page", "/", {}),
        ("programme grid", f"{event}/programma/", {}),
        ("programme list", f"{event}/programma/lijst/", {}),
        ("kennisbank", "/kennisbank/", {}),
        ("session page", f"{event}/programma/sessie/{session.pk}/", {}),
        ("schedule.json", f"{event}/schedule.json", {}),
        ("schedule.xml", f"{event}/schedule.xml", {}),
        ("programme grid, signed in", f"{event}/programma/", signed_in),
    ]
    facts = {"sessions": Session.objects.count(), "reports": OutcomeReport.objects.count()}
    return pages, facts


def drive(*, port: int, path: str, headers: dict, connections: int, seconds: float, pids: list[int]) -> dict:
    """One page at one level: warm up, then measure requests, latency, statuses, CPU and new sessions."""
    asyncio.run(load(ports=[port], path=path, connections=min(connections, 10), requests=5, headers=headers))
    before = pg_sessions()
    cpu = CpuMeter(pids)
    result = asyncio.run(
        load(ports=[port], path=path, connections=connections, seconds=seconds, headers=headers)
    )
    cpu_share = cpu.stop()
    time.sleep(1.5)  # PostgreSQL publishes a backend's session count once it goes idle
    new_sessions = pg_sessions() - before  # this process reads on one kept (pooled) connection
    return {
        "path": path,
        "connections": connections,
        "answered": result.answered,
        "per_second": result.per_second,
        "p50_ms": (result.percentile(0.5) or 0) * 1000,
        "p99_ms": (result.percentile(0.99) or 0) * 1000,
        "statuses": dict(result.statuses),
        "errors": dict(result.errors),
        "cpu_ms_per_request": cpu_share * result.elapsed * 1000 / max(1, result.answered),
        "new_db_sessions": max(0, new_sessions),
        "db_sessions_per_request": max(0, new_sessions) / max(1, result.answered),
    }


def print_report(rows: list[dict]) -> None:
    header = (
        f"{'page':28} {'conns':>5} {'req/s':>8} {'ratio':>6} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'cpu ms/req':>10} {'new DB sessions':>16}  statuses"
    )
    print(header)
    print("-" * len(header))
    tiny = {row["connections"]: row["per_second"] for row in rows if row["path"] == TINY}
    for row in rows:
        ratio = row["per_second"] / tiny[row["connections"]] if tiny.get(row["connections"]) else 0
        statuses = ", ".join(f"{k}: {v}" for k, v in sorted(row["statuses"].items()))
        if row["errors"]:
            statuses += " | errors " + ", ".join(f"{k}: {v}" for k, v in row["errors"].items())
        print(
            f"{row['label']:28} {row['connections']:>5} {row['per_second']:>8.0f} {ratio:>5.2f}x "
            f"{row['p50_ms']:>8.1f} {row['p99_ms']:>8.1f} {row['cpu_ms_per_request']:>10.2f} "
            f"{row['new_db_sessions']:>6} ({row['db_sessions_per_request']:.4f}/req)  {statuses}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--levels", default="40,200", help="keep-alive connections per step, comma-separated")
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per page and level")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes (compose: 2)")
    parser.add_argument("--max-connections", type=int, default=100, help="PostgreSQL max_connections")
    parser.add_argument("--json", help="also write the rows to this file")
    args = parser.parse_args()
    if uvloop is not None:
        uvloop.install()

    stack = Stack(server="uvicorn", workers=args.workers, pg_max_connections=args.max_connections)
    try:
        stack.start_services()
        pages, facts = prepare()
        stack.start_servers()
        port = stack.ports[0]
        pids = stack.worker_pids()
        print(
            f"uvicorn x {args.workers} (pids {pids}), PostgreSQL max_connections={args.max_connections}, "
            f"demo day: {facts['sessions']} sessions, {facts['reports']} reports; "
            f"{args.seconds:.0f} s per page and level\n",
            flush=True,
        )
        rows = []
        for level in (int(n) for n in args.levels.split(",")):
            for label, path, headers in pages:
                row = drive(
                    port=port, path=path, headers=headers, connections=level, seconds=args.seconds, pids=pids
                )
                row["label"] = label
                rows.append(row)
                print(f"  {label} @ {level}: {row['per_second']:.0f}/s {row['statuses']}", flush=True)
        print()
        print_report(rows)
        if args.json:
            Path(args.json).write_text(json.dumps({"facts": facts, "rows": rows}, indent=2))
        bad = sum(n for row in rows for status, n in row["statuses"].items() if status != 200)
        bad += sum(n for row in rows for n in row["errors"].values())
        print(f"\nnon-200 answers and failed requests: {bad}")
        if bad:
            print(stack.log_tail())
            sys.exit(1)
    finally:
        stack.stop()


if __name__ == "__main__":
    main()
