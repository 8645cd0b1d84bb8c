"""realtime/live/protocol.py: the one mapping from what went wrong to an error frame, and the registry."""

import pytest
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import OperationalError

from realtime.live import protocol
from realtime.live.actions import ACTIONS


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (protocol.ProtocolError("bad_json", "x"), "bad_json"),
        (ValidationError("te lang", code="too_long"), "too_long"),
        (ValidationError("fout"), "invalid"),
        (PermissionDenied(), "forbidden"),
        (ObjectDoesNotExist(), "not_found"),
        (OperationalError("the database is away"), "unavailable"),
        (RuntimeError("a bug"), "unavailable"),
    ],
)
def test_every_failure_is_one_error_frame_with_the_id(error, code):
    frame = protocol.error_frame("a1", error)

    assert (frame["type"], frame["id"], frame["code"]) == ("error", "a1", code)
    assert isinstance(frame["message"], str) and frame["message"]


def test_rate_limited_carries_retry_after():
    assert protocol.error_frame("a", protocol.rate_limited(3))["retry_after"] == 3


@pytest.mark.parametrize(
    ("value", "answer"), [({"id": "x"}, "x"), ({"id": ""}, ""), ({"id": 5}, None), ({}, None)]
)
def test_the_id_echoed_is_the_frames_own_empty_or_null(value, answer):
    assert protocol.frame_id(value) == answer


def test_a_projector_may_only_ping_and_resync():
    allowed = sorted(
        name for name in ACTIONS if protocol.lookup(ACTIONS, {"action": name}, role=None).projector
    )

    assert allowed == ["ping", "room.resync"]
    with pytest.raises(protocol.ProtocolError) as refused:
        protocol.lookup(ACTIONS, {"action": "question.ask"}, role="projector")
    assert refused.value.code == "forbidden"


def test_batched_actions_are_the_votes():
    assert sorted(name for name, action in ACTIONS.items() if action.batch) == [
        "poll.vote",
        "question.upvote",
    ]


def test_an_action_declared_twice_is_refused():
    with pytest.raises(ValueError):
        protocol.registry([protocol.RoomAction("ping"), protocol.RoomAction("ping")])
