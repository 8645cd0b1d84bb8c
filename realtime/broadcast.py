"""
Transport: how a room event is numbered, logged and sent. Which events a change causes is
realtime/events.py; this module knows nothing of questions or polls.

A room event is a committed log entry (a transactional outbox). `publish()` runs
inside the transaction of the change it describes: it takes the room's next
`seq` (a counter on the room row, so every process agrees on the order),
serializes the frame once, writes it to `RoomEvent` and only once the
transaction commits hands the text to the per-process fan-out
(realtime/live/fanout.py), which writes the same string to every socket in the room.
A change that rolls back takes its event and its `seq` with it; a server that
dies after the commit and before the publish leaves the event in the log, where
the other servers find it (`events_after`) and deliver it in order. Clients
therefore see `seq` without gaps and in order.

Moderator-only events are numbered by `mod_seq`, logged and sent the same way,
to the room's moderators group (`groups.moderators`), which only moderators'
sockets join.

Counter frames (upvote scores, reactions, poll results) are different: they
carry totals that replace what a client holds, so a lost one is repaired by the
next one or a snapshot, and they are not logged, so the database keeps no trace
of when opinions changed. They are numbered by the room's `counts_seq` (`cseq`
in the frame; the moderators' own by `mod_counts_seq`, `mod_cseq`) only so that
a late one never overwrites a newer one. Presence counts carry no number at all.

Every frame carries `ts`, the server's send time (Unix seconds), so clients and
benchmarks can measure delivery latency on one clock.
"""

import datetime as dt
import json
import logging
import time

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from realtime import bus, groups
from realtime.models import LiveRoom, RoomEvent

logger = logging.getLogger(__name__)

PUBLIC = RoomEvent.Stream.PUBLIC
MODERATORS = RoomEvent.Stream.MODERATORS
_COUNTERS = {PUBLIC: "seq", MODERATORS: "mod_seq"}
# Every this many events of a room's stream, frames past the replay window are removed.
PRUNE_EVERY = 100


def frame(event_type: str, seq: int | None = None, **payload) -> str:
    """Serialize one server event."""
    body = {"type": event_type, **payload}
    if seq is not None:
        body["seq"] = seq
    body["ts"] = round(time.time(), 4)
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def publish(room_id: int, event_type: str, **payload) -> int:
    """
    Log a public event in the current transaction; send it to everyone in the room once that commits.

    Call it after the change it describes, late in the transaction: from
    taking the `seq` until the commit the room row stays locked, so the room's
    events commit in `seq` order. Return the event's `seq` (0: the room is gone).
    """
    return _log(room_id, PUBLIC, event_type, payload)


def publish_moderators(room_id: int, event_type: str, **payload) -> int:
    """Log a moderator-only event like `publish`; it never reaches the attendees' group."""
    return _log(room_id, MODERATORS, event_type, payload)


def publish_unlogged(room_id: int, event_type: str, **payload) -> None:
    """Send a frame without `seq` that describes no stored change (presence counts) to the room now."""
    bus.publish(groups.room(room_id), bus.sequenced(None, frame(event_type, **payload)))


def publish_counts(room_id: int, event_type: str, *, moderators: bool = False, **payload) -> None:
    """
    Send a counter frame (totals) to the room, or to its moderators; not logged.

    The room's are numbered by `counts_seq` (`cseq`), the moderators' by
    `mod_counts_seq` (`mod_cseq`): a participant's count then says whether it
    missed any counter frame meant for it (realtime/services/joins.py `catch_up`).
    """
    column, field = ("mod_counts_seq", "mod_cseq") if moderators else ("counts_seq", "cseq")
    with transaction.atomic():
        number = _take_next(room_id, column)
    if number is None:
        return
    text = frame(event_type, **{field: number}, **payload)
    bus.publish(groups.moderators(room_id) if moderators else groups.room(room_id), bus.counted(number, text))


_NUMBERED = {"seq", "mod_seq", "counts_seq", "mod_counts_seq"}


def _take_next(room_id: int, column: str) -> int | None:
    """Add one to the room's counter `column` and return it (None: no such room); the row stays locked."""
    assert column in _NUMBERED
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE realtime_liveroom SET {column} = {column} + 1 WHERE id = %s RETURNING {column}",  # noqa: S608 - column from _NUMBERED
            [room_id],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def _log(room_id: int, stream: str, event_type: str, payload: dict) -> int:
    with transaction.atomic():
        seq = _take_next(room_id, _COUNTERS[stream])
        if seq is None:
            return 0
        text = frame(event_type, **({"seq": seq} if stream == PUBLIC else {"mod_seq": seq}), **payload)
        RoomEvent.objects.create(room_id=room_id, stream=stream, seq=seq, frame=text)
        if seq % PRUNE_EVERY == 0:
            _prune(room_id, stream, seq)
        # robust: the change is committed; a failed send must not turn it into an error. The other
        # servers find the event in the log, and this one's hub on its next check (fanout.Hub).
        # (A lambda, not functools.partial: Django names the failed hook by its __qualname__.)
        transaction.on_commit(lambda: _send(room_id, stream, seq, text), robust=True)
    return seq


