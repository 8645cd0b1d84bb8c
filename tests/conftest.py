import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def run_python():
    """Run a Python snippet in a fresh interpreter with a chosen environment; return the result."""

    def run(code: str, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess:
        base = {
            key: value
            for key, value in os.environ.items()
            if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
        }
        return subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env={**base, **env},
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    return run


@pytest.fixture(scope="session", autouse=True)
def _close_stray_connections(django_db_setup, django_db_blocker):
    """
    Before the test database is dropped, end connections that worker threads left open.

    Consumers reach the database from thread-pool threads (database_sync_to_async),
    whose connections outlive the test; PostgreSQL refuses to drop a database in use.
    """
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [connection.settings_dict["NAME"]],
        )
    connection.close()


@pytest.fixture(autouse=True)
def _fresh_channel_layer():
    """
    Give every test its own channel-layer instance.

    Each async test runs in a new event loop, and a layer instance keeps
    asyncio locks bound to the loop it first ran in.
    """
    from channels.layers import channel_layers

    from realtime import events

    channel_layers.backends.clear()
    yield
    # A coalesced broadcast still waiting would read a database that is rolled back or gone.
    events.cancel_pending()


@pytest.fixture
def reauthenticate():
    """Confirm a logged-in test client's password, as allauth asks before the data download and deletion."""

    def confirm(client, password: str = "een-lang-wachtwoord-42") -> None:
        response = client.post("/account/reauthenticate/", {"password": password})
        assert response.status_code == 302, response.content

    return confirm


@pytest.fixture(autouse=True)
def _fresh_public_pages():
    """
    Start every test without cached public pages: the rows they were rendered from are rolled back
    or truncated, which sends no signal. A new programme version also retires what server processes
    started by the suite (daphne, uvicorn) have cached, since they share the suite's Redis.
    """
    from django.core.cache import caches

    from events.public_cache import _bump_now

    caches["public_pages"].clear()
    _bump_now()


@pytest.fixture(scope="session")
def tls_redis(tmp_path_factory):
    """A second Redis that speaks only TLS, with a certificate from a throwaway CA; its `url` is `rediss://…`."""
    from scripts.services import Redis
    from tests.tls import write_tls_files

    server = Redis(tls_dir=str(write_tls_files(tmp_path_factory.mktemp("redis-tls")))).start()
    yield server
    server.stop()
