"""
The one seam between services and the channel layer.

Services never touch the channel layer. They call `on_commit(fn, ...)`
with one of the functions below, so a change reaches the room only after
it is committed, whether it came over a WebSocket, an HTML form or the admin.

Each broadcast is serialized to JSON once and handed to the group as text;
consumers write that text to their socket unchanged. Public events carry
the room's `seq`, moderator-only events the room's `mod_seq`, both from a
counter in the database so every process agrees on the order.

Public room frames do not go through per-consumer `group_send`: they are
published once to the room's per-process fan-out (realtime/fanout.py), which
writes the same string to every local socket. Moderator-only frames keep
their own stream through the channel layer's moderators group.

Every broadcast frame carries `ts`, the server's send time (Unix seconds), so
clients and benchmarks can measure delivery latency on one clock.

Upvote scores are coalesced per room: however many votes arrive, at most
1 / SCORE_INTERVAL `question.scored` frames go out, across all server
processes (they take turns through a short-lived Redis key). Presence counts
are coalesced the same way, at most 1 / PRESENCE_INTERVAL.
"""

import asyncio
import json
import logging
import threading
import time

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection, transaction

from realtime import fanout, groups

logger = logging.getLogger(__name__)

SCORE_INTERVAL = 0.25
PRESENCE_INTERVAL = 1.0

_main_loop: asyncio.AbstractEventLoop | None = None


def remember_loop(loop: asyncio.AbstractEventLoop) -> None:
    """Record the server's event loop, so sends from worker threads run there."""
    global _main_loop
    _main_loop = loop


def on_commit(fn, *args, **kwargs) -> None:
    """Run a broadcast after the current transaction commits."""
    transaction.on_commit(lambda: _safely(fn, *args, **kwargs))


def _safely(fn, *args, **kwargs):
    # The change is already committed; a failed broadcast must not turn it
    # into an error. Clients notice the gap in seq and resync.
    try:
        fn(*args, **kwargs)
    except Exception:  # noqa: BLE001
        logger.exception("broadcast %s failed", getattr(fn, "__name__", fn))


def _next_seq(room_id: int, column: str) -> int:
    assert column in ("seq", "mod_seq")
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE realtime_liveroom SET {column} = {column} + 1 WHERE id = %s RETURNING {column}",  # noqa: S608
            [room_id],
        )
        row = cursor.fetchone()
    return row[0] if row else 0


def frame(event_type: str, seq: int | None = None, **payload) -> str:
    """Serialize one server event."""
    body = {"type": event_type, **payload}
    if seq is not None:
        body["seq"] = seq
    body["ts"] = round(time.time(), 4)
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


async def _group_send(group: str, text: str) -> None:
    await get_channel_layer().group_send(group, {"type": "room.frame", "text": text})


async def _message_send(group: str, message: dict) -> None:
    await get_channel_layer().group_send(group, message)


def _dispatch(group: str, text: str) -> None:
    """Send from any thread without blocking the caller on the server's loop."""
    _run(_group_send, group, text)


def _run(send, *args) -> None:
    loop = _main_loop
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is not None:
        running.create_task(send(*args))
    elif loop is not None and loop.is_running():
        asyncio.run_coroutine_threadsafe(send(*args), loop)
    else:
        async_to_sync(send)(*args)


# --- access control: sockets follow logouts and role changes at once ---------------------------

CLOSE_LOGGED_OUT = 4401
CLOSE_FORBIDDEN = 4403


def sockets_close_login(*, session_key: str) -> None:
    """Close every room socket opened with this login session (it logged out): close code 4401."""
    _run(_message_send, groups.login(session_key), {"type": "access.close", "code": CLOSE_LOGGED_OUT})


def sockets_close_person(*, user_id: int) -> None:
    """Close every room socket of this person (all their sessions ended): close code 4401."""
    _run(_message_send, groups.person(user_id), {"type": "access.close", "code": CLOSE_LOGGED_OUT})


def projectors_close(room_id: int, token: str) -> None:
    """Close the room's projector sockets that do not use the link `token` (it was reset): close code 4403."""
    _run(
        _message_send,
        groups.projectors(room_id),
        {"type": "access.close", "code": CLOSE_FORBIDDEN, "token": token},
    )


