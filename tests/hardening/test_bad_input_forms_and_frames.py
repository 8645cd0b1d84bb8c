"""
Every form answers junk with a readable error and never a crash; the socket survives invalid UTF-8.
"""

import asyncio

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from realtime.models import LiveRoom, Question
from tests.factories import RegistrationFactory, SessionFactory, UserFactory
from tests.hardening.conftest import RoomClient, session_cookie
from tests.hardening.test_permission_matrix import EXPECTED_URLS, P, _kwargs, _url_names

JUNK = [
    {},
    {
        name: "x" * 20_000
        for name in ("text", "what", "owner_name", "title", "prompt", "email", "name", "summary")
    },
    {"question": "abc", "poll": "-1", "note": "1e9", "into": "[]", "choices": "<script>", "phase": "NaN"},
    {
        "mode": "\u0000",
        "kind": "' OR 1=1 --",
        "status": "🙂" * 50,
        "due_date": "31-02-2026",
        "action_id": "-5",
    },
]


@pytest.mark.django_db
@pytest.mark.parametrize("junk", range(len(JUNK)))
def test_every_post_endpoint_answers_junk_without_a_crash(world, junk):
    """For every POST URL and every signed-in role, junk input gives a redirect or a 4xx, never a 500."""
    posts = sorted(name for name, (method, _table) in EXPECTED_URLS.items() if method == P)
    patterns = _url_names()
    statuses = {}
    for name in posts:
        url = reverse(name, kwargs=_kwargs(patterns[name], world))
        for role in ("attendee", "moderator", "organiser"):
            with transaction.atomic():
                client = Client(raise_request_exception=False)
                client.force_login(world["users"][role])
                statuses[(name, role)] = client.post(url, JUNK[junk]).status_code
                transaction.set_rollback(True)

    assert {key: status for key, status in statuses.items() if status >= 500} == {}


@pytest.mark.django_db(transaction=True)
def test_invalid_utf8_text_frame_closes_only_that_socket(daphne_server):
    """A text frame that is not UTF-8 ends that one socket at the WebSocket layer; the server and the room go on."""
    room = LiveRoom.objects.create(session=SessionFactory(), is_open=True)
    user = UserFactory()
    RegistrationFactory(user=user, event=room.session.event)
    cookie = session_cookie(user)
    url = daphne_server.base.replace("http://", "ws://") + f"/ws/rooms/{room.session.code}/"

    async def run():
        async with connect(url, origin=daphne_server.base, additional_headers={"Cookie": cookie}) as socket:
            await socket.recv()
            await socket.send(b'{"action": "question.ask", "text": "\xff\xfe"}', text=True)
            code = "open"
            try:
                while True:
                    await asyncio.wait_for(socket.recv(), 5)
            except ConnectionClosed as closed:
                # autobahn fails the connection: with 1007 when it gets to send a close frame.
                code = closed.rcvd.code if closed.rcvd else "dropped"
        healthy = RoomClient(daphne_server.base, room.session.code, cookie)
        snapshot = await healthy.connect()
        healthy.queue({"action": "question.ask", "id": "after", "text": "Daarna gewoon verder"})
        replies = await healthy.flush()
        await healthy.close()
        return code, snapshot, replies

    code, snapshot, replies = asyncio.run(run())

    assert code in (1007, "dropped")
    assert snapshot["type"] == "room.snapshot"
    assert [reply["type"] for reply in replies] == ["ack"]
    assert list(Question.objects.values_list("text", flat=True)) == ["Daarna gewoon verder"]
