"""
Load benchmark of one live room, side by side with the raw `websockets` limit.

Starts a throwaway PostgreSQL and Redis, seeds one open room with N registered
participants (login sessions written directly: a benchmark-only seed), starts
the production web process the way tests/production.py does (the compose
`web` command, production settings), and drives it from separate asyncio
client processes (bench/_clients.py). Then it drives bench/raw_server.py
(`websockets.broadcast()`, frame serialized once) with the same clients.

Measured and printed:
- connect success and time to the first `room.snapshot`;
- broadcast latency (question asked -> every client has it; and server send
  time `ts` -> each receipt) at a sustained rate, p50/p95/p99/max;
- delivered versus expected frames;
- vote ingestion at stepped rates, then the database against the acks;
- mass reconnect: all sockets dropped at once, time until all resynced;
- server CPU and resident memory per connection;
- a saturation ramp, and every figure as a ratio to the raw server.

    .venv/bin/python bench/live_room.py --clients 2000
    .venv/bin/python bench/live_room.py --clients 2000 --server daphne --skip-votes --no-raw

Everything runs on 127.0.0.1. The client processes share the machine's cores
with the server, PostgreSQL and Redis.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import platform
import select
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import _harness  # noqa: E402
from scripts.services import free_port  # noqa: E402

PHASE_TIMEOUT = 240


# --- client workers ---------------------------------------------------------------


class Workers:
    """The client processes, driven phase by phase."""

    def __init__(self, configs: list[dict], tmp: Path):
        self.procs = []
        for i, config in enumerate(configs):
            path = tmp / f"clients-{os.getpid()}-{i}.json"
            path.write_text(json.dumps(config))
            proc = subprocess.Popen(
                [sys.executable, str(ROOT / "bench" / "_clients.py"), str(path)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                cwd=ROOT,
            )
            self.procs.append(proc)
        for _ in self._read_all(60):
            pass

    def pids(self) -> list[int]:
        return [p.pid for p in self.procs]

    def _read_all(self, timeout: float) -> list[dict]:
        out = []
        for proc in self.procs:
            ready, _, _ = select.select([proc.stdout], [], [], timeout)
            if not ready:
                raise RuntimeError("a client worker did not answer in time")
            line = proc.stdout.readline()
            if not line:
                raise RuntimeError(f"a client worker exited (code {proc.poll()})")
            result = json.loads(line)
            if "error" in result:
                raise RuntimeError(f"client worker failed: {result['error']}")
            out.append(result)
        return out

    def run(self, commands: list[dict] | dict) -> list[dict]:
        if isinstance(commands, dict):
            commands = [commands] * len(self.procs)
        for proc, command in zip(self.procs, commands, strict=True):
            proc.stdin.write(json.dumps(command) + "\n")
            proc.stdin.flush()
        return self._read_all(PHASE_TIMEOUT)

    def close(self) -> None:
        for proc in self.procs:
            try:
                proc.stdin.write('{"phase": "quit"}\n')
                proc.stdin.flush()
            except (BrokenPipeError, OSError):
                pass
        for proc in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
            proc.stdin.close()
            proc.stdout.close()


# --- statistics ------------------------------------------------------------------


def merge_hists(hists) -> collections.Counter:
    total = collections.Counter()
    for hist in hists:
        total.update({int(k): v for k, v in hist.items()})
    return total


def merge_counts(rows: list[dict], key: str) -> dict:
    """The counters under `key` of every client process, added up."""
    return dict(sum((collections.Counter(r[key]) for r in rows), collections.Counter()))


def open_summary(results: list[dict], cpu) -> dict:
    """A connect or reconnect phase: how many got their snapshot, how fast, what failed, server CPU."""
    return {
        "connected": sum(r["connected"] for r in results),
        "seconds": max(r["seconds"] for r in results),
        "snapshot_ms": hist_pct(merge_hists(r["hist"] for r in results)),
        "failures": merge_counts(results, "failures"),
        "resumed": sum(r.get("resumed", 0) for r in results),
        "server_cpu": cpu.stop(),
    }


def hist_pct(hist: collections.Counter, fractions=(0.5, 0.95, 0.99, 1.0)) -> list[float | None]:
    """Percentiles in milliseconds from 0.1 ms buckets."""
    n = sum(hist.values())
    if not n:
        return [None] * len(fractions)
    out, keys = [], sorted(hist)
    for fraction in fractions:
        target, seen = max(1, round(fraction * n)), 0
        for key in keys:
            seen += hist[key]
            if seen >= target:
                out.append(key / 10)
                break
    return out


def pct(values: list[float], fractions=(0.5, 0.95, 0.99, 1.0)) -> list[float | None]:
    if not values:
        return [None] * len(fractions)
    ordered = sorted(values)
    return [ordered[min(len(ordered) - 1, max(0, round(f * len(ordered)) - 1))] for f in fractions]


def fmt(values) -> str:
    return " / ".join("-" if v is None else f"{v:.1f}" for v in values)


def split(items: list, parts: int) -> list[list]:
    return [items[i::parts] for i in range(parts)]


# --- one run against one server -----------------------------------------------------


def run_scenario(*, name: str, urls: list[str], origins: list[str], seed, args, server_pids, tmp) -> dict:
    """Connect, sustained broadcasts, votes, mass reconnect, ramp. Returns every figure."""
    cookies = seed.participant_cookies if seed else [None] * args.clients
    configs = []
    for i, part in enumerate(split(cookies, args.workers)):
        configs.append(
            {
                "urls": urls,
                "origins": origins,
                "cookies": part,
                "asker_cookies": (seed.asker_cookies if seed else [None] * args.askers) if i == 0 else [],
                "connect_limit": args.connect_limit,
            }
        )
    report: dict = {"name": name, "clients": args.clients}
    workers = Workers(configs, tmp)
    try:
        rss0 = sum(_harness.proc_rss_bytes(p) for p in server_pids)
        cpu = _harness.CpuMeter(server_pids)
        results = workers.run({"phase": "connect", "concurrency": args.connect_concurrency})
        report["connect"] = open_summary(results, cpu)
        time.sleep(2)
        rss1 = sum(_harness.proc_rss_bytes(p) for p in server_pids)
        report["memory"] = {
            "rss_before_mb": rss0 / 2**20,
            "rss_after_mb": rss1 / 2**20,
            "per_connection_kb": (rss1 - rss0) / 1024 / max(1, report["connect"]["connected"]),
        }
        # Idle CPU with everyone connected.
        cpu.start()
        time.sleep(2)
        report["idle_cpu"] = cpu.stop()

        k = 0
        count = int(args.rate * args.duration)
        report["sustained"] = broadcast_step(workers, server_pids, args.rate, count, k, args)
        k += count

        if seed and not args.skip_votes:
            report["votes"] = vote_phase(workers, server_pids, seed, args)

        cpu.start()
        results = workers.run({"phase": "reconnect", "concurrency": 10_000})
        report["reconnect"] = open_summary(results, cpu)
        report["reconnect"]["resynced"] = report["reconnect"].pop("connected")
        time.sleep(1)

        report["ramp"] = []
        for rate in args.ramp:
            count = int(rate * args.ramp_seconds)
            step = broadcast_step(workers, server_pids, rate, count, k, args)
            k += count
            report["ramp"].append(step)
            if step["delivered"] < step["expected"] * 0.99 or (step["until_all_ms"][2] or 0) > 2000:
                break
    finally:
        workers.close()
    return report


def broadcast_step(workers, server_pids, rate, count, first_k, args) -> dict:
    cpu = _harness.CpuMeter(server_pids)
    client_cpu = _harness.CpuMeter(workers.pids())
    results = workers.run(
        {"phase": "broadcast", "rate": rate, "count": count, "first_k": first_k, "drain": args.drain}
    )
    server_cpu, clients_cpu = cpu.stop(), client_cpu.stop()
    sent_at = {int(k): v for k, v in results[0]["sent_at"].items()}
    per_k = collections.defaultdict(lambda: [0, 0.0])
    for r in results:
        for k, (n, _first, last) in r["asked"].items():
            entry = per_k[int(k)]
            entry[0] += n
            entry[1] = max(entry[1], last)
    until_all = [
        (per_k[k][1] - sent_at[k]) * 1000 for k in sent_at if per_k[k][0] >= args.clients and k in per_k
    ]
    delivered = sum(v[0] for v in per_k.values())
    elapsed = max(r["elapsed"] for r in results)
    frames = merge_counts(results, "frames")
    return {
        "rate": rate,
        "broadcasts": count,
        "sent": len(sent_at),
        "complete": len(until_all),
        "expected": count * args.clients,
        "delivered": delivered,
        "frames_per_s": delivered / max(1e-6, elapsed),
        "until_all_ms": pct(until_all),
        "from_ts_ms": hist_pct(merge_hists(r["ts_hist"] for r in results)),
        "gaps": sum(r["gaps"] for r in results),
        "all_frames": sum(frames.values()),
        "ack_errors": merge_counts(results, "ack_errors"),
        "server_cpu": server_cpu,
        "client_cpu": clients_cpu,
    }


def vote_phase(workers, server_pids, seed, args) -> dict:
    steps = []
    n_workers = len(workers.procs)
    plan = [[min(rate, args.clients * 4) / n_workers, args.vote_seconds] for rate in args.vote_steps]
    cpu = _harness.CpuMeter(server_pids)
    poll = {"id": seed.poll_id, "options": seed.poll_options}
    results = workers.run(
        {"phase": "votes", "questions": seed.vote_questions, "poll": poll, "steps": plan, "drain": 20}
    )
    total_cpu = cpu.stop()
    acked_total = 0
    for index, rate in enumerate(args.vote_steps):
        rows = [r["steps"][index] for r in results]
        sent = sum(r["sent"] for r in rows)
        acked = sum(r["acked"] for r in rows)
        acked_total += acked
        send_seconds = max(r["send_seconds"] for r in rows)
        seconds = max(r["seconds"] for r in rows)
        steps.append(
            {
                "target_rate": min(rate, args.clients * 4),
                "sent": sent,
                "acked": acked,
                "skipped": sum(r["skipped"] for r in rows),
                "unanswered": sum(r["unanswered"] for r in rows),
                "errors": merge_counts(rows, "errors"),
                "acked_per_s": acked / max(1e-6, seconds),
                "acked_per_s_send_window": acked / max(1e-6, send_seconds),
                "ack_ms": hist_pct(merge_hists(r["ack_hist"] for r in rows)),
                "seconds": seconds,
            }
        )
    time.sleep(1)
    poll_acks = collections.Counter()
    for r in results:
        for row in r["steps"]:
            poll_acks.update(row["poll_acks"])
    check = _harness.vote_check(
        room_id=seed.room_id, acked=acked_total, poll_id=seed.poll_id, poll_acks=dict(poll_acks)
    )
    return {"steps": steps, "check": check, "server_cpu": total_cpu}


# --- report ---------------------------------------------------------------------------


def print_report(reports: list[dict], args) -> None:
    print()
    print(
        f"machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}, Python {platform.python_version()}"
    )
    print(
        f"clients: {args.clients} in {args.workers} client process(es); server: {args.server} x {args.processes}"
    )
    for r in reports:
        print(f"\n== {r['name']} ==")
        c = r["connect"]
        print(
            f"connect: {c['connected']}/{r['clients']} in {c['seconds']:.1f}s; snapshot ms p50/p95/p99/max "
            f"{fmt(c['snapshot_ms'])}; failures {c['failures']}; server CPU {c['server_cpu']:.0%}"
        )
        m = r["memory"]
        print(
            f"memory: RSS {m['rss_before_mb']:.0f} -> {m['rss_after_mb']:.0f} MB, "
            f"{m['per_connection_kb']:.1f} KB per connection; idle CPU {r['idle_cpu']:.0%}"
        )
        for label, step in [("sustained", r["sustained"])] + [("ramp", s) for s in r["ramp"]]:
            print(
                f"{label} {step['rate']}/s x {step['broadcasts']}: delivered {step['delivered']}/{step['expected']} "
                f"({step['delivered'] / max(1, step['expected']):.2%}), {step['frames_per_s']:.0f} frames/s; "
                f"ask->all ms p50/p95/p99/max {fmt(step['until_all_ms'])}; ts->client ms {fmt(step['from_ts_ms'])}; "
                f"gaps {step['gaps']}; errors {step['ack_errors']}; CPU server {step['server_cpu']:.0%} "
                f"clients {step['client_cpu']:.0%}"
            )
        if "votes" in r:
            v = r["votes"]
            for s in v["steps"]:
                print(
                    f"votes @{s['target_rate']}/s: sent {s['sent']}, acked {s['acked']} "
                    f"({s['acked_per_s_send_window']:.0f}/s in the send window, {s['acked_per_s']:.0f}/s incl. drain); "
                    f"ack ms p50/p95/p99/max {fmt(s['ack_ms'])}; errors {s['errors']}; skipped {s['skipped']}; "
                    f"unanswered {s['unanswered']}"
                )
            print(f"votes in the database: {v['check']}; server CPU {v['server_cpu']:.0%}")
        rc = r["reconnect"]
        print(
            f"mass reconnect: {rc['resynced']}/{r['clients']} resynced ({rc['resumed']} from the log) in "
            f"{rc['seconds']:.2f}s; snapshot ms "
            f"{fmt(rc['snapshot_ms'])}; failures {rc['failures']}; server CPU {rc['server_cpu']:.0%}"
        )
    if len(reports) == 2:
        ours, raw = reports
        print("\n== ratios (ours / raw) ==")
        for label, a, b in [("sustained", ours["sustained"], raw["sustained"])] + [
            (f"ramp {x['rate']}/s", x, y) for x, y in zip(ours["ramp"], raw["ramp"], strict=False)
        ]:
            p99a, p99b = a["until_all_ms"][2], b["until_all_ms"][2]
            print(
                f"{label}: frames/s {a['frames_per_s'] / max(1, b['frames_per_s']):.2f}x "
                f"({a['frames_per_s']:.0f} vs {b['frames_per_s']:.0f}); ask->all p99 "
                f"{(p99a or 0) / max(0.1, p99b or 0.1):.1f}x ({p99a} vs {p99b} ms)"
            )
        best_a = max(s["frames_per_s"] for s in [ours["sustained"], *ours["ramp"]])
        best_b = max(s["frames_per_s"] for s in [raw["sustained"], *raw["ramp"]])
        print(f"best delivered frames/s: {best_a:.0f} vs raw {best_b:.0f} = {best_a / best_b:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=2000)
    parser.add_argument("--duration", type=float, default=30, help="seconds of the sustained broadcast step")
    parser.add_argument("--rate", type=float, default=10, help="broadcasts per second, sustained")
    parser.add_argument("--server", choices=_harness.SERVERS, default="uvicorn")
    parser.add_argument("--processes", type=int, choices=(1, 2), default=2)
    parser.add_argument("--workers", type=int, default=2, help="client processes")
    parser.add_argument("--askers", type=int, default=30, help="extra participants that ask the questions")
    parser.add_argument("--ramp", type=lambda s: [float(x) for x in s.split(",") if x], default=[25, 50, 100])
    parser.add_argument("--ramp-seconds", type=float, default=5)
    parser.add_argument(
        "--vote-steps", type=lambda s: [int(x) for x in s.split(",") if x], default=[1000, 5000]
    )
    parser.add_argument("--vote-seconds", type=float, default=30)
    parser.add_argument("--vote-questions", type=int, default=120)
    parser.add_argument("--skip-votes", action="store_true")
    parser.add_argument("--no-raw", action="store_true", help="skip the raw websockets server")
    parser.add_argument("--connect-concurrency", type=int, default=200)
    parser.add_argument("--drain", type=float, default=10)
    parser.add_argument(
        "--connect-limit", type=float, default=120, help="seconds before a connect phase gives up"
    )
    parser.add_argument(
        "--conn-max-age", help="CONN_MAX_AGE for the server (default: as the compose file leaves it)"
    )
    parser.add_argument("--json", help="also write every figure to this file")
    parser.add_argument(
        "--profile",
        help="py-spy profile of the (first) server process: .svg flame graph, else collapsed stacks",
    )
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="trialoog-bench-"))
    extra_env = {"CONN_MAX_AGE": args.conn_max_age} if args.conn_max_age else {}
    stack = _harness.Stack(server=args.server, processes=args.processes, workdir=tmp, extra_env=extra_env)
    reports = []
    try:
        print(f"starting PostgreSQL, Redis and {args.processes} x {args.server} ...", flush=True)
        stack.start_services()
        seed = _harness.seed(
            participants=args.clients, askers=args.askers, vote_questions=args.vote_questions
        )
        stack.start_servers()
        urls = [f"ws://127.0.0.1:{port}/ws/rooms/{seed.code}/" for port in stack.ports]
        origins = [f"http://127.0.0.1:{port}" for port in stack.ports]
        print(f"running {args.clients} clients against {args.server} ...", flush=True)
        spy = None
        if args.profile:
            spy = subprocess.Popen(
                [
                    *(
                        "py-spy",
                        "record",
                        "-o",
                        args.profile,
                        "--pid",
                        str(stack.server_pids()[0]),
                        "-r",
                        "200",
                    ),
                    *("-f", "flamegraph" if args.profile.endswith(".svg") else "raw"),
                ],
                env={**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}"},
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        try:
            reports.append(
                run_scenario(
                    name=f"trialoog ({args.server} x {args.processes})",
                    urls=urls,
                    origins=origins,
                    seed=seed,
                    args=args,
                    server_pids=stack.server_pids(),
                    tmp=tmp,
                )
            )
        except Exception:
            print(stack.log_tail(), file=sys.stderr)
            raise
        finally:
            if spy is not None:
                spy.send_signal(2)
                spy.wait(timeout=60)
    finally:
        stack.stop()
    if not args.no_raw:
        port = free_port()
        raw = subprocess.Popen([sys.executable, str(ROOT / "bench" / "raw_server.py"), "--port", str(port)])
        try:
            time.sleep(1.5)
            print(f"running {args.clients} clients against the raw websockets server ...", flush=True)
            reports.append(
                run_scenario(
                    name="raw websockets.broadcast()",
                    urls=[f"ws://127.0.0.1:{port}/"],
                    origins=[f"http://127.0.0.1:{port}"],
                    seed=None,
                    args=args,
                    server_pids=[raw.pid],
                    tmp=tmp,
                )
            )
        finally:
            raw.terminate()
            raw.wait(timeout=10)
    print_report(reports, args)
    if args.json:
        Path(args.json).write_text(json.dumps(reports, indent=1, default=str))


if __name__ == "__main__":
    main()
