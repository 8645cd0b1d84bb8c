"""
Stack for bench/live_room.py: throwaway PostgreSQL and Redis, a benchmark-only
seed, and the production web process started the way the tests start it
(tests/production.py: the docker-compose `web` command with production settings).
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scripts.services import Postgres, Redis, free_port  # noqa: E402
from tests.production import _wait_until_healthy, web_command, web_environment  # noqa: E402

SERVERS = ("uvicorn", "daphne")
DAPHNE = (
    "exec daphne -e tcp:port={port}:backlog=2048:interface=127.0.0.1 --proxy-headers "
    "trialoog.asgi:application"
)


def server_command(server: str, port: int, workers: int = 1) -> list[str]:
    """The compose web command (uvicorn, `workers` processes) on a loopback port; for daphne, its `exec` part swapped."""
    command = web_command(port, workers)
    if server == "uvicorn":
        assert "exec uvicorn" in command[2], command
        return command
    prefix = command[2].split("exec ", 1)[0]
    return ["sh", "-c", prefix + DAPHNE.format(port=port)]


def stop_process(proc: subprocess.Popen) -> None:
    """Terminate a child process; kill it if it does not stop within ten seconds."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@dataclass
class Stack:
    """PostgreSQL + Redis + one or more production web processes."""

    server: str = "daphne"
    processes: int = 1
    workers: int = 1
    pg_max_connections: int = 300
    extra_env: dict = field(default_factory=dict)
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(64))
    workdir: Path = field(default_factory=lambda: Path(os.environ.get("TMPDIR", "/tmp")))
    pg: Postgres | None = None
    redis: Redis | None = None
    procs: list = field(default_factory=list)
    ports: list = field(default_factory=list)
    env: dict = field(default_factory=dict)

    def start_services(self) -> None:
        self.pg = Postgres(max_connections=self.pg_max_connections).start()
        self.redis = Redis().start()
        self.ports = [free_port() for _ in range(self.processes)]
        static_root = str(self.workdir / f"bench-static-{os.getpid()}")
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_"))},
            **web_environment(
                database_url=self.pg.url,
                redis_url=self.redis.url,
                port=self.ports[0],
                static_root=static_root,
            ),
            "SECRET_KEY": self.secret_key,
            "STATIC_ROOT": static_root,
            "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
            **self.extra_env,
        }
        # This process seeds and checks the database with the same settings and key as the server.
        for key in (
            "DJANGO_SETTINGS_MODULE",
            "SECRET_KEY",
            "OUTBOX_KEY",
            "DATABASE_URL",
            "REDIS_URL",
            "ALLOWED_HOSTS",
            "SITE_URL",
            "SECURITY_CONTACT",
        ):
            os.environ[key] = self.env[key]
        os.environ["SECURE_SSL_REDIRECT"] = "false"
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        call_command("createcachetable", verbosity=0)
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env=self.env,
            check=True,
        )

    def start_servers(self) -> None:
        for index, port in enumerate(self.ports):
            log = open(self.workdir / f"bench-web-{os.getpid()}-{index}.log", "w")  # noqa: SIM115
            proc = subprocess.Popen(
                server_command(self.server, port, self.workers),
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            self.procs.append((proc, log))
        for (proc, _log), port in zip(self.procs, self.ports, strict=True):
            _wait_until_healthy(f"http://127.0.0.1:{port}/healthz", proc, timeout=90)

    def server_pids(self) -> list[int]:
        return [proc.pid for proc, _log in self.procs]

    def worker_pids(self) -> list[int]:
        """The server processes and their children (uvicorn's worker processes)."""
        pids = []
        for pid in self.server_pids():
            pids.append(pid)
            try:
                pids += [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
            except OSError:
                pass
        return pids

    def log_tail(self, lines: int = 30) -> str:
        out = []
        for _proc, log in self.procs:
            log.flush()
            out.append("\n".join(Path(log.name).read_text(errors="replace").splitlines()[-lines:]))
        return "\n---\n".join(out)

    def stop(self) -> None:
        for proc, log in self.procs:
            stop_process(proc)
            log.close()
        self.procs = []
        from django.db import connections

        connections.close_all()
        if self.redis:
            self.redis.stop()
        if self.pg:
            self.pg.stop()


# --- benchmark-only seed ---------------------------------------------------------


@dataclass
class Seed:
    code: str
    room_id: int
    participant_cookies: list[str]
    asker_cookies: list[str]
    moderator_cookie: str
    vote_questions: list[int]
    poll_id: int
    poll_options: list[int]


def _session_cookie(user, backend: str) -> tuple[str, object]:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    key = secrets.token_hex(16)
    data = SessionStore().encode(
        {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: backend,
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
    )
    return key, Session(
        session_key=key, session_data=data, expire_date=timezone.now() + timezone.timedelta(days=1)
    )


def seed(*, participants: int, askers: int, vote_questions: int) -> Seed:
    """One open room, `participants` + `askers` registered attendees with login sessions, a moderator."""
    import datetime as dt

    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.models import Session as DjangoSession
    from django.utils import timezone

    from accounts.models import User
    from events.models import Event, Registration, Room, Session, SessionKind
    from realtime.models import LiveRoom, Poll, PollOption, Question

    tag = secrets.token_hex(3)
    event = Event.objects.create(
        name="Bench",
        slug=f"bench-{tag}",
        acronym="bench2026",
        date=dt.date(2026, 6, 17),
        programme_published=True,
        registration_open=True,
    )
    start = dt.datetime(2026, 6, 17, 10, 30, tzinfo=event.tz)
    hall = Room.objects.create(event=event, name="Plenaire zaal", capacity=10_000, position=0)
    session = Session.objects.create(
        event=event,
        room=hall,
        kind=SessionKind.TRIALOOG,
        title="Plenaire trialoog",
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=75),
    )
    room = LiveRoom.objects.create(session=session, is_open=True)
    perspectives = ("politiek", "beleid", "uitvoering")
    password = make_password(None)
    total = participants + askers + 1
    users = User.objects.bulk_create(
        [
            User(
                email=f"bench-{tag}-{i}@example.org",
                name=f"Deelnemer {i}",
                organisation="Bench",
                perspective=perspectives[i % 3],
                password=password,
            )
            for i in range(total)
        ],
        batch_size=1000,
    )
    moderator, people = users[-1], users[:-1]
    session.moderators.add(moderator)
    Registration.objects.bulk_create(
        [Registration(user=u, event=event, status=Registration.Status.REGISTERED) for u in people],
        batch_size=1000,
    )
    backend = settings.AUTHENTICATION_BACKENDS[0]
    cookies, rows = [], []
    for user in users:
        key, row = _session_cookie(user, backend)
        cookies.append(f"{settings.SESSION_COOKIE_NAME}={key}")
        rows.append(row)
    DjangoSession.objects.bulk_create(rows, batch_size=1000)
    questions = Question.objects.bulk_create(
        [
            Question(
                room=room,
                author=people[0],
                client_id=f"seed-{i}",
                text=f"Voorbereide vraag {i} om op te stemmen",
                perspective=people[0].perspective,
                status=Question.Status.VISIBLE,
            )
            for i in range(vote_questions)
        ]
    )
    poll = Poll.objects.create(
        room=room,
        text="Bench-stelling",
        kind=Poll.Kind.SCALE,
        state=Poll.State.OPEN,
        opened_at=timezone.now(),
    )
    options = PollOption.objects.bulk_create(
        [PollOption(poll=poll, label=f"Antwoord {i}", value=i, position=i) for i in range(1, 6)]
    )
    return Seed(
        code=session.code,
        room_id=room.pk,
        participant_cookies=cookies[:participants],
        asker_cookies=cookies[participants : participants + askers],
        moderator_cookie=cookies[-1],
        vote_questions=[q.pk for q in questions],
        poll_id=poll.pk,
        poll_options=[o.pk for o in options],
    )


def vote_check(
    *, room_id: int, acked: int, poll_id: int | None = None, poll_acks: dict | None = None
) -> dict:
    """What the database holds after the vote phase, against what was acknowledged."""
    from django.db.models import Count, Sum

    from realtime.models import PollChoice, PollVote, Question, QuestionUpvote

    rows = QuestionUpvote.objects.filter(question__room_id=room_id).count()
    counters = Question.objects.filter(room_id=room_id).aggregate(total=Sum("upvotes"))["total"] or 0
    doubles = (
        QuestionUpvote.objects.filter(question__room_id=room_id)
        .values("question_id", "voter_hash")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    upvote_acks = acked - sum((poll_acks or {}).values())
    result = {
        "stored": rows,
        "counter_sum": counters,
        "acked": upvote_acks,
        "lost": max(0, upvote_acks - rows),
        "unacked_stored": max(0, rows - upvote_acks),
        "double": doubles + abs(counters - rows),
    }
    if poll_id is not None:
        # Everyone votes once, always for the same option: per option, stored must equal acknowledged.
        stored = {
            str(option): n
            for option, n in PollChoice.objects.filter(vote__poll_id=poll_id)
            .values_list("option_id")
            .annotate(n=Count("id"))
        }
        acks = {str(k): v for k, v in (poll_acks or {}).items()}
        result["poll"] = {
            "votes_stored": PollVote.objects.filter(poll_id=poll_id).count(),
            "votes_acked": sum(acks.values()),
            "lost": sum(max(0, n - stored.get(k, 0)) for k, n in acks.items()),
            # A scale poll takes one answer: more answers than votes would be a vote counted twice.
            "double": sum(stored.values()) - PollVote.objects.filter(poll_id=poll_id).count(),
            "unacked_stored": sum(max(0, n - acks.get(k, 0)) for k, n in stored.items()),
        }
    return result


# --- server CPU and memory from /proc ------------------------------------------------


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def proc_cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def proc_rss_bytes(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class CpuMeter:
    """CPU used by a set of processes between start() and stop(), as a share of one core."""

    def __init__(self, pids: list[int]):
        self.pids = pids
        self.start()

    def start(self) -> None:
        self.t0 = time.monotonic()
        self.c0 = sum(proc_cpu_seconds(p) for p in self.pids)

    def stop(self) -> float:
        elapsed = max(1e-6, time.monotonic() - self.t0)
        return (sum(proc_cpu_seconds(p) for p in self.pids) - self.c0) / elapsed
