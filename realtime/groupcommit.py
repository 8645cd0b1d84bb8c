"""
Group commit for the room's high-rate work: votes, joins, leaves and resyncs.

When hundreds of people vote in the same ten seconds, one transaction per
vote spends the server on database round trips. Here the votes of one room
that arrive within GATHER_SECONDS are written together by one service call
(realtime/services/votes.py) in one transaction; each waiting consumer then
gets its own outcome and acknowledges its vote. Nothing is acknowledged
before it is committed. Joins, leaves and resyncs of a crowd are gathered
the same way (realtime/services/joins.py).

At most one batch per room is in flight per event loop. Votes that arrive
meanwhile form the next batch, which starts as soon as the first is done, so
batches grow with the load instead of queueing transactions.
"""

from __future__ import annotations

import asyncio
import logging
import weakref

from channels.db import database_sync_to_async
from django.db import InterfaceError, OperationalError

from realtime.services import joins, votes
from realtime.threads import database_threads_size

logger = logging.getLogger(__name__)

GATHER_SECONDS = 0.02
MAX_BATCH = 2000


class GroupCommit:
    """Gather requests per room; `record(room_id, requests)` returns one outcome per request, in order."""

    def __init__(self, record):
        database_threads_size()
        self.record = database_sync_to_async(record, thread_sensitive=False)
        self.pending: dict[int, list[tuple[object, asyncio.Future]]] = {}
        self.running: set[int] = set()

    async def submit(self, room_id: int, request):
        """Queue one request and wait for its outcome; an outcome that is an exception is raised here."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        queue = self.pending.setdefault(room_id, [])
        queue.append((request, future))
        if len(queue) == 1 and room_id not in self.running:
            loop.call_later(GATHER_SECONDS, self._start, room_id)
        outcome = await future
        if isinstance(outcome, Exception):
            raise _own_copy(outcome)
        return outcome

    def _start(self, room_id: int) -> None:
        if room_id in self.running:
            return
        queue = self.pending.pop(room_id, None)
        if not queue:
            return
        if len(queue) > MAX_BATCH:
            queue, self.pending[room_id] = queue[:MAX_BATCH], queue[MAX_BATCH:]
        self.running.add(room_id)
        asyncio.ensure_future(self._run(room_id, queue))

    async def _run(self, room_id: int, batch: list) -> None:
        try:
            outcomes = await self._record_all(room_id, [request for request, _future in batch])
        finally:
            self.running.discard(room_id)
        for (_request, future), outcome in zip(batch, outcomes, strict=True):
            if not future.done():
                future.set_result(outcome)
        if self.pending.get(room_id):
            self._start(room_id)

    async def _record_all(self, room_id: int, requests: list) -> list:
        """The batch's outcomes; when the batch fails, each request alone, so one bad request fails alone."""
        try:
            return await self.record(room_id, requests)
        except Exception as error:  # noqa: BLE001 - answered per request below, never lost
            if len(requests) == 1 or isinstance(error, OperationalError | InterfaceError):
                # The database is away: nobody's request can be stored now; each gets the error.
                logger.warning("group commit for room %s failed: %r", room_id, error)
                return [error] * len(requests)
            logger.warning("group commit for room %s failed, retrying one by one: %r", room_id, error)
        outcomes = []
        for request in requests:
            try:
                outcomes.extend(await self.record(room_id, [request]))
            except Exception as error:  # noqa: BLE001 - this request's own outcome
                outcomes.append(error)
        return outcomes


def _own_copy(error: Exception) -> Exception:
    """
    A fresh exception for one waiter: the same object raised by many would collect all their tracebacks.
    """
    try:
        copy = type(error)(*error.args)
    except Exception:  # noqa: BLE001 - an exception type that cannot be rebuilt is raised as it is
        return error
    copy.__cause__ = error.__cause__
    return copy


_instances: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

RECORDERS = {
    "upvotes": lambda room_id, requests: votes.upvotes_record(room_id=room_id, requests=requests),
    "poll_votes": lambda room_id, requests: votes.poll_votes_record(room_id=room_id, requests=requests),
    "joins": joins.joins_record,
    "leaves": joins.leaves_record,
    "snapshots": joins.snapshots_record,
}


def for_loop(kind: str) -> GroupCommit:
    """This event loop's group commit for `kind` (a key of RECORDERS)."""
    loop = asyncio.get_running_loop()
    per_loop = _instances.get(loop)
    if per_loop is None:
        per_loop = _instances[loop] = {}
    found = per_loop.get(kind)
    if found is None:
        found = per_loop[kind] = GroupCommit(RECORDERS[kind])
    return found
