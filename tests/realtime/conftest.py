import contextlib

import pytest
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator

from events.models import Registration
from realtime.models import LiveRoom
from realtime.routing import websocket_urlpatterns
from tests.factories import RegistrationFactory, SessionFactory, UserFactory


@pytest.fixture
def live_room(db):
    """An open live room of a trialoog, with a moderator and a rapporteur."""
    session = SessionFactory()
    return LiveRoom.objects.create(session=session, is_open=True)


@pytest.fixture
def make_participant(db):
    """A user registered for the room's event, with the given perspective."""

    def make(room: LiveRoom, perspective: str = "uitvoering", **fields):
        user = UserFactory(perspective=perspective, **fields)
        RegistrationFactory(user=user, event=room.session.event, status=Registration.Status.REGISTERED)
        return user

    return make


@pytest.fixture
def make_moderator(db):
    def make(room: LiveRoom, perspective: str = "beleid"):
        user = UserFactory(perspective=perspective)
        room.session.moderators.add(user)
        return user

    return make


@pytest.fixture
def room_socket():
    """Open a WebSocket to the room as a user; yields the communicator with its first frame in `.snapshot`."""

    @contextlib.asynccontextmanager
    async def open_socket(room: LiveRoom, user, query: str = ""):
        code = await database_sync_to_async(lambda: room.session.code)()
        communicator = WebsocketCommunicator(URLRouter(websocket_urlpatterns), f"/ws/rooms/{code}/{query}")
        communicator.scope["user"] = user
        connected, _ = await communicator.connect(timeout=5)
        assert connected
        communicator.snapshot = await communicator.receive_json_from(timeout=5)
        try:
            yield communicator
        finally:
            await communicator.disconnect()

    return open_socket


async def next_of_type(communicator, event_type: str, timeout: float = 3):
    """Read frames until one of the given type arrives (presence frames etc. are skipped)."""
    while True:
        frame = await communicator.receive_json_from(timeout=timeout)
        if frame["type"] == event_type:
            return frame
