"""Keyed hashes that stop double votes without linking a vote to a person."""

import hashlib
import hmac

from django.conf import settings


def voter_hash(kind: str, user_id: int, target_id: int) -> str:
    """HMAC-SHA256 of (kind, person, target) with a key derived from the site secret."""
    key = hashlib.sha256(f"trialoog-voter-hash:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, f"{kind}:{user_id}:{target_id}".encode(), hashlib.sha256).hexdigest()
