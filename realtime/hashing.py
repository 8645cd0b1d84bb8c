"""
Keyed hashes that stop double votes without storing who voted.

A vote, upvote or reaction is stored under

    HMAC(event salt, HMAC(K, "kind:person:target"))

where K is derived from the site secret (SECRET_KEY) and the salt is the
event's random `vote_salt`, kept in the database. Linking a row to a person
needs both: a database dump alone (salt, no secret) cannot, and once the
event's purge has destroyed the salt, the secret alone cannot either. Until
then the site can recompute a person's hashes to find their own votes.

The inner hash is what earlier versions stored on its own, so the migration
that introduced the salt could re-key existing rows without knowing whose
they are.
"""

import functools
import hashlib
import hmac

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


@functools.lru_cache(maxsize=4)
def _key(secret: str) -> bytes:
    return hashlib.sha256(f"trialoog-voter-hash:{secret}".encode()).digest()


@functools.lru_cache(maxsize=64)
def _salt_key(salt: str) -> bytes:
    return bytes.fromhex(salt)


def voter_hash(kind: str, user_id: int, target_id: int, *, salt: str) -> str:
    """
    The keyed hash of (kind, person, target) for an event with this salt.

    Raises ValueError for an empty salt: the purge destroyed it, and no vote
    of that event can be stored or found any more.
    """
    if not salt:
        raise ValueError("the event's vote salt was destroyed by the purge")
    inner = hmac.digest(_key(settings.SECRET_KEY), f"{kind}:{user_id}:{target_id}".encode(), "sha256")
    return hmac.digest(_salt_key(salt), inner.hex().encode(), "sha256").hex()


def presence_holder(user_id: int, room_id: int) -> str:
    """
    Who holds a presence row, as a keyed hash: the same for one person's sockets in one room, unlike theirs elsewhere.

    Lets presence count people rather than sockets and cap the sockets per
    person, without storing a user id next to the perspective.
    """
    return hmac.digest(_key(settings.SECRET_KEY), f"presence:{user_id}:{room_id}".encode(), "sha256").hex()[
        :32
    ]


def event_over_error() -> ValidationError:
    """What someone hears who votes, upvotes or reacts in an event whose votes were unlinked for good."""
    return ValidationError(
        _("Dit evenement is voorbij. Stemmen, steunen en reageren kan hier niet meer."), code="event_over"
    )


def room_vote_salt(room) -> str:
    """
    The vote salt of the room's event, for storing an opinion in it.

    Reads `room.session.event` (select it along to save a query). Raises the
    event-over ValidationError once the purge has destroyed the salt.
    """
    salt = room.session.event.vote_salt
    if not salt:
        raise event_over_error()
    return salt
