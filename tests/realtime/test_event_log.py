"""
The room event log (a transactional outbox): an event is stored with the change it describes, sent
only after that commits, and every server hands the room's frames on in `seq` order, filling what it
missed from the log.
"""

import asyncio
import datetime as dt
import json

import pytest
from channels.db import database_sync_to_async
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.services import user_delete
from events.services.retention import personal_data_purge
from realtime import broadcast, bus, groups
from realtime.live import fanout
from realtime.models import LiveRoom, Question, RoomEvent
from realtime.services import joins, votes
from realtime.services import questions as question_services
from tests.factories import SessionFactory, at

pytestmark = pytest.mark.django_db(transaction=True)


class Member:
    """A hub member that records the seq of every frame it is handed, and its resyncs."""

    def __init__(self):
        self.seqs: list[int | None] = []
        self.frames: list[dict] = []
        self.resyncs = 0

    def deliver(self, outgoing):
        frame = json.loads(outgoing.text)
        self.frames.append(frame)
        self.seqs.append(frame.get("seq"))

    def resync(self):
        self.resyncs += 1


def _died_after_commit(room_id: int) -> int:
    """What a server leaves that committed an event and died before publishing it: the log row only."""
    with transaction.atomic():
        LiveRoom.objects.filter(pk=room_id).update(seq=F("seq") + 1)
        seq = LiveRoom.objects.get(pk=room_id).seq
        RoomEvent.objects.create(
            room_id=room_id, stream="public", seq=seq, frame=broadcast.frame("bench.tick", seq)
        )
    return seq


async def _until(predicate, timeout: float = 5.0) -> None:
    for _ in range(int(timeout / 0.02)):
        if predicate():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("timed out")


def test_an_event_is_stored_with_its_change_and_a_rollback_takes_both(live_room, make_participant):
    """The question and its `question.asked` commit together; rolled back, neither is there and seq is unused."""
    user = make_participant(live_room)

    with pytest.raises(RuntimeError), transaction.atomic():
        question_services.question_ask(user=user, room=live_room, text="Wie betaalt?")
        raise RuntimeError("the request failed after the service")

    assert (Question.objects.count(), RoomEvent.objects.count()) == (0, 0)
    assert LiveRoom.objects.get(pk=live_room.pk).seq == 0

    question, _created = question_services.question_ask(user=user, room=live_room, text="Wie betaalt?")

    public = RoomEvent.objects.get(room=live_room, stream="public")
    frame = json.loads(public.frame)
    assert (public.seq, frame["type"], frame["seq"], frame["question"]["id"]) == (
        1,
        "question.asked",
        1,
        question.pk,
    )
    moderators = RoomEvent.objects.get(room=live_room, stream="moderators")
    assert (moderators.seq, json.loads(moderators.frame)["mod_seq"]) == (1, 1)


def test_counter_frames_are_numbered_but_not_logged(live_room, make_participant):
    """An upvote changes totals: no log row keeps when it happened; the snapshot says which counter frame it includes."""
    asker, voter = make_participant(live_room), make_participant(live_room)
    question, _created = question_services.question_ask(user=asker, room=live_room, text="Wie betaalt?")
    logged = RoomEvent.objects.count()

    [outcome] = votes.upvotes_record(room_id=live_room.pk, requests=[(voter, question.pk)])

    assert outcome is True
    assert RoomEvent.objects.count() == logged
    # Outside a server there is nobody to coalesce for: the scored frame went out at once.
    assert LiveRoom.objects.get(pk=live_room.pk).counts_seq == 1


async def test_frames_that_arrive_out_of_order_are_handed_on_in_order(live_room):
    """Two servers published at once: 3 before 2. The members get 2, then 3, and a repeat of 2 is dropped."""
    hub, member = fanout.hub(), Member()
    group = groups.room(live_room.pk)
    await hub.join(group, member)
    try:
        for seq in (1, 3, 2, 2):
            hub.deliver(group, bus.sequenced(seq, broadcast.frame("bench.tick", seq)))
        hub.deliver(group, bus.sequenced(None, broadcast.frame("presence.changed")))
    finally:
        hub.leave(group, member)

    assert member.seqs == [1, 2, 3, None]


async def test_a_gap_is_filled_from_the_log(live_room):
    """A server died after committing seq 1: when seq 2 arrives, the hub reads 1 from the log and hands on 1, 2."""
    hub, member = fanout.hub(), Member()
    group = groups.room(live_room.pk)
    await hub.join(group, member)
    try:
        await database_sync_to_async(_died_after_commit)(live_room.pk)
        await database_sync_to_async(broadcast.publish)(live_room.pk, "bench.tick")
        await _until(lambda: len(member.seqs) == 2)
    finally:
        hub.leave(group, member)

    assert member.seqs == [1, 2]
    assert member.resyncs == 0


