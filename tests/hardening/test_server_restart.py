"""daphne is killed while clients hold unsent actions: after the restart each action is stored exactly once."""

import json

import pytest
from asgiref.sync import sync_to_async

from realtime.models import LiveRoom, Question
from tests.factories import RegistrationFactory, SessionFactory, UserFactory
from tests.hardening.conftest import RoomClient, session_cookie

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def room_and_person(db):
    room = LiveRoom.objects.create(session=SessionFactory(), is_open=True)
    user = UserFactory()
    RegistrationFactory(user=user, event=room.session.event)
    return room, user


async def test_actions_in_the_outbox_survive_a_server_restart_exactly_once(daphne_server, room_and_person):
    """
    Some actions were acked before the kill, one was sent but never answered, others were never sent.
    The client resends everything unacked with the same ids; the database holds each once.
    """
    room, user = room_and_person
    client = RoomClient(daphne_server.base, room.session.code, await sync_to_async(session_cookie)(user))
    await client.connect()
    for i in range(3):
        client.queue({"action": "question.ask", "id": f"before-{i}", "text": f"Voor de herstart {i}"})
    await client.flush()
    in_flight = {"action": "question.ask", "id": "in-flight", "text": "Verstuurd, nooit bevestigd"}
    client.queue(in_flight)
    await client.socket.send(json.dumps(in_flight))

    daphne_server.kill()
    for i in range(3):
        client.queue({"action": "question.ask", "id": f"offline-{i}", "text": f"Offline getypt {i}"})
    # The client cannot know which acks it missed, so it also resends the already-acked ones.
    for i in range(3):
        client.queue({"action": "question.ask", "id": f"before-{i}", "text": f"Voor de herstart {i}"})
    daphne_server.start()
    snapshot = await client.reconnect(within=20)
    replies = await client.flush()
    await client.close()

    ids = await sync_to_async(lambda: sorted(Question.objects.values_list("client_id", flat=True)))()
    assert client.outbox == {}
    assert all(reply["type"] == "ack" for reply in replies)
    assert ids == sorted(
        [f"before-{i}" for i in range(3)] + ["in-flight"] + [f"offline-{i}" for i in range(3)]
    )
    assert len(snapshot["questions"]) >= 3
