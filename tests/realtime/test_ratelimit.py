"""The room-action rate limit (realtime/ratelimit.py): in Redis under a hashed key, never in the database."""

import logging
import re
import time

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.test import override_settings

from realtime import ratelimit
from scripts.services import free_port
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOW = 1_800_000_000.0


def _hits(user_id: int, count: int, now: float = NOW) -> list[int | None]:
    return [ratelimit.room_action_hit(user_id=user_id, now=now) for _ in range(count)]


def _stored_keys() -> list[str]:
    return sorted(key.decode() for key in redis.Redis.from_url(settings.REDIS_URL).keys("*room-actions*"))


def test_past_the_limit_a_person_must_wait_until_the_next_window():
    """Sixty actions in ten seconds pass; the next one waits for the rest of the window."""
    user = UserFactory()

    within = _hits(user.pk, ratelimit.LIMIT_PER_WINDOW, now=NOW + 4)
    over = ratelimit.room_action_hit(user_id=user.pk, now=NOW + 4)

    assert within == [None] * ratelimit.LIMIT_PER_WINDOW
    assert over == 6


def test_the_stored_key_is_a_hash_that_names_no_person():
    """The key in Redis is an HMAC of person and window: no user id, and another for the next window."""
    user = UserFactory()
    window = int(NOW // ratelimit.WINDOW_SECONDS)

    _hits(user.pk, 1)
    _hits(user.pk, 1, now=NOW + ratelimit.WINDOW_SECONDS)

    mine = [
        f"trialoog-ratelimit:1:{ratelimit.window_key(user_id=user.pk, window=w)}"
        for w in (window, window + 1)
    ]
    assert set(mine) <= set(_stored_keys())
    assert all(re.fullmatch(r"trialoog-ratelimit:1:room-actions:[0-9a-f]{32}", key) for key in mine)
    assert mine[0] != mine[1]
    assert f"room-actions:{user.pk}:" not in " ".join(_stored_keys())


def test_the_limit_writes_nothing_to_the_database_cache():
    """The database cache (allauth's login limits) gets no rows from room actions."""
    user = UserFactory()

    _hits(user.pk, 5)

    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM trialoog_cache")
        assert cursor.fetchall() == []


def test_the_limit_lets_actions_through_at_once_when_its_redis_is_down(monkeypatch, caplog):
    """With its Redis unreachable, actions pass without waiting; one warning says so, naming nobody."""
    user = UserFactory(id=7_400_001)
    down = {
        **settings.CACHES,
        "ratelimit": {**settings.CACHES["ratelimit"], "LOCATION": f"redis://127.0.0.1:{free_port()}/0"},
    }
    monkeypatch.setattr(ratelimit, "_paused_until", 0.0)
    caplog.set_level(logging.WARNING, logger="realtime.ratelimit")

    with override_settings(CACHES=down):
        started = time.monotonic()
        outcomes = _hits(user.pk, ratelimit.LIMIT_PER_WINDOW + 10)
        took = time.monotonic() - started

    assert outcomes == [None] * (ratelimit.LIMIT_PER_WINDOW + 10)
    assert took < 1
    assert len(caplog.records) == 1
    assert caplog.records[0].getMessage().startswith("room-action rate limit unavailable")
    assert "7400001" not in caplog.records[0].getMessage()