async def test_an_event_never_published_is_found_by_the_check(live_room):
    """Nothing follows the lost event: the hub's check finds the committed seq ahead twice and reads it from the log."""
    hub, member = fanout.hub(), Member()
    group = groups.room(live_room.pk)
    await hub.join(group, member)
    try:
        await database_sync_to_async(_died_after_commit)(live_room.pk)
        await hub.check()
        assert member.seqs == []  # it may still be on its way
        await hub.check()
        await _until(lambda: member.seqs == [1])
    finally:
        hub.leave(group, member)


async def test_members_resync_when_the_log_no_longer_holds_the_gap(live_room):
    """Frame 50 arrives after 0 and the log has nothing before it: the members get one fresh snapshot each."""
    hub, member = fanout.hub(), Member()
    group = groups.room(live_room.pk)
    await hub.join(group, member)
    try:
        hub.deliver(group, bus.sequenced(50, broadcast.frame("bench.tick", 50)))
        await _until(lambda: member.resyncs == 1)
        hub.deliver(group, bus.sequenced(51, broadcast.frame("bench.tick", 51)))
    finally:
        hub.leave(group, member)

    assert member.seqs == [51]


def test_events_after_answers_none_past_the_window(live_room):
    """Replay reads the log in order, and says so when what is asked for is no longer all there."""
    for _ in range(3):
        broadcast.publish(live_room.pk, "bench.tick")

    assert [seq for seq, _text in broadcast.events_after(room_id=live_room.pk, after=1, limit=10)] == [2, 3]
    assert broadcast.events_after(room_id=live_room.pk, after=0, limit=2) is None  # more than the limit
    RoomEvent.objects.filter(seq=1).delete()
    assert broadcast.events_after(room_id=live_room.pk, after=0, limit=10) is None  # pruned
    assert broadcast.events_after(room_id=live_room.pk, after=3, limit=10) == []
    # Knowing the committed seq, an emptied log is no "nothing missed":
    assert broadcast.events_after(room_id=live_room.pk, after=3, upto=3, limit=10) == []
    RoomEvent.objects.all().delete()
    assert broadcast.events_after(room_id=live_room.pk, after=1, upto=3, limit=10) is None
    assert broadcast.events_after(room_id=live_room.pk, after=1, upto=300, limit=10) is None


def test_a_reconnect_after_the_log_was_emptied_gets_a_snapshot(live_room, make_participant):
    """Frames past retention (or forgotten with an account) are no replay of nothing: a snapshot instead."""
    asker = make_participant(live_room)
    room = LiveRoom.objects.get(pk=live_room.pk)
    left_at = joins.Resume(seq=room.seq, cseq=room.counts_seq, role="participant")
    question_services.question_ask(user=asker, room=live_room, text="Gemist")
    RoomEvent.objects.all().delete()
    room.refresh_from_db()

    assert joins.catch_up(room, "participant", left_at) is None


async def test_a_gap_the_log_no_longer_holds_resyncs_the_members_at_the_check(live_room):
    """Committed seq ahead, its frame pruned: the second check sends every member a fresh snapshot, once."""
    hub, member = fanout.hub(), Member()
    group = groups.room(live_room.pk)
    await hub.join(group, member)
    try:
        await database_sync_to_async(_died_after_commit)(live_room.pk)
        await database_sync_to_async(RoomEvent.objects.all().delete)()
        await hub.check()
        await hub.check()
        await _until(lambda: member.resyncs == 1)
        await hub.check()
        await hub.check()
        await asyncio.sleep(0.1)
    finally:
        hub.leave(group, member)

    assert (member.resyncs, member.seqs) == (1, [])


async def test_the_moderators_stream_is_repaired_from_the_log_too(live_room):
    """A moderator-only event committed by a server that died before publishing reaches the moderators."""

    def died_after_commit() -> int:
        with transaction.atomic():
            LiveRoom.objects.filter(pk=live_room.pk).update(mod_seq=F("mod_seq") + 1)
            seq = LiveRoom.objects.get(pk=live_room.pk).mod_seq
            RoomEvent.objects.create(
                room_id=live_room.pk, stream="moderators", seq=seq, frame=broadcast.frame("x", mod_seq=seq)
            )
        return seq

    hub, moderator, everyone = fanout.hub(), Member(), Member()
    await hub.join(groups.room(live_room.pk), everyone)
    await hub.join(groups.moderators(live_room.pk), moderator)
    try:
        await database_sync_to_async(died_after_commit)()
        await hub.check()
        await hub.check()
        await _until(lambda: len(moderator.frames) == 1)
    finally:
        hub.leave(groups.room(live_room.pk), everyone)
        hub.leave(groups.moderators(live_room.pk), moderator)

    assert [f["mod_seq"] for f in moderator.frames] == [1]
    assert everyone.frames == []