def sockets_recheck(*, user_ids, room_ids) -> None:
    """Ask these people's sockets in these rooms to check their role again (moderators were changed)."""
    rooms = sorted(room_ids)
    if not rooms:
        return
    for user_id in set(user_ids):
        _run(_message_send, groups.person(user_id), {"type": "access.recheck", "rooms": rooms})


def publish(room_id: int, event_type: str, **payload) -> None:
    """
    Send a public event to everyone in the room, through the per-process fan-out.

    The room row stays locked from taking the next `seq` until the frame is
    published, so frames reach Redis, and so every client, in `seq` order, even
    when several threads or server processes broadcast to one room at once.
    Out of order, a client would see a gap and ask for a snapshot it does not need.
    """
    failed = None
    with transaction.atomic():
        seq = _next_seq(room_id, "seq")
        try:
            fanout.publish(groups.room(room_id), frame(event_type, seq, **payload))
        except Exception as error:  # noqa: BLE001 - raised below, after the new seq is committed
            # The state changed all the same: the seq must move on, or snapshots cached for
            # the old seq stay in use and clients miss the gap that sends them a fresh one.
            failed = error
    if failed is not None:
        raise failed


def publish_moderators(room_id: int, event_type: str, **payload) -> None:
    """Send a moderator-only event. It never reaches the attendees' group."""
    _dispatch(groups.moderators(room_id), frame(event_type, mod_seq=_next_seq(room_id, "mod_seq"), **payload))


# --- events -----------------------------------------------------------------


def question_changed(question_id: int, created: bool = False) -> None:
    from realtime import payloads, selectors, snapshots
    from realtime.models import Question

    question = Question.objects.select_related("author").filter(pk=question_id).first()
    if question is None:
        return
    payload = snapshots.questions_payload([question])[0]
    if question.status in payloads.PUBLIC_STATUSES:
        publish(question.room_id, "question.asked" if created else "question.updated", question=payload)
    elif not created:
        publish(question.room_id, "question.removed", question=question.pk)
    publish_moderators(
        question.room_id,
        "question.changed",
        question=payload,
        stats=selectors.perspective_stats(room=question.room),
    )


def question_pinned(room_id: int) -> None:
    from realtime.models import LiveRoom

    pinned = LiveRoom.objects.filter(pk=room_id).values_list("pinned_question_id", flat=True).first()
    publish(room_id, "question.pinned", question=pinned)


def room_updated(room_id: int) -> None:
    from realtime import payloads
    from realtime.models import LiveRoom

    room = LiveRoom.objects.select_related("session", "current_phase").get(pk=room_id)
    publish(room_id, "room.updated", room=payloads.room_state(room))


def presence_changed(room_id: int) -> None:
    """Queue a coalesced presence.changed frame: a mass (re)connect must not cost N² frames."""
    _presence.mark(room_id, True)


def _flush_presence(room_id: int, _items) -> None:
    from realtime import selectors

    fanout.publish(
        groups.room(room_id), frame("presence.changed", presence=selectors.presence_counts(room_id=room_id))
    )


# --- coalesced high-rate counters ---------------------------------------------


class _Coalescer:
    """
    Collect changes per key; call `flush(key, items)` at most once per SCORE_INTERVAL per key.

    Used for upvote scores and poll results, whose rate follows the voters,
    not the number of people watching.
    """

    def __init__(self, flush, interval: float | None = None):
        self._flush_fn = flush
        self._interval = interval
        self._lock = threading.Lock()
        self._pending: dict = {}
        self._last_flush: dict = {}
        self._timers: dict = {}

    def mark(self, key, item) -> None:
        with self._lock:
            self._pending.setdefault(key, set()).add(item)
            if key in self._timers:
                return
            interval = SCORE_INTERVAL if self._interval is None else self._interval
            wait = max(0.0, self._last_flush.get(key, 0.0) + interval - time.monotonic())
            timer = threading.Timer(wait, self._flush, args=(key,))
            timer.daemon = True
            self._timers[key] = timer
        timer.start()

    def cancel_all(self) -> None:
        """Drop every pending flush (used when the database it would read goes away, as between tests)."""
        with self._lock:
            for timer in self._timers.values():
                timer.cancel()
            self._timers.clear()
            self._pending.clear()

    def _flush(self, key) -> None:
        interval = SCORE_INTERVAL if self._interval is None else self._interval
        wait = fanout.cluster_wait(f"{self._flush_fn.__name__}:{key}", interval)
        with self._lock:
            if wait > 0 and key in self._timers:
                # Another server process flushed this room's frame moments ago: the room gets at
                # most one per interval, however many processes serve it. Ours follows after.
                timer = threading.Timer(wait, self._flush, args=(key,))
                timer.daemon = True
                self._timers[key] = timer
                timer.start()
                return
            items = self._pending.pop(key, set())
            self._timers.pop(key, None)
            self._last_flush[key] = time.monotonic()
        if not items:
            return
        try:
            self._flush_fn(key, items)
        except Exception:  # noqa: BLE001 - a lost frame is repaired by the next one or a resync
            logger.exception("coalesced flush for %s failed", key)
        finally:
            # Timer threads are short-lived: never leave their connection open.
            connection.close()


