"""Keyed hashes that stop double votes without linking a vote to a person."""

import functools
import hashlib
import hmac

from django.conf import settings


@functools.lru_cache(maxsize=4)
def _key(secret: str) -> bytes:
    return hashlib.sha256(f"trialoog-voter-hash:{secret}".encode()).digest()


def voter_hash(kind: str, user_id: int, target_id: int) -> str:
    """HMAC-SHA256 of (kind, person, target) with a key derived from the site secret."""
    return hmac.new(
        _key(settings.SECRET_KEY), f"{kind}:{user_id}:{target_id}".encode(), hashlib.sha256
    ).hexdigest()
