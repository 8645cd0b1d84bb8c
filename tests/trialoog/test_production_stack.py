import json
import urllib.request

import pytest
import yaml
from django.conf import settings
from websockets.sync.client import connect

from tests.production import COMPOSE_FILE, compose_web, production_web, shell_words, suite_database_url

pytestmark = pytest.mark.django_db(transaction=True)


def test_production_web_serves_healthz_and_websockets_through_redis(tmp_path):
    """The compose web command with production settings answers /healthz and a WebSocket ping via Redis."""
    with production_web(
        database_url=suite_database_url(), redis_url=settings.REDIS_URL, tmp_path=tmp_path
    ) as base:
        with urllib.request.urlopen(f"{base}/healthz", timeout=5) as response:
            health = (response.status, json.loads(response.read()))
        with urllib.request.urlopen(f"{base}/", timeout=5) as response:
            home = response.read().decode()
        ws_url = base.replace("http://", "ws://") + "/ws/ping/"
        with connect(ws_url, origin=base, open_timeout=5) as socket:
            socket.send(json.dumps({"action": "ping", "id": "smoke-1"}))
            pong = json.loads(socket.recv(timeout=5))

    assert health == (200, {"database": "ok", "channel_layer": "ok"})
    assert "/static/css/site." in home
    assert pong == {"type": "pong", "id": "smoke-1"}


def test_compose_web_runs_migrations_then_uvicorn_on_the_asgi_app():
    """The compose web service migrates, then serves trialoog.asgi with uvicorn as measured (docs/performance.md)."""
    words = shell_words(compose_web()["command"])

    assert words[:4] == ["python", "manage.py", "migrate", "--noinput"]
    assert words[5:8] == ["python", "manage.py", "createcachetable"]
    server = words[words.index("uvicorn") :]
    assert server[-1] == "trialoog.asgi:application"
    options = dict(zip(server[1:-1:2], server[2:-1:2], strict=False))
    assert options["--backlog"] == "2048"
    assert options["--ws"] == "websockets-sansio"
    assert options["--ws-per-message-deflate"] == "false"  # one frame, many sockets: no per-socket zlib
    assert options["--loop"] == "uvloop"
    assert options["--workers"] == "${WEB_CONCURRENCY:-2}"
    assert "--proxy-headers" in server


def test_compose_web_waits_for_healthy_postgres_and_redis():
    """web only starts when both backing services pass their health checks."""
    depends = compose_web()["depends_on"]

    assert depends == {
        "postgres": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
    }


def test_compose_redis_writes_nothing_to_disk():
    """Redis holds who acted in which ten seconds (hashed) and room messages: no snapshot or log of them."""
    redis = yaml.safe_load(COMPOSE_FILE.read_text())["services"]["redis"]

    assert redis["command"][redis["command"].index("--appendonly") + 1] == "no"
    assert redis["command"][redis["command"].index("--save") + 1] == ""
    assert "volumes" not in redis
