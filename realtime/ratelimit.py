"""
Rate limit on room actions per person, shared by the WebSocket and the HTML forms.

A fixed window in the cache (the database cache, so it holds across server
processes and survives a Redis outage). Generous for people, tight for scripts.
"""

import math
import time

from django.core.cache import cache
from django.utils.translation import gettext as _

WINDOW_SECONDS = 10
LIMIT_PER_WINDOW = 60


def room_action_hit(*, user_id: int, now: float | None = None) -> int | None:
    """Count one room action for this person; return the seconds to wait when over the limit, else None."""
    now = time.time() if now is None else now
    window = int(now // WINDOW_SECONDS)
    key = f"room-actions:{user_id}:{window}"
    count = cache.get_or_set(key, 0, timeout=WINDOW_SECONDS * 2)
    if count >= LIMIT_PER_WINDOW:
        return max(1, math.ceil((window + 1) * WINDOW_SECONDS - now))
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=WINDOW_SECONDS * 2)
    return None


def retry_message(seconds: int) -> str:
    return _("U doet te veel tegelijk. Probeer het over %(seconds)d seconden opnieuw.") % {"seconds": seconds}
