"""
The room protocol as documented (docs/realtime-protocol.md), and Chatham House sessions without names.

Each test closes one finding of issue 15 and failed on the code before it.
"""

import json
import shlex
import time
import urllib.request

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django.test import Client
from django.urls import reverse
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from events.models import Session
from realtime import selectors
from realtime.live.protocol import MAX_FRAME_BYTES
from realtime.models import LiveRoom, Question
from tests.production import compose_web, production_web, suite_database_url
from tests.realtime.conftest import next_of_type

pytestmark = pytest.mark.django_db(transaction=True)


async def _error_for(room_socket, room, user, frame: dict) -> dict:
    async with room_socket(room, user) as socket:
        await socket.send_json_to(frame)
        return await next_of_type(socket, "error")


async def test_action_without_id_is_refused_and_stores_nothing(live_room, make_participant, room_socket):
    """`question.ask` without an id gets error `invalid` with id null; nothing is stored or broadcast."""
    user = await database_sync_to_async(make_participant)(live_room)

    error = await _error_for(room_socket, live_room, user, {"action": "question.ask", "text": "Zonder id"})

    assert (error["code"], error["id"]) == ("invalid", None)
    assert await database_sync_to_async(Question.objects.count)() == 0


async def test_ping_without_id_is_refused(live_room, make_participant, room_socket):
    """`ping` without an id gets the same `invalid` error, not a pong."""
    user = await database_sync_to_async(make_participant)(live_room)

    error = await _error_for(room_socket, live_room, user, {"action": "ping"})

    assert (error["code"], error["id"]) == ("invalid", None)


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ({"action": "question.ask", "text": "x" * 501}, "too_long"),
        ({"action": "question.ask", "text": "   "}, "empty"),
        ({"action": "note.add", "kind": "dilemma", "text": "x" * 1001}, "too_long"),
        ({"action": "note.add", "kind": "dilemma", "text": ""}, "empty"),
    ],
)
async def test_text_errors_carry_the_documented_codes(live_room, make_participant, room_socket, frame, code):
    """Text over the limit answers `too_long`, blank text `empty`, as documented; the form check no longer hides them."""
    user = await database_sync_to_async(make_participant)(live_room)

    error = await _error_for(room_socket, live_room, user, {**frame, "id": "t"})

    assert error["code"] == code


def test_form_post_and_socket_say_the_same_about_too_long_text(live_room, make_participant):
    """The HTML form path refuses the same text with the same message as the socket's `too_long` error."""
    client = Client()
    client.force_login(make_participant(live_room))

    response = client.post(
        reverse("realtime:ask", args=[live_room.session.code]), {"text": "x" * 501}, follow=True
    )

    assert [str(m) for m in response.context["messages"]] == [
        "Een vraag mag maximaal 500 tekens hebben (nu 501)."
    ]
    assert Question.objects.count() == 0


async def test_sockets_per_person_are_capped_and_presence_counts_people(
    live_room, make_participant, room_socket, settings
):
    """The socket past ROOM_MAX_SOCKETS_PER_PERSON is refused (4429); presence counts the person once."""
    from channels.routing import URLRouter
    from channels.testing import WebsocketCommunicator

    from realtime.routing import websocket_urlpatterns

    settings.ROOM_MAX_SOCKETS_PER_PERSON = 2
    user = await database_sync_to_async(make_participant)(live_room, "beleid")
    code = await database_sync_to_async(lambda: live_room.session.code)()
    async with room_socket(live_room, user), room_socket(live_room, user) as second:
        third = WebsocketCommunicator(URLRouter(websocket_urlpatterns), f"/ws/rooms/{code}/")
        third.scope["user"] = user
        await third.connect(timeout=5)
        refused = await third.receive_output(timeout=5)
        presence = await database_sync_to_async(selectors.presence_counts)(room_id=live_room.pk)

    assert refused == {"type": "websocket.close", "code": 4429}
    assert second.snapshot["presence"]["beleid"] == 1
    assert presence["beleid"] == 1


async def _answers(socket, action: str, count: int, success: str) -> list[str]:
    """Send `action` `count` times; each answer as `success` or the error's code."""
    answers = []
    for n in range(count):
        await socket.send_json_to({"action": action, "id": f"{action}-{n}"})
        frame = await socket.receive_json_from(timeout=5)
        while frame["type"] not in (success, "error"):
            frame = await socket.receive_json_from(timeout=5)
        answers.append(success if frame["type"] == success else frame["code"])
    return answers


async def test_resync_is_rate_limited(live_room, make_participant, room_socket):
    """`room.resync` costs a snapshot: a few in a row, then `rate_limited` with retry_after."""
    user = await database_sync_to_async(make_participant)(live_room)
    async with room_socket(live_room, user) as socket:
        answers = await _answers(socket, "room.resync", 5, "room.snapshot")

    assert answers == ["room.snapshot"] * 3 + ["rate_limited"] * 2


async def test_ping_is_rate_limited(live_room, make_participant, room_socket):
    """A flood of pings is answered with `rate_limited` once the connection's burst is spent."""
    user = await database_sync_to_async(make_participant)(live_room)
    async with room_socket(live_room, user) as socket:
        answers = await _answers(socket, "ping", 25, "pong")

    assert answers[:20] == ["pong"] * 20
    assert set(answers[20:]) == {"rate_limited"}


