"""
Rate limit on room actions per person, shared by the WebSocket and the HTML forms.

A fixed window in the "ratelimit" cache: Redis when REDIS_URL is set, so it
holds across server processes, otherwise this process's memory. Never the
database cache: its rows would keep, for a while and in every backup, which
person acted at which moment, and next to the votes that links them.

The key is an HMAC of (person, window) with a key from the site secret: the
store never holds a user id, and one person's keys in two windows do not
look alike. Keys live for two windows. Generous for people, tight for scripts.

When Redis cannot be reached the limiter lets actions through, logs one
warning that names nobody and leaves Redis alone for a few seconds, so forms
keep working, without waiting, during a Redis outage.
"""

import functools
import hashlib
import hmac
import logging
import math
import time

from django.conf import settings
from django.core.cache import caches
from django.utils.translation import gettext as _
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 10
LIMIT_PER_WINDOW = 60
CACHE_ALIAS = "ratelimit"
OUTAGE_PAUSE_SECONDS = 5.0

_paused_until = 0.0


@functools.lru_cache(maxsize=4)
def _key(secret: str) -> bytes:
    return hashlib.sha256(f"trialoog-room-actions:{secret}".encode()).digest()


def window_key(*, user_id: int, window: int) -> str:
    """The cache key of one person's count in one window: no user id, and unlike their other windows'."""
    token = hmac.digest(_key(settings.SECRET_KEY), f"{user_id}:{window}".encode(), "sha256").hex()
    return f"room-actions:{token[:32]}"


def room_action_hit(*, user_id: int, now: float | None = None) -> int | None:
    """
    Count one room action for this person; return the seconds to wait when over the limit, else None.

    Also None, without counting, while the rate-limit store is unreachable.
    """
    global _paused_until
    if time.monotonic() < _paused_until:
        return None
    now = time.time() if now is None else now
    window = int(now // WINDOW_SECONDS)
    key = window_key(user_id=user_id, window=window)
    cache = caches[CACHE_ALIAS]
    try:
        cache.add(key, 0, timeout=WINDOW_SECONDS * 2)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=WINDOW_SECONDS * 2)
            count = 1
    except (RedisError, OSError) as error:
        _paused_until = time.monotonic() + OUTAGE_PAUSE_SECONDS
        logger.warning(
            "room-action rate limit unavailable, not limiting for %d s: %r", OUTAGE_PAUSE_SECONDS, error
        )
        return None
    if count > LIMIT_PER_WINDOW:
        return max(1, math.ceil((window + 1) * WINDOW_SECONDS - now))
    return None


def retry_message(seconds: int) -> str:
    return _("U doet te veel tegelijk. Probeer het over %(seconds)d seconden opnieuw.") % {"seconds": seconds}
