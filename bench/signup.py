"""
Benchmark session sign-up against a real PostgreSQL.

Starts a throwaway PostgreSQL (or uses DATABASE_URL when set), migrates it,
then lets N concurrent clients (threads, one database connection each) call
`signup_create` as fast as they can. Two scenarios:

- hot: every client signs people up for the same session, so all of them
  queue on one Session row lock (the worst case: a popular trialoog);
- spread: people sign up for one of ten parallel sessions.

Each run checks afterwards that no session is overbooked and that the
waitlist has no gaps. Prints sign-ups per second and latency percentiles.

    .venv/bin/python bench/signup.py [--clients 20] [--signups 2000]
"""

import argparse
import os
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def setup_django() -> object | None:
    server = None
    if not os.environ.get("DATABASE_URL"):
        from scripts.services import Postgres

        server = Postgres().start()
        os.environ["DATABASE_URL"] = server.url
    os.environ.pop("REDIS_URL", None)
    # The test settings send mail to memory, so the bench measures sign-up, not SMTP.
    os.environ["DJANGO_SETTINGS_MODULE"] = "trialoog.settings.test"
    import logging

    import django

    django.setup()
    logging.getLogger("mail.services").setLevel(logging.WARNING)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return server


def prepare(*, scenario: str, signups: int):
    """Create the day, ten parallel sessions and `signups` registered attendees."""
    import datetime as dt

    from accounts.models import Perspective, User
    from events.models import Event, Registration, Room, Session, SessionKind

    tag = f"{scenario}-{time.monotonic_ns()}"
    event = Event.objects.create(
        name="Bench",
        slug=tag,
        acronym="bench2026",
        date=dt.date(2026, 6, 17),
        registration_open=True,
        programme_published=True,
    )
    start = dt.datetime(2026, 6, 17, 10, 30, tzinfo=event.tz)
    sessions = []
    for i in range(10):
        room = Room.objects.create(event=event, name=f"Zaal {i}", capacity=100, position=i)
        sessions.append(
            Session.objects.create(
                event=event,
                room=room,
                kind=SessionKind.TRIALOOG,
                title=f"Trialoog {i}",
                starts_at=start,
                ends_at=start + dt.timedelta(minutes=75),
                reserved_politiek=10,
            )
        )
    perspectives = [Perspective.POLITIEK, Perspective.BELEID, Perspective.UITVOERING, Perspective.ANDERS]
    users = User.objects.bulk_create(
        User(email=f"{tag}-{n}@example.org", name=f"Persoon {n}", perspective=perspectives[n % 4])
        for n in range(signups)
    )
    Registration.objects.bulk_create(Registration(user=user, event=event) for user in users)
    targets = [sessions[0]] * signups if scenario == "hot" else [sessions[n % 10] for n in range(signups)]
    return list(zip(users, targets, strict=True)), sessions


def run(*, scenario: str, clients: int, signups: int) -> dict:
    from django.db import connection, connections

    from events.services.signup import signup_create

    work, sessions = prepare(scenario=scenario, signups=signups)
    lock = threading.Lock()
    latencies: list[float] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(clients + 1)

    def client() -> None:
        connection.ensure_connection()
        barrier.wait()
        mine = []
        try:
            while True:
                with lock:
                    if not work:
                        break
                    user, session = work.pop()
                began = time.perf_counter()
                signup_create(user=user, session=session)
                mine.append(time.perf_counter() - began)
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            with lock:
                latencies.extend(mine)
            connections.close_all()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    if errors:
        raise errors[0]
    check(sessions)
    return {
        "scenario": scenario,
        "signups": len(latencies),
        "per_second": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p95_ms": percentile(latencies, 0.95) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
    }


def check(sessions) -> None:
    """Fail loudly on overbooking or a gap in any waitlist."""
    from events.models import SessionSignup

    for session in sessions:
        active = SessionSignup.objects.filter(session=session).exclude(status=SessionSignup.Status.CANCELLED)
        confirmed = active.filter(status=SessionSignup.Status.CONFIRMED).count()
        positions = sorted(
            active.filter(status=SessionSignup.Status.WAITLISTED).values_list("waitlist_position", flat=True)
        )
        assert confirmed <= session.seat_capacity, f"{session} overbooked: {confirmed}"
        assert positions == list(range(1, len(positions) + 1)), f"{session} waitlist has gaps"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--signups", type=int, default=2000)
    args = parser.parse_args()
    server = setup_django()
    try:
        import django.db

        print(
            f"PostgreSQL {django.db.connection.cursor().connection.info.server_version}, {args.clients} clients"
        )
        for scenario in ("hot", "spread"):
            result = run(scenario=scenario, clients=args.clients, signups=args.signups)
            print(
                f"{result['scenario']:>6}: {result['signups']} sign-ups, {result['per_second']:.0f} sign-ups/s, "
                f"p50 {result['p50_ms']:.1f} ms, p95 {result['p95_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms"
            )
        print("no overbooking, no waitlist gaps")
    finally:
        django.db.connections.close_all()
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
