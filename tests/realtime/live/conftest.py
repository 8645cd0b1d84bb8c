"""The compose web command (real uvicorn, --ws websockets-sansio) with logins the suite can make."""

import contextlib
import secrets

import pytest
from django.conf import settings
from django.test import Client

from tests.production import production_web, suite_database_url

PRODUCTION_SESSION_COOKIE = "__Host-sessionid"  # trialoog/settings/production.py


def production_cookie(user) -> str:
    """A Cookie header value that logs `user` in on the production settings (same database and SECRET_KEY)."""
    client = Client()
    client.force_login(user)
    return f"{PRODUCTION_SESSION_COOKIE}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


@pytest.fixture
def compose_server(tmp_path, settings):
    """
    Start the compose web command against the suite's database; yields (base URL, path of its log).

    The test and the server share one production-grade SECRET_KEY, so the sessions of
    `production_cookie` (made after this fixture) are valid there.
    """
    settings.SECRET_KEY = secrets.token_urlsafe(64)

    @contextlib.contextmanager
    def start(*, redis_url: str | None = None, **env: str):
        with production_web(
            database_url=suite_database_url(),
            redis_url=redis_url or settings.REDIS_URL,
            tmp_path=tmp_path,
            extra_env={"SECRET_KEY": settings.SECRET_KEY, **env},
        ) as base:
            yield base, tmp_path / "web.log"

    return start
