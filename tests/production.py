"""
Start the production web process the way docker-compose.yml starts it.

The command and the environment variable names come from the compose file
itself, so a test that uses this helper breaks as soon as the compose file
and reality drift apart.
"""

import os
import secrets
import shlex
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import yaml
from cryptography.fernet import Fernet

from scripts.services import free_port

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"


def production_settings_env(**overrides: str) -> dict[str, str]:
    """The least environment the production settings start with, for a test that loads them in a subprocess."""
    return {
        "DJANGO_SETTINGS_MODULE": "trialoog.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "OUTBOX_KEY": Fernet.generate_key().decode(),
        "SITE_URL": "https://trialoog.example.org",
        "SECURITY_CONTACT": "mailto:security@example.org",
        **overrides,
    }


def suite_database_url() -> str:
    """The URL of the suite's test database, for server processes started by a test."""
    from django.db import connection

    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def compose_web() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())["services"]["web"]


def web_command(port: int, workers: int = 1) -> list[str]:
    """The compose web command, pointed at a loopback port instead of 0.0.0.0:8000."""
    command = compose_web()["command"]
    assert command[:2] == ["sh", "-c"], command
    script = (
        command[2]
        .replace("--host 0.0.0.0", "--host 127.0.0.1")
        .replace("--port 8000", f"--port {port}")
        .replace("${WEB_CONCURRENCY:-2}", str(workers))
    )
    return ["sh", "-c", script]


def web_environment(*, database_url: str, redis_url: str, port: int, static_root: str) -> dict[str, str]:
    """Values for exactly the variables the compose file sets on web, for a loopback test."""
    origin = f"http://127.0.0.1:{port}"
    values = production_settings_env(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        CSRF_TRUSTED_ORIGINS=origin,
        SITE_URL=origin,
    ) | {
        "EMAIL_URL": "console://",
        "DEFAULT_FROM_EMAIL": "Trialoog <noreply@example.org>",
        "SECURE_SSL_REDIRECT": "false",
        "FORWARDED_ALLOW_IPS": "127.0.0.1",
        "REQUIRE_MFA_FOR_STAFF": "true",
        "SESSION_IDLE_TIMEOUT": "28800",
    }
    assert set(values) == set(compose_web()["environment"]), "compose web environment changed"
    return values


def _wait_until_healthy(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"web process exited early with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback only
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not become healthy in {timeout}s")


@contextmanager
def production_web(
    *, database_url: str, redis_url: str, tmp_path: Path, extra_env: dict | None = None, workers: int = 1
):
    """Run collectstatic, then the compose web command with `workers` processes on a free port; yield its base URL."""
    port = free_port()
    static_root = str(tmp_path / "static")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_"))},
        **web_environment(database_url=database_url, redis_url=redis_url, port=port, static_root=static_root),
        "STATIC_ROOT": static_root,
        "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
        **(extra_env or {}),
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    log = open(tmp_path / "web.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        web_command(port, workers), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(f"{base}/healthz", proc)
        yield base
    except Exception:
        log.flush()
        print((tmp_path / "web.log").read_text())
        raise
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def shell_words(command: list[str]) -> list[str]:
    return shlex.split(command[2])
