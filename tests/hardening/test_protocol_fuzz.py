"""
Property tests over the room protocol: whatever arrives, the consumer answers with one ack or error
frame, stays connected, and an error never changes state.
"""

import json

import pytest
from asgiref.sync import async_to_sync
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from realtime.live.actions import ROOM_ACTIONS
from realtime.models import LiveRoom, Note, NoteReaction, PollVote, Question, QuestionUpvote
from realtime.routing import websocket_urlpatterns
from tests.factories import RegistrationFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=15,
)
field_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63),
    st.text(max_size=600),
    st.sampled_from(["<script>alert(1)</script>", "' OR 1=1 --", "\u202e\u0000", "=cmd|' /C calc'!A0"]),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)
FIELDS = [
    "text",
    "question",
    "poll",
    "choices",
    "note",
    "into",
    "kind",
    "enabled",
    "reaction",
    "mode",
    "phase",
    "what",
    "owner_name",
    "show_name",
]
frames = st.fixed_dictionaries(
    {
        "action": st.sampled_from([*ROOM_ACTIONS, "room.resync", "nope", ""]) | json_values,
        "id": st.text(max_size=70),
    },
    optional={name: field_values for name in FIELDS},
)


@pytest.fixture
def participant_room(db):
    room = LiveRoom.objects.create(session=SessionFactory(), is_open=True)
    user = UserFactory(perspective="beleid")
    RegistrationFactory(user=user, event=room.session.event)
    return room, user


def _state(room_pk: int) -> tuple:
    room = LiveRoom.objects.get(pk=room_pk)
    return (
        Question.objects.count(),
        QuestionUpvote.objects.count(),
        PollVote.objects.count(),
        Note.objects.count(),
        NoteReaction.objects.count(),
        tuple(Question.objects.order_by("pk").values_list("status", "text")),
        (
            room.is_open,
            room.premoderation,
            room.pinned_question_id,
            room.current_phase_id,
            room.projector_mode,
        ),
    )


async def _exchange(code: str, user, send: dict) -> tuple[list[dict], dict]:
    communicator = WebsocketCommunicator(URLRouter(websocket_urlpatterns), f"/ws/rooms/{code}/")
    communicator.scope["user"] = user
    connected, _ = await communicator.connect(timeout=5)
    assert connected
    await communicator.receive_json_from(timeout=5)
    await communicator.send_to(**send)
    replies = []
    while True:
        frame = await communicator.receive_json_from(timeout=5)
        if frame["type"] in ("ack", "error", "room.snapshot", "pong"):
            replies.append(frame)
            break
    await communicator.send_json_to({"action": "ping", "id": "alive"})
    while (pong := await communicator.receive_json_from(timeout=5))["type"] != "pong":
        pass
    await communicator.disconnect()
    return replies, pong


def _check(room, user, send: dict) -> dict:
    before = _state(room.pk)
    replies, pong = async_to_sync(_exchange)(room.session.code, user, send)
    after = _state(room.pk)
    reply = replies[0]
    assert pong["id"] == "alive", "the connection must survive"
    if reply["type"] == "error":
        assert after == before, f"an error frame changed state: {send} → {reply}"
        assert reply["code"] and reply["message"]
    return reply


@FUZZ
@given(frame=frames)
def test_structured_frames_get_one_reply_and_errors_change_nothing(participant_room, frame):
    """Frames shaped like actions, with random names, types and sizes."""
    room, user = participant_room
    reply = _check(room, user, {"text_data": json.dumps(frame)})

    if reply["type"] in ("ack", "error") and isinstance(frame["id"], str) and len(frame["id"]) <= 64:
        assert reply["id"] == frame["id"]


@FUZZ
@given(value=json_values)
def test_arbitrary_json_is_refused_cleanly(participant_room, value):
    """Any JSON value that is not an action object gets an error and changes nothing."""
    room, user = participant_room
    if isinstance(value, dict) and value.get("action") in (*ROOM_ACTIONS, "room.resync", "ping"):
        return
    reply = _check(room, user, {"text_data": json.dumps(value)})

    assert reply["type"] == "error"


@FUZZ
@given(text=st.text(min_size=1, max_size=300))
def test_random_text_is_refused_cleanly(participant_room, text):
    """Text that is not JSON at all gets bad_json (or bad_frame) and changes nothing."""
    room, user = participant_room
    try:
        value = json.loads(text)
    except ValueError:
        value = None
    if isinstance(value, dict):
        return
    reply = _check(room, user, {"text_data": text})

    assert reply["code"] in ("bad_json", "bad_frame")


@FUZZ
@given(data=st.binary(min_size=1, max_size=200))
def test_binary_frames_are_refused(participant_room, data):
    """Binary frames are not part of the protocol."""
    room, user = participant_room
    reply = _check(room, user, {"bytes_data": data})

    assert reply["code"] == "bad_frame"


@pytest.mark.parametrize("size", [8 * 1024, 8 * 1024 + 1, 64 * 1024])
def test_frames_at_and_over_the_size_limit(participant_room, size):
    """A frame of exactly 8 KiB is read; one byte more is too_large; the state never changes on error."""
    room, user = participant_room
    padding = "x" * (size - len(json.dumps({"action": "nope", "id": "s", "pad": ""})))
    frame = json.dumps({"action": "nope", "id": "s", "pad": padding})
    assert len(frame.encode()) == size

    reply = _check(room, user, {"text_data": frame})

    assert reply["code"] == ("unknown_action" if size <= 8 * 1024 else "too_large")