def test_the_purge_after_the_day_empties_the_replay_logs_of_its_rooms(live_room, make_participant):
    """personal_data_purge also removes the event's logged frames (they may carry names)."""
    asker = make_participant(live_room)
    question_services.question_ask(user=asker, room=live_room, text="Wie betaalt?", show_name=True)
    event = live_room.session.event

    counts = personal_data_purge(event=event, now=at(12, date=event.date + dt.timedelta(days=1)))

    assert counts["room_events"] == 2  # question.asked and question.changed
    assert RoomEvent.objects.count() == 0


def test_old_frames_are_pruned_by_age(live_room, settings):
    """events_prune (run by each hub once a minute) drops frames past ROOM_EVENT_RETENTION_SECONDS."""
    broadcast.publish(live_room.pk, "bench.tick")
    broadcast.publish(live_room.pk, "bench.tick")
    RoomEvent.objects.filter(seq=1).update(created_at=timezone.now() - dt.timedelta(hours=2))

    assert broadcast.events_prune() == 1
    assert list(RoomEvent.objects.values_list("seq", flat=True)) == [2]


def test_deleting_an_account_empties_the_replay_log_of_its_rooms(live_room, make_participant):
    """A logged `question.asked` may carry the asker's name: their account deletion takes those frames along."""
    asker = make_participant(live_room)
    other_room = LiveRoom.objects.create(session=SessionFactory(), is_open=True)
    question_services.question_ask(user=asker, room=live_room, text="Wie betaalt?", show_name=True)
    broadcast.publish(other_room.pk, "bench.tick")

    user_delete(user=asker)

    assert list(RoomEvent.objects.values_list("room_id", flat=True)) == [other_room.pk]


def test_a_reconnecting_client_catches_up_from_the_log(live_room, make_participant):
    """Back after two questions: it gets those two frames and `room.resumed`, not a whole snapshot."""
    asker, voter = make_participant(live_room), make_participant(live_room)
    first, _created = question_services.question_ask(user=asker, room=live_room, text="Eerste")
    room = LiveRoom.objects.get(pk=live_room.pk)
    left_at = joins.Resume(seq=room.seq, cseq=room.counts_seq, role="participant")
    question_services.question_ask(user=asker, room=live_room, text="Tweede")
    question_services.question_ask(user=asker, room=live_room, text="Derde")
    room.refresh_from_db()

    frames = [json.loads(text) for text in joins.catch_up(room, "participant", left_at)]

    assert [(f["type"], f["seq"]) for f in frames] == [
        ("question.asked", 2),
        ("question.asked", 3),
        ("room.resumed", 3),
    ]
    assert [f["question"]["text"] for f in frames[:2]] == ["Tweede", "Derde"]
    # Anything the log does not hold sends a snapshot instead:
    assert joins.catch_up(room, "moderator", joins.Resume(left_at.seq, left_at.cseq, "moderator")) is None
    assert joins.catch_up(room, "participant", joins.Resume(left_at.seq, left_at.cseq, "projector")) is None
    assert (
        joins.catch_up(room, "participant", joins.Resume(room.seq + 1, left_at.cseq, "participant")) is None
    )
    votes.upvotes_record(room_id=live_room.pk, requests=[(voter, first.pk)])  # a counter frame: not logged
    room.refresh_from_db()
    assert joins.catch_up(room, "participant", left_at) is None


def test_a_crowd_that_reconnects_together_resumes_without_snapshots(live_room, make_participant):
    """Joins with a current `resume` are admitted with the frames they missed and no snapshot is built for them."""
    people = [make_participant(live_room) for _ in range(3)]
    room = LiveRoom.objects.get(pk=live_room.pk)
    resume = joins.Resume(seq=room.seq, cseq=room.counts_seq, role="participant")
    requests = [
        joins.Join(channel_name=f"c{i}", user=person, code=room.session.code, resume=resume if i else None)
        for i, person in enumerate(people)
    ]

    joined = joins.joins_record(live_room.pk, requests)

    assert [j.role for j in joined] == ["participant"] * 3
    assert json.loads(joined[0].snapshot)["type"] == "room.snapshot" and joined[0].replay is None
    assert [j.snapshot for j in joined[1:]] == [None, None]
    assert [[json.loads(t)["type"] for t in j.replay] for j in joined[1:]] == [["room.resumed"]] * 2
