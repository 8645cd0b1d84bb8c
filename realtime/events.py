"""
What happened → which frames. Services call these inside the transaction of the change.

Each function reads the changed row (inside the same transaction, so it sees
the change) and logs the frames it causes through realtime/broadcast.py, which
sends them once the transaction commits. Nothing here talks to Redis or a socket.

High-rate counters are different: however many votes arrive, a room gets at
most one `question.scored`, `note.scored` or `poll.results` frame per
SCORE_INTERVAL, and one `presence.changed` per PRESENCE_INTERVAL, across all
server processes (they take turns through a short-lived Redis key). Services
schedule those with `score_changed()` and friends after their commit; a
`Coalescer` gathers them on the event loop of the process and flushes each
room's batch in its own short transaction.
"""

import asyncio
import logging
import math

from channels.db import database_sync_to_async
from django.db import transaction

from realtime import broadcast, bus, payloads, selectors, snapshots
from realtime.models import Action, LiveRoom, Note, Phase, Poll, Question

logger = logging.getLogger(__name__)

SCORE_INTERVAL = 0.25
PRESENCE_INTERVAL = 1.0


def on_commit(fn, *args, **kwargs) -> None:
    """Run `fn` after the commit (a coalesced counter frame such as `score_changed`, or closing sockets)."""
    transaction.on_commit(lambda: fn(*args, **kwargs), robust=True)


# --- events of one change, logged in its transaction ---------------------------------------------


def question_changed(question_id: int, created: bool = False) -> None:
    """A question was asked, edited, moderated or withdrawn."""
    question = Question.objects.select_related("author", "room").filter(pk=question_id).first()
    if question is None:
        return
    payload = snapshots.questions_payload([question])[0]
    # Read before the first publish: from taking the seq until the commit, the room row is locked.
    stats = selectors.perspective_stats(room=question.room)
    if question.status in payloads.PUBLIC_STATUSES:
        broadcast.publish(
            question.room_id, "question.asked" if created else "question.updated", question=payload
        )
    elif not created:
        broadcast.publish(question.room_id, "question.removed", question=question.pk)
    broadcast.publish_moderators(
        question.room_id,
        "question.changed",
        question=payload,
        stats=stats,
    )


def question_pinned(room_id: int) -> None:
    """The pinned question changed (or none is pinned)."""
    pinned = LiveRoom.objects.filter(pk=room_id).values_list("pinned_question_id", flat=True).first()
    broadcast.publish(room_id, "question.pinned", question=pinned)


def room_updated(room_id: int) -> None:
    """The room opened or closed, its pre-moderation, phase or projector mode changed."""
    room = LiveRoom.objects.select_related("session", "current_phase").get(pk=room_id)
    broadcast.publish(room_id, "room.updated", room=payloads.room_state(room))


def poll_changed(poll_id: int) -> None:
    """A poll was created, opened, closed, revealed or hidden."""
    poll = Poll.objects.filter(pk=poll_id).first()
    if poll is None:
        return
    moderated = snapshots.poll_payload(poll=poll, with_results=True)
    public = (
        None
        if poll.state == Poll.State.DRAFT
        else snapshots.poll_payload(poll=poll, with_results=poll.results_public)
    )
    broadcast.publish_moderators(poll.room_id, "poll.changed", poll=moderated)
    if public is not None:
        broadcast.publish(poll.room_id, "poll.changed", poll=public)


def note_changed(note_id: int, created: bool = False) -> None:
    """A note was added, edited, curated or merged."""
    note = Note.objects.select_related("phase").filter(pk=note_id).first()
    if note is None:
        return
    payload = snapshots.notes_payload([note])[0]
    if note.status == Note.Status.VISIBLE:
        broadcast.publish(note.room_id, "note.added" if created else "note.updated", note=payload)
    elif not created:
        broadcast.publish(note.room_id, "note.removed", note=note.pk)
    broadcast.publish_moderators(note.room_id, "note.changed", note=payload)


def action_saved(action_id: int) -> None:
    """An agreed action was written down or changed."""
    action = Action.objects.filter(pk=action_id).first()
    if action is not None:
        broadcast.publish(action.room_id, "action.saved", action=payloads.action_payload(action))


def phases_updated(room_id: int) -> None:
    """The room's phases were added, changed or removed."""
    broadcast.publish(
        room_id,
        "phases.updated",
        phases=[payloads.phase_payload(p) for p in Phase.objects.filter(room_id=room_id)],
    )


# --- coalesced counters ---------------------------------------------------------------------------


