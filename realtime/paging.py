"""
The bounded lists of a live room: which rows a snapshot carries and how the rest is paged.

A room can hold thousands of questions and notes; a snapshot that carried them
all went over the WebSocket frame limit and made every connect fail. Each list
here is read in a fixed key order (the row id, which follows the order rows
were stored), so a page that starts after a given id never skips or repeats a
row, however many arrive meanwhile. Reads only; the payloads are built in
realtime/snapshots.py.
"""

from typing import NamedTuple

from django.conf import settings

from realtime.models import LiveRoom, Note, Question
from realtime.payloads import PUBLIC_STATUSES


class RoomList(NamedTuple):
    model: type
    statuses: tuple[str, ...]
    newest_first: bool  # pages run from the newest to the oldest row, else from the oldest
    moderators_only: bool


ROOM_LISTS: dict[str, RoomList] = {
    "questions": RoomList(Question, PUBLIC_STATUSES, True, False),
    "notes": RoomList(Note, (Note.Status.VISIBLE,), True, False),
    # The queue is worked from the oldest: that end is in the snapshot, later ones are paged.
    "pending": RoomList(Question, (Question.Status.PENDING,), False, True),
    "hidden": RoomList(Question, (Question.Status.HIDDEN, Question.Status.REJECTED), True, True),
    "pending_notes": RoomList(Note, (Note.Status.PENDING,), False, True),
    "hidden_notes": RoomList(Note, (Note.Status.HIDDEN,), True, True),
}


class Limits(NamedTuple):
    """How many rows a snapshot carries: the most upvoted, the newest, and per moderators' queue."""

    top: int
    newest: int
    queue: int


def socket_limits() -> Limits:
    """The bounds of the socket's `room.snapshot` (ROOM_SNAPSHOT_*)."""
    return Limits(settings.ROOM_SNAPSHOT_TOP, settings.ROOM_SNAPSHOT_NEWEST, settings.ROOM_SNAPSHOT_QUEUE)


def page_limits() -> Limits:
    """The bounds of the HTML pages (ROOM_PAGE_*), never above the socket's."""
    socket = socket_limits()
    return Limits(
        min(settings.ROOM_PAGE_TOP, socket.top),
        min(settings.ROOM_PAGE_NEWEST, socket.newest),
        min(settings.ROOM_PAGE_QUEUE, socket.queue),
    )


def page_size() -> int:
    return settings.ROOM_PAGE_SIZE


def list_queryset(*, room: LiveRoom, name: str):
    """All rows of one list of this room, unordered."""
    spec = ROOM_LISTS[name]
    rows = spec.model.objects.filter(room=room, status__in=spec.statuses)
    return rows.select_related("author") if spec.model is Question else rows.select_related("phase")


def list_slice(*, room: LiveRoom, name: str, after: int | None, limit: int) -> tuple[list, int | None]:
    """
    Up to `limit` rows of a list in its key order, starting after the row id `after` (None: the start),
    and the id to continue after, or None when no row follows. One query.
    """
    spec = ROOM_LISTS[name]
    rows = list_queryset(room=room, name=name)
    if after is not None:
        rows = rows.filter(pk__lt=after) if spec.newest_first else rows.filter(pk__gt=after)
    rows = list(rows.order_by("-pk" if spec.newest_first else "pk")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].pk if more and rows else None)


def list_total(*, room: LiveRoom, name: str) -> int:
    return list_queryset(room=room, name=name).count()


def questions_for_snapshot(
    *, room: LiveRoom, pinned: int | None, limits: Limits
) -> tuple[list[Question], int | None, int]:
    """
    The public questions a snapshot carries, in 'top' order, the id to page on after, and their total.

    These are the `limits.top` most upvoted, the `limits.newest` newest and
    the pinned one. Pages continue after the newest: the most
    upvoted among older questions are already there, and a client drops what it has.
    """
    newest, after = list_slice(room=room, name="questions", after=None, limit=limits.newest)
    rows = list_queryset(room=room, name="questions")
    top = list(rows.order_by("-upvotes", "-created_at", "-pk")[: limits.top])
    extra = {q.pk: q for q in newest if q.pk not in {t.pk for t in top}}
    if pinned is not None and pinned not in extra and pinned not in {t.pk for t in top}:
        extra.update({q.pk: q for q in rows.filter(pk=pinned)})
    chosen = top + list(extra.values())
    total = len(chosen) if after is None else rows.count()
    if total <= len(chosen):
        after = None
    chosen.sort(key=lambda q: (-q.upvotes, -q.created_at.timestamp(), -q.pk))
    return chosen, after, total


def notes_for_snapshot(*, room: LiveRoom, limits: Limits) -> tuple[list[Note], int | None, int]:
    """
    The visible notes a snapshot carries, oldest first, the id to page on after, and their total.

    The `limits.newest` newest and as many older ones marked as common
    ground (the board shows those first).
    """
    newest, after = list_slice(room=room, name="notes", after=None, limit=limits.newest)
    rows = list_queryset(room=room, name="notes")
    ground = []
    if after is not None:
        ground = list(
            rows.filter(mark=Note.Mark.COMMON_GROUND, pk__lt=after).order_by("-pk")[: limits.newest]
        )
    chosen = newest + ground
    total = len(chosen) if after is None else rows.count()
    if total <= len(chosen):
        after = None
    chosen.sort(key=lambda n: (n.created_at, n.pk))
    return chosen, after, total
