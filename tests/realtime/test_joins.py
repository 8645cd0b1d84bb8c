"""Joining a room as a crowd (realtime/services/joins.py): the same answers as one by one, in a fixed number of queries."""

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from realtime import snapshots
from realtime.models import Presence
from realtime.services import joins, votes
from realtime.services import questions as question_services
from tests.factories import UserFactory


def _session_key(user) -> str:
    client = Client()
    client.force_login(user)
    return client.session.session_key


@pytest.mark.django_db
def test_each_join_gets_its_role_presence_and_own_snapshot(live_room, make_participant, make_moderator):
    participant = make_participant(live_room, "politiek")
    moderator = make_moderator(live_room)
    stranger = UserFactory()
    question, _ = question_services.question_ask(user=participant, room=live_room, text="Wie betaalt?")
    votes.question_upvote(user=participant, question=question)
    requests = [
        joins.Join("c-participant", session_key=_session_key(participant)),
        joins.Join("c-moderator", user=moderator),
        joins.Join("c-stranger", session_key=_session_key(stranger)),
        joins.Join("c-anonymous", session_key="geen-sessie"),
        joins.Join("c-projector", projector_token=live_room.projector_token),
        joins.Join("c-wrong-projector", projector_token="fout"),
    ]

    joined = joins.joins_record(live_room.pk, requests)

    assert [j.role for j in joined] == ["participant", "moderator", None, None, "projector", None]
    assert joined[0].user == participant
    assert set(Presence.objects.values_list("channel_name", flat=True)) == {
        "c-participant",
        "c-moderator",
        "c-projector",
    }
    mine = json.loads(joined[0].snapshot)
    assert mine["my_upvotes"] == [question.pk] and mine["my_questions"] == [question.pk]
    assert "pending" in json.loads(joined[1].snapshot)
    assert "my_upvotes" not in json.loads(joined[4].snapshot)
    assert all(j.snapshot is None for j in joined if j.role is None)


@pytest.mark.django_db
def test_unknown_room_refuses_everyone(live_room):
    joined = joins.joins_record(live_room.pk + 1000, [joins.Join("c1", session_key="x")])

    assert joined[0].room is None and joined[0].role is None
    assert not Presence.objects.exists()


@pytest.mark.django_db
def test_bulk_snapshots_equal_one_by_one(live_room, make_participant):
    """The personal parts read in bulk are what each person's own snapshot says."""
    people = [make_participant(live_room, p) for p in ("politiek", "beleid", "uitvoering")]
    asked = [
        question_services.question_ask(user=person, room=live_room, text=f"Vraag van {i}")[0]
        for i, person in enumerate(people)
    ]
    votes.question_upvote(user=people[0], question=asked[1])
    votes.question_upvote(user=people[2], question=asked[1])
    votes.question_upvote(user=people[2], question=asked[0])

    together = snapshots.room_snapshots(room=live_room, viewers=[(p, "participant") for p in people])

    for person, snapshot in zip(people, together, strict=True):
        alone = snapshots.room_snapshots(room=live_room, viewers=[(person, "participant")])[0]
        assert snapshot == alone
    assert [s["my_upvotes"] for s in together] == [[asked[1].pk], [], sorted([asked[0].pk, asked[1].pk])]
    texts = snapshots.room_snapshot_texts(room=live_room, viewers=[(p, "participant") for p in people])
    assert [json.loads(t) for t in texts] == together


@pytest.mark.django_db
def test_a_crowd_costs_the_same_queries_as_a_few(live_room, make_participant):
    def queries_for(count: int) -> int:
        requests = [
            joins.Join(f"c-{count}-{i}", session_key=_session_key(make_participant(live_room)))
            for i in range(count)
        ]
        with CaptureQueriesContext(connection) as queries:
            joined = joins.joins_record(live_room.pk, requests)
        assert all(j.role == "participant" for j in joined)
        return len(queries)

    queries_for(1)  # builds the shared public part, which later joins at the same seq reuse
    assert queries_for(3) == queries_for(40)


@pytest.mark.django_db
def test_any_lookup_matches_in(live_room, make_participant):
    """`voter_hash__any` finds the same rows as `voter_hash__in`, also for an empty list."""
    from realtime.models import QuestionUpvote

    person = make_participant(live_room)
    question, _ = question_services.question_ask(user=person, room=live_room, text="Wie beslist?")
    votes.question_upvote(user=person, question=question)
    stored = QuestionUpvote.objects.get().voter_hash

    for values in ([stored, "x" * 64], ["y" * 64], []):
        by_any = set(QuestionUpvote.objects.filter(voter_hash__any=values).values_list("pk", flat=True))
        by_in = set(QuestionUpvote.objects.filter(voter_hash__in=values).values_list("pk", flat=True))
        assert by_any == by_in
    assert QuestionUpvote.objects.filter(voter_hash__any=[stored]).count() == 1


@pytest.mark.django_db
def test_a_changed_join_code_no_longer_opens_the_room(live_room, make_participant):
    """The consumer's code→room cache may be stale: the old code is refused, the new one works."""
    person = make_participant(live_room)
    old_code = live_room.session.code
    type(live_room.session).objects.filter(pk=live_room.session.pk).update(code="NIEUW1")

    old, new = joins.joins_record(
        live_room.pk,
        [
            joins.Join("c-old", user=person, code=old_code.lower()),
            joins.Join("c-new", user=person, code="nieuw1"),
        ],
    )

    assert (old.room, old.role) == (None, None)
    assert (new.room.pk, new.role) == (live_room.pk, "participant")


@pytest.mark.django_db(transaction=True)
async def test_a_malformed_session_cookie_spoils_nobody_elses_join(live_room, make_participant):
    """A NUL byte in one cookie, joining at the same moment as an honest person: only it is refused."""
    import asyncio

    from channels.db import database_sync_to_async
    from channels.routing import URLRouter
    from channels.sessions import CookieMiddleware
    from channels.testing import WebsocketCommunicator

    from realtime import groups
    from realtime.live import fanout
    from realtime.routing import websocket_urlpatterns

    person = await database_sync_to_async(lambda: make_participant(live_room))()
    key = await database_sync_to_async(_session_key)(person)
    code = await database_sync_to_async(lambda: live_room.session.code)()
    app = CookieMiddleware(URLRouter(websocket_urlpatterns))

    def socket(cookie: bytes):
        return WebsocketCommunicator(app, f"/ws/rooms/{code}/", headers=[(b"cookie", cookie)])

    honest, bad = socket(f"sessionid={key}".encode()), socket(b'sessionid="\\000kwaad"')
    (ok, _), (bad_ok, bad_code) = await asyncio.gather(honest.connect(timeout=5), bad.connect(timeout=5))
    try:
        snapshot = await honest.receive_json_from(timeout=5)
        if bad_ok:
            bad_code = (await bad.receive_output(timeout=5)).get("code")
        assert ok and snapshot["type"] == "room.snapshot" and snapshot["role"] == "participant"
        assert bad_code == 4403
        assert len(fanout.hub().groups.get(groups.room(live_room.pk), ())) == 1
    finally:
        await honest.disconnect()
        await bad.disconnect()
