"""
Scale smoke test: 100 clients in one room for about ten seconds, against two
server processes, uvicorn (the production default) and daphne (still
supported), that share the suite's PostgreSQL and Redis (clients split across
both), driven by the benchmark's own client process (bench/_clients.py).

It asserts correctness only: everyone connected, every broadcast reached every
client in order, every vote acknowledged is stored exactly once, everyone
resynced after a mass reconnect. Never timing: that is bench/live_room.py's job.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from bench import _harness
from bench.live_room import Workers
from scripts.services import free_port
from tests.production import _wait_until_healthy, suite_database_url

ROOT = Path(__file__).resolve().parent.parent.parent
CLIENTS = 100
BROADCASTS = 40
RATE = 5.0
VOTES_PER_SECOND = 150
VOTE_SECONDS = 3

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def two_servers(tmp_path):
    """A uvicorn and a daphne process on the test database and Redis; yields their ports."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_"))},
        "DJANGO_SETTINGS_MODULE": "trialoog.settings.test",
        "DATABASE_URL": suite_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "SECRET_KEY": settings.SECRET_KEY,
    }
    bin_dir = Path(sys.executable).parent
    procs, ports = [], [free_port(), free_port()]
    commands = [
        [
            str(bin_dir / "uvicorn"),
            "--host",
            "127.0.0.1",
            "--port",
            str(ports[0]),
            "--ws",
            "websockets-sansio",
        ],
        [str(bin_dir / "daphne"), "-e", f"tcp:port={ports[1]}:backlog=2048:interface=127.0.0.1"],
    ]
    try:
        for index, command in enumerate(commands):
            log = open(tmp_path / f"server-{index}.log", "w")  # noqa: SIM115 - closed below
            proc = subprocess.Popen(
                [*command, "trialoog.asgi:application"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            procs.append((proc, log))
        for (proc, _log), port in zip(procs, ports, strict=True):
            _wait_until_healthy(f"http://127.0.0.1:{port}/healthz", proc)
        yield ports
    finally:
        for proc, log in procs:
            _harness.stop_process(proc)
            log.close()


def test_hundred_clients_get_every_broadcast_and_every_vote_counts_once(two_servers, tmp_path):
    seed = _harness.seed(participants=CLIENTS, askers=4, vote_questions=10)
    urls = [f"ws://127.0.0.1:{port}/ws/rooms/{seed.code}/" for port in two_servers]
    origins = [f"http://127.0.0.1:{port}" for port in two_servers]
    workers = Workers(
        [
            {
                "urls": urls,
                "origins": origins,
                "cookies": seed.participant_cookies,
                "asker_cookies": seed.asker_cookies,
                "connect_limit": 60,
            }
        ],
        tmp_path,
    )
    try:
        [connected] = workers.run({"phase": "connect", "concurrency": 10})
        assert connected["connected"] == CLIENTS, connected["failures"]

        [result] = workers.run(
            {"phase": "broadcast", "rate": RATE, "count": BROADCASTS, "first_k": 0, "drain": 30}
        )
        assert len(result["sent_at"]) == BROADCASTS
        assert result["ack_errors"] == {}
        received = {int(k): v[0] for k, v in result["asked"].items()}
        assert received == dict.fromkeys(range(BROADCASTS), CLIENTS), "a client missed a broadcast"
        assert result["gaps"] == 0, "a client saw a gap in seq"

        [votes] = workers.run(
            {
                "phase": "votes",
                "questions": seed.vote_questions,
                "poll": {"id": seed.poll_id, "options": seed.poll_options},
                "steps": [[VOTES_PER_SECOND, VOTE_SECONDS]],
                "drain": 30,
            }
        )
        [step] = votes["steps"]
        assert step["sent"] > 0
        assert step["errors"] == {}
        assert step["acked"] == step["sent"]
        poll_acks = dict(step["poll_acks"])
        assert sum(poll_acks.values()) == CLIENTS, "every client votes once in the poll"
        check = _harness.vote_check(
            room_id=seed.room_id, acked=step["acked"], poll_id=seed.poll_id, poll_acks=poll_acks
        )
        assert check["stored"] == check["acked"] == step["acked"] - CLIENTS
        assert check["lost"] == 0
        assert check["double"] == 0
        assert check["poll"] == {
            "votes_stored": CLIENTS,
            "votes_acked": CLIENTS,
            "lost": 0,
            "double": 0,
            "unacked_stored": 0,
        }

        [reconnect] = workers.run({"phase": "reconnect", "concurrency": 10})
        assert reconnect["connected"] == CLIENTS, reconnect["failures"]

        # After the reconnect the room still reaches everyone, across both processes.
        [again] = workers.run(
            {"phase": "broadcast", "rate": RATE, "count": 5, "first_k": BROADCASTS, "drain": 30}
        )
        received = {int(k): v[0] for k, v in again["asked"].items()}
        assert received == dict.fromkeys(range(BROADCASTS, BROADCASTS + 5), CLIENTS)
    finally:
        workers.close()
