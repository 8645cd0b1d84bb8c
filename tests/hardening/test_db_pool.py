"""Under load, pages keep answering: pooled database connections on the production stack."""

import asyncio
import os
import subprocess
import sys

import psycopg
import pytest
from django.conf import settings

from scripts.services import Postgres
from tests.loadclient import load
from tests.production import ROOT, production_web

WORKERS = 2
POOL_MAX = 8
# Three superuser slots are reserved; 2 x 8 pooled connections leave room for the test's own queries.
MAX_CONNECTIONS = 25
CONNECTIONS = 120


def _sessions(url: str) -> int:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT pg_stat_clear_snapshot()")
        row = conn.execute(
            "SELECT sessions FROM pg_stat_database WHERE datname = current_database()"
        ).fetchone()
        return row[0]


def _seed(url: str) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))},
        "DJANGO_SETTINGS_MODULE": "trialoog.settings.test",
        "DATABASE_URL": url,
    }
    subprocess.run([sys.executable, "manage.py", "seed_demo", "-v0"], cwd=ROOT, env=env, check=True)


@pytest.fixture
def small_postgres():
    server = Postgres(max_connections=MAX_CONNECTIONS).start()
    yield server
    server.stop()


def test_many_concurrent_requests_against_a_small_postgres_get_no_503(small_postgres, tmp_path):
    """120 keep-alive connections on uvicorn x 2 against PostgreSQL with max_connections=25 get only 200s:
    /healthz and the programme of a visitor with a session cookie both query the database on every
    request, and the workers lend pooled connections instead of opening one per request (503 before).
    The whole run opens at most as many PostgreSQL sessions as the pools hold, not one per request."""
    with production_web(
        database_url=small_postgres.url,
        redis_url=os.environ["REDIS_URL"],
        tmp_path=tmp_path,
        workers=WORKERS,
        extra_env={"DB_POOL_MAX_SIZE": str(POOL_MAX), "DB_POOL_MIN_SIZE": "1"},
    ) as base:
        _seed(small_postgres.url)
        port = int(base.rsplit(":", 1)[1])
        before = _sessions(small_postgres.url)
        # A session cookie (even a stale one) makes every programme request read the session and render.
        cookie = {"Cookie": f"{settings.SESSION_COOKIE_NAME}=not-a-session"}

        async def run():
            return await asyncio.gather(
                load(ports=[port], path="/healthz", connections=CONNECTIONS // 2, requests=10, seconds=120),
                load(
                    ports=[port],
                    path="/dvdpd-2026/programma/",
                    connections=CONNECTIONS // 2,
                    requests=10,
                    seconds=120,
                    headers=cookie,
                ),
            )

        health, programme = asyncio.run(run())
    after = _sessions(small_postgres.url)

    assert dict(health.statuses) == {200: CONNECTIONS // 2 * 10}
    assert dict(programme.statuses) == {200: CONNECTIONS // 2 * 10}
    assert dict(health.errors) == {} and dict(programme.errors) == {}
    # The pools' connections, the two _sessions() reads and the health check of startup: nowhere near 1,200.
    assert after - before <= WORKERS * POOL_MAX + 2