def test_compose_uvicorn_frame_limit_is_the_protocol_limit():
    """uvicorn is started with --ws-max-size equal to the protocol's frame limit (8 KiB)."""
    words = shlex.split(compose_web()["command"][2])

    assert words[words.index("--ws-max-size") + 1] == str(MAX_FRAME_BYTES)


def test_production_server_refuses_frames_over_the_protocol_limit(tmp_path):
    """
    The production uvicorn refuses frames over 8 KiB itself: a 15 MiB frame never reaches the application.

    Just over the limit the server closes with 1009 (message too big); at 15 MiB the
    connection is gone before the frame is sent in full. Neither gets a pong.
    """
    outcomes = []
    with production_web(
        database_url=suite_database_url(), redis_url=settings.REDIS_URL, tmp_path=tmp_path
    ) as base:
        url = base.replace("http://", "ws://") + "/ws/ping/"
        for size in (MAX_FRAME_BYTES + 1, 15 * 1024 * 1024):
            frame = json.dumps({"action": "ping", "id": "x" * size})
            with connect(url, origin=base, open_timeout=5, max_size=None) as socket:
                try:
                    socket.send(frame)
                    outcomes.append(socket.recv(timeout=10))
                except ConnectionClosed as closed:
                    outcomes.append(closed.rcvd.code if closed.rcvd else "reset")
        with connect(url, origin=base, open_timeout=5) as socket:
            socket.send(json.dumps({"action": "ping", "id": "small"}))
            outcomes.append(json.loads(socket.recv(timeout=5)))

    assert outcomes[0] == 1009
    assert outcomes[1] in (1009, "reset")
    assert outcomes[2] == {"type": "pong", "id": "small"}


def _chatham(room: LiveRoom) -> None:
    Session.objects.filter(pk=room.session_id).update(chatham_house=True, room_access="event")


async def test_chatham_house_room_never_shows_names(live_room, make_participant, room_socket):
    """In a Chatham House session questions carry no name or organisation, in snapshots and live frames."""
    await database_sync_to_async(_chatham)(live_room)
    author = await database_sync_to_async(make_participant)(live_room, organisation="Gemeente Utrecht")
    async with room_socket(live_room, author) as socket:
        await socket.send_json_to(
            {"action": "question.ask", "id": "n", "text": "Met naam?", "show_name": True}
        )
        asked = await next_of_type(socket, "question.asked")
    async with room_socket(live_room, author) as again:
        snapshot = again.snapshot

    assert (asked["question"]["author"], asked["question"]["organisation"]) == (None, None)
    assert [(q["author"], q["organisation"]) for q in snapshot["questions"]] == [(None, None)]


def test_chatham_house_pages_never_show_names(live_room, make_participant, make_moderator):
    """The room page, the projector and the session page show no author and no moderator names."""
    from realtime.services import questions as question_services

    _chatham(live_room)
    author = make_participant(live_room, name="Anna de Vries", organisation="Gemeente Utrecht")
    moderator = make_moderator(live_room)
    moderator.name = "Bram Gespreksleider"
    moderator.save()
    room = LiveRoom.objects.select_related("session__event").get(pk=live_room.pk)
    question_services.question_ask(user=author, room=room, text="Wie vraagt dit?", show_name=True)
    client = Client()
    client.force_login(author)
    pages = [
        client.get(reverse("realtime:room", args=[room.session.code])).content.decode(),
        Client().get(reverse("realtime:projector_token", args=[room.projector_token])).content.decode(),
        Client()
        .get(
            reverse(
                "event:session_detail", kwargs={"event_slug": room.session.event.slug, "pk": room.session_id}
            )
        )
        .content.decode(),
    ]

    assert ["Wie vraagt dit?" in page for page in pages[:2]] == [True, True]
    assert [name in page for page in pages for name in ("Anna de Vries", "Gemeente Utrecht")] == [False] * 6
    assert "Bram Gespreksleider" not in pages[2]


def test_production_server_log_names_no_socket_path_or_address(tmp_path):
    """
    uvicorn's own line per accepted WebSocket ('<address> - "WebSocket <path>?<query>" [accepted]') stays
    out of the production log: it held the client's address and the projector's secret link.
    """
    secret = "projector-secret-" + "q" * 24
    with production_web(
        database_url=suite_database_url(), redis_url=settings.REDIS_URL, tmp_path=tmp_path
    ) as base:
        url = base.replace("http://", "ws://") + f"/ws/ping/?projector={secret}"
        with connect(url, origin=base, open_timeout=5) as socket:
            socket.send(json.dumps({"action": "ping", "id": "p"}))
            pong = json.loads(socket.recv(timeout=5))
        urllib.request.urlopen(f"{base}/healthz", timeout=5).close()  # noqa: S310 - loopback only
        time.sleep(0.5)
        log = (tmp_path / "web.log").read_text()

    assert pong == {"type": "pong", "id": "p"}
    assert "trialoog.requests" in log  # the log is written: the request line of /healthz
    assert secret not in log
    assert "WebSocket" not in log