def _flush_scores(room_id: int, question_ids: set[int]) -> None:
    from realtime import snapshots

    publish(
        room_id,
        "question.scored",
        scores=snapshots.question_scores(room_id=room_id, question_ids=question_ids),
    )


def _flush_poll_results(room_id: int, poll_ids: set[int]) -> None:
    from realtime import snapshots
    from realtime.models import Poll

    for poll in Poll.objects.filter(pk__in=poll_ids).order_by("pk"):
        results = snapshots.poll_results(poll=poll)
        publish_moderators(room_id, "poll.results", poll=poll.pk, results=results)
        if poll.results_public:
            publish(room_id, "poll.results", poll=poll.pk, results=results)


def _flush_note_scores(room_id: int, note_ids: set[int]) -> None:
    from realtime import snapshots

    publish(room_id, "note.scored", scores=snapshots.note_scores(note_ids=note_ids))


_scores = _Coalescer(_flush_scores)
_note_scores = _Coalescer(_flush_note_scores)
_poll_results = _Coalescer(_flush_poll_results)
_presence = _Coalescer(_flush_presence, PRESENCE_INTERVAL)


def cancel_pending() -> None:
    """Drop every coalesced broadcast that has not gone out yet."""
    for coalescer in (_scores, _note_scores, _presence, _poll_results):
        coalescer.cancel_all()


def score_changed(room_id: int, question_id: int) -> None:
    """Queue a coalesced question.scored broadcast for this room."""
    _scores.mark(room_id, question_id)


def poll_results_changed(room_id: int, poll_id: int) -> None:
    """Queue a coalesced poll.results broadcast (moderators always; the room once results are public)."""
    _poll_results.mark(room_id, poll_id)


def poll_changed(poll_id: int) -> None:
    """A poll was created, opened, closed, revealed or hidden."""
    from realtime import snapshots
    from realtime.models import Poll

    poll = Poll.objects.filter(pk=poll_id).first()
    if poll is None:
        return
    publish_moderators(
        poll.room_id, "poll.changed", poll=snapshots.poll_payload(poll=poll, with_results=True)
    )
    if poll.state != Poll.State.DRAFT:
        publish(
            poll.room_id,
            "poll.changed",
            poll=snapshots.poll_payload(poll=poll, with_results=poll.results_public),
        )


def note_scored(room_id: int, note_id: int) -> None:
    """Queue a coalesced note.scored broadcast (reactions and lens) for this room."""
    _note_scores.mark(room_id, note_id)


def note_changed(note_id: int, created: bool = False) -> None:
    from realtime import snapshots
    from realtime.models import Note

    note = Note.objects.select_related("phase").filter(pk=note_id).first()
    if note is None:
        return
    payload = snapshots.notes_payload([note])[0]
    if note.status == Note.Status.VISIBLE:
        publish(note.room_id, "note.added" if created else "note.updated", note=payload)
    elif not created:
        publish(note.room_id, "note.removed", note=note.pk)
    publish_moderators(note.room_id, "note.changed", note=payload)


def action_saved(action_id: int) -> None:
    from realtime import payloads
    from realtime.models import Action

    action = Action.objects.filter(pk=action_id).first()
    if action is not None:
        publish(action.room_id, "action.saved", action=payloads.action_payload(action))


def phases_updated(room_id: int) -> None:
    from realtime import payloads
    from realtime.models import Phase

    publish(
        room_id,
        "phases.updated",
        phases=[payloads.phase_payload(p) for p in Phase.objects.filter(room_id=room_id)],
    )
