"""Fan-out group names and socket addresses, built in one place."""

import functools
import hashlib
import hmac

from django.conf import settings


def ping(channel_name: str) -> str:
    return f"ping.{channel_name.rsplit('!', 1)[-1][:60]}"


# The one fan-out channel of access messages (logouts, role changes, projector links): every hub listens;
# each message names its address (`person`, `login` or `projectors` below) and reaches the sockets watching it.
ACCESS = "access"


def room(room_id: int) -> str:
    """Everyone in the room: attendees, moderators and projectors."""
    return f"room.{room_id}"


def moderators(room_id: int) -> str:
    """Moderators of the room only: the pending queue and other moderator-only events."""
    return f"room.{room_id}.mod"


def projectors(room_id: int) -> str:
    """The projector screens of the room: closed at once when the projector link is reset."""
    return f"room.{room_id}.projector"


def person(user_id: int) -> str:
    """Every room socket of one person, in any room: closed on "log out everywhere", rechecked on role changes."""
    return f"person.{user_id}"


def login(session_key: str) -> str:
    """
    Every room socket opened with one login session: closed when that session logs out.

    The session key is a secret (it is the cookie): the group name carries a
    keyed hash of it, never the key, so Redis's group names do not hand out logins.
    """
    digest = hmac.digest(_key(settings.SECRET_KEY), session_key.encode(), "sha256").hex()
    return f"login.{digest[:40]}"


@functools.lru_cache(maxsize=4)
def _key(secret: str) -> bytes:
    return hashlib.sha256(f"trialoog-login-group:{secret}".encode()).digest()


def stream_of(group: str) -> tuple[int, str]:
    """The room and the stream ("public" or "moderators") of a `room()` or `moderators()` group name."""
    parts = group.split(".")
    if len(parts) in (2, 3) and parts[0] == "room" and parts[1].isdigit():
        if len(parts) == 2:
            return int(parts[1]), "public"
        if parts[2] == "mod":
            return int(parts[1]), "moderators"
    raise ValueError(f"not a room stream group: {group!r}")