def _prune(room_id: int, stream: str, seq: int) -> None:
    """Drop this stream's frames more than ROOM_EVENT_KEEP ago (the room row is locked already)."""
    RoomEvent.objects.filter(room_id=room_id, stream=stream, seq__lte=seq - settings.ROOM_EVENT_KEEP).delete()


def events_prune() -> int:
    """
    Delete logged frames older than ROOM_EVENT_RETENTION_SECONDS, in every room; return how many.

    Run by every server's hub once a minute (realtime/live/fanout.py) and by
    `purge_personal_data`, outside any room's transaction.
    """
    cutoff = timezone.now() - dt.timedelta(seconds=settings.ROOM_EVENT_RETENTION_SECONDS)
    deleted, _detail = RoomEvent.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def _send(room_id: int, stream: str, seq: int, text: str) -> None:
    group = groups.room(room_id) if stream == PUBLIC else groups.moderators(room_id)
    bus.publish(group, bus.sequenced(seq, text))


def send_access(to: str, message: dict) -> None:
    """
    Send an access message (`access.close`, `access.recheck`) to the room sockets addressed by `to`, in every process.

    `to` is a `groups.person`, `groups.login` or `groups.projectors` name. All
    such messages share one fan-out channel (`groups.ACCESS`), which every
    process with room sockets listens to; its hub hands each message to the
    sockets that watch that address. They are rare (a logout, a role change),
    so no socket needs a Redis subscription or channel-layer group of its own.
    """
    bus.publish(groups.ACCESS, bus.sequenced(None, json.dumps({**message, "to": to})))


# --- reading the log back -------------------------------------------------------------------------


def events_after(
    *, room_id: int, stream: str = PUBLIC, after: int, limit: int, upto: int | None = None
) -> list[tuple[int, str]] | None:
    """
    The logged frames of a room's stream after `after` (up to `upto`), as (seq, text) in order; None when they are not all there.

    None means the gap is larger than `limit`, or the log no longer holds
    every frame from `after + 1` (to `upto`, when given: the committed seq the
    caller knows of): the caller sends a fresh snapshot instead.
    """
    if upto is not None and upto - after > limit:
        return None
    rows = RoomEvent.objects.filter(room_id=room_id, stream=stream, seq__gt=after).order_by("seq")
    if upto is not None:
        rows = rows.filter(seq__lte=upto)
    rows = list(rows.values_list("seq", "frame")[: limit + 1])
    if len(rows) > limit or any(seq != after + 1 + index for index, (seq, _text) in enumerate(rows)):
        return None
    if upto is not None and (rows[-1][0] if rows else after) != upto:
        return None
    return rows


def room_seqs(*, room_ids, stream: str = PUBLIC) -> dict[int, int]:
    """The last committed `seq` (or `mod_seq`) of each room."""
    return dict(LiveRoom.objects.filter(pk__in=list(room_ids)).values_list("pk", _COUNTERS[stream]))


def room_counts(*, room_ids, stream: str = PUBLIC) -> dict[int, int]:
    """The number of the last counter frame sent to each room's stream (`counts_seq` or `mod_counts_seq`)."""
    column = "counts_seq" if stream == PUBLIC else "mod_counts_seq"
    return dict(LiveRoom.objects.filter(pk__in=list(room_ids)).values_list("pk", column))


# --- access control: sockets follow logouts and role changes at once ---------------------------

CLOSE_LOGGED_OUT = 4401
CLOSE_FORBIDDEN = 4403


def sockets_close_login(*, session_key: str) -> None:
    """Close every room socket opened with this login session (it logged out): close code 4401."""
    send_access(groups.login(session_key), {"type": "access.close", "code": CLOSE_LOGGED_OUT})


def sockets_close_person(*, user_id: int) -> None:
    """Close every room socket of this person (all their sessions ended): close code 4401."""
    send_access(groups.person(user_id), {"type": "access.close", "code": CLOSE_LOGGED_OUT})


def projectors_close(room_id: int, token: str) -> None:
    """Close the room's projector sockets that do not use the link `token` (it was reset): close code 4403."""
    send_access(groups.projectors(room_id), {"type": "access.close", "code": CLOSE_FORBIDDEN, "token": token})


def sockets_recheck(*, user_ids, room_ids) -> None:
    """Ask these people's sockets in these rooms to check their role again (moderators were changed)."""
    rooms = sorted(room_ids)
    if not rooms:
        return
    for user_id in set(user_ids):
        send_access(groups.person(user_id), {"type": "access.recheck", "rooms": rooms})