class Coalescer:
    """
    Collect changed items per room; flush each room's batch at most once per `interval`.

    `mark()` may be called from any thread. The batch is gathered on the
    event loop that serves this process's sockets (bus.live_loop()) and
    flushed in a database thread. A process without one (a management
    command, a form post to a server without open sockets) has nobody here
    to coalesce for and sends the frame at once; the room's own servers get
    it through Redis.
    """

    def __init__(self, name: str, flush, interval: float):
        self.name = name
        self.flush = flush
        self.interval = interval
        self._pending: dict = {}
        self._handles: dict = {}
        self._last: dict = {}

    def mark(self, key, item) -> None:
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        loop = running or bus.live_loop()
        if loop is None:
            # At the rate of people posting forms: nothing to gather, and no turn to wait for either
            # (a frame held back here would have nobody to send it later).
            self.flush(key, {item})
        elif loop is running:
            self._mark(loop, key, item)
        else:
            loop.call_soon_threadsafe(self._mark, loop, key, item)

    def cancel_all(self) -> None:
        """Drop every pending flush (used when the database it would read goes away, as between tests)."""
        for handle in self._handles.values():
            handle.cancel()
        self._handles.clear()
        self._pending.clear()
        self._last.clear()

    def _mark(self, loop, key, item) -> None:
        self._pending.setdefault(key, set()).add(item)
        if key not in self._handles:
            self._schedule(loop, key, self._last.get(key, -math.inf) + self.interval - loop.time())

    def _schedule(self, loop, key, wait: float) -> None:
        self._handles[key] = loop.call_later(max(0.0, wait), self._due, loop, key)

    def _due(self, loop, key) -> None:
        items = self._pending.pop(key, set())
        # The task stands in the handle's place, so marks meanwhile wait for the next round.
        self._handles[key] = loop.create_task(self._flush(loop, key, items))

    async def _flush(self, loop, key, items) -> None:
        wait = 0.0
        try:
            wait = await database_sync_to_async(self._flush_now, thread_sensitive=False)(key, items)
        except Exception:  # noqa: BLE001 - a lost counter frame is repaired by the next one or a resync
            logger.exception("coalesced %s flush for %s failed", self.name, key)
        self._handles.pop(key, None)
        self._last[key] = loop.time()
        if wait > 0:
            self._pending.setdefault(key, set()).update(items)
            self._schedule(loop, key, wait)
        elif self._pending.get(key):
            self._schedule(loop, key, self.interval)

    def _flush_now(self, key, items) -> float:
        """Send the batch now, or return the seconds until this process may (another one just did)."""
        wait = bus.cluster_wait(f"{self.name}:{key}", self.interval)
        if wait > 0:
            return wait
        self.flush(key, items)
        return 0.0


def _flush_scores(room_id: int, question_ids: set[int]) -> None:
    broadcast.publish_counts(
        room_id,
        "question.scored",
        scores=snapshots.question_scores(room_id=room_id, question_ids=question_ids),
    )


def _flush_note_scores(room_id: int, note_ids: set[int]) -> None:
    broadcast.publish_counts(room_id, "note.scored", scores=snapshots.note_scores(note_ids=note_ids))


def _flush_poll_results(room_id: int, poll_ids: set[int]) -> None:
    for poll in Poll.objects.filter(pk__in=poll_ids).order_by("pk"):
        results = snapshots.poll_results(poll=poll)
        broadcast.publish_counts(room_id, "poll.results", moderators=True, poll=poll.pk, results=results)
        if poll.results_public:
            broadcast.publish_counts(room_id, "poll.results", poll=poll.pk, results=results)


def _flush_presence(room_id: int, _items) -> None:
    broadcast.publish_unlogged(
        room_id, "presence.changed", presence=selectors.presence_counts(room_id=room_id)
    )


_scores = Coalescer("scores", _flush_scores, SCORE_INTERVAL)
_note_scores = Coalescer("note_scores", _flush_note_scores, SCORE_INTERVAL)
_poll_results = Coalescer("poll_results", _flush_poll_results, SCORE_INTERVAL)
_presence = Coalescer("presence", _flush_presence, PRESENCE_INTERVAL)


def cancel_pending() -> None:
    """Drop every coalesced frame that has not gone out yet."""
    for coalescer in (_scores, _note_scores, _poll_results, _presence):
        coalescer.cancel_all()


def score_changed(room_id: int, question_id: int) -> None:
    """Queue a coalesced question.scored frame for this room."""
    _scores.mark(room_id, question_id)


def note_scored(room_id: int, note_id: int) -> None:
    """Queue a coalesced note.scored frame (reactions and lens) for this room."""
    _note_scores.mark(room_id, note_id)


def poll_results_changed(room_id: int, poll_id: int) -> None:
    """Queue a coalesced poll.results frame (moderators always; the room once results are public)."""
    _poll_results.mark(room_id, poll_id)


def presence_changed(room_id: int) -> None:
    """Queue a coalesced presence.changed frame: a mass (re)connect must not cost N² frames."""
    _presence.mark(room_id, True)
