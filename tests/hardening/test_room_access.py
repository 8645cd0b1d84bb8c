"""
Live rooms: authorisation follows changes at once, through the real consumer and the Redis channel layer.

Each test names the finding of issue 15 it closes; each failed on the code before it.
"""

import json

import pytest
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.signals import sessions_revoked
from events.models import RoomAccess
from realtime.models import LiveRoom
from realtime.routing import websocket_urlpatterns
from realtime.services import questions as question_services
from realtime.services import rooms as room_services
from tests.factories import RegistrationFactory, SessionSignupFactory, UserFactory
from tests.realtime.conftest import next_of_type

pytestmark = pytest.mark.django_db(transaction=True)


def _logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


async def _open(room: LiveRoom, *, user=None, session_key: str | None = None, query: str = ""):
    """A room socket as the browser opens it: with the session cookie (or a known user, or a projector token)."""
    code = await database_sync_to_async(lambda: room.session.code)()
    communicator = WebsocketCommunicator(URLRouter(websocket_urlpatterns), f"/ws/rooms/{code}/{query}")
    communicator.scope["cookies"] = {settings.SESSION_COOKIE_NAME: session_key} if session_key else {}
    if user is not None:
        communicator.scope["user"] = user
    connected, _ = await communicator.connect(timeout=5)
    assert connected
    first = await communicator.receive_output(timeout=5)
    return communicator, first


async def _closed_with(communicator, timeout: float = 3) -> int:
    """Read until the server closes the socket; return its close code."""
    while True:
        output = await communicator.receive_output(timeout=timeout)
        if output["type"] == "websocket.close":
            return output["code"]


async def _still_open(communicator) -> bool:
    await communicator.send_json_to({"action": "ping", "id": "alive"})
    return (await next_of_type(communicator, "pong"))["id"] == "alive"


async def test_logout_closes_the_sockets_of_that_login_with_4401(live_room, make_participant):
    """Logging out closes every room socket opened with that login (4401); the person's other login stays."""
    user = await database_sync_to_async(make_participant)(live_room)
    first_browser = await database_sync_to_async(_logged_in)(user)
    second_browser = await database_sync_to_async(_logged_in)(user)
    socket, snapshot = await _open(live_room, session_key=first_browser.session.session_key)
    other, _ = await _open(live_room, session_key=second_browser.session.session_key)
    assert snapshot["type"] == "websocket.send"

    response = await database_sync_to_async(first_browser.post)(reverse("account_logout"))

    assert response.status_code == 302
    assert await _closed_with(socket) == 4401
    assert await _still_open(other)
    await other.disconnect()


async def test_log_out_everywhere_closes_every_socket_of_the_person(live_room, make_participant):
    """`sessions_revoked` (log out everywhere, account deletion) closes all of that person's sockets (4401)."""
    user = await database_sync_to_async(make_participant)(live_room)
    bystander = await database_sync_to_async(make_participant)(live_room)
    laptop = await database_sync_to_async(_logged_in)(user)
    sockets = [
        (await _open(live_room, session_key=laptop.session.session_key))[0],
        (await _open(live_room, user=user))[0],
    ]
    watcher, _ = await _open(live_room, user=bystander)

    await database_sync_to_async(sessions_revoked.send)(sender=None, user=user)

    assert [await _closed_with(s) for s in sockets] == [4401, 4401]
    assert await _still_open(watcher)
    await watcher.disconnect()


def _pending_question(room: LiveRoom, author) -> None:
    LiveRoom.objects.filter(pk=room.pk).update(premoderation=True)
    question_services.question_ask(user=author, room=LiveRoom.objects.get(pk=room.pk), text="Wacht op mij")


async def test_removed_moderator_leaves_the_moderator_stream_at_once(live_room, make_participant):
    """A moderator taken off the session gets a participant snapshot at once and no moderator frames after it."""
    moderator = await database_sync_to_async(make_participant)(live_room, "beleid")
    author = await database_sync_to_async(make_participant)(live_room)
    await database_sync_to_async(live_room.session.moderators.add)(moderator)
    socket, _ = await _open(live_room, user=moderator)

    await database_sync_to_async(live_room.session.moderators.remove)(moderator)
    demoted = await next_of_type(socket, "room.snapshot")
    await database_sync_to_async(_pending_question)(live_room, author)
    frames = []
    while not await socket.receive_nothing(timeout=1):
        frames.append((await socket.receive_json_from())["type"])

    assert demoted["role"] == "participant"
    assert "pending" not in demoted
    assert "question.changed" not in frames
    await socket.disconnect()


async def test_removed_rapporteur_who_may_not_join_is_closed(live_room):
    """A rapporteur without a registration, taken off the session, is closed with 4403."""
    rapporteur = await database_sync_to_async(UserFactory)(perspective="beleid")
    await database_sync_to_async(live_room.session.rapporteurs.add)(rapporteur)
    socket, first = await _open(live_room, user=rapporteur)
    assert first["type"] == "websocket.send"

    session = await database_sync_to_async(lambda: live_room.session)()
    await database_sync_to_async(rapporteur.reported_sessions.remove)(session)

    assert await _closed_with(socket) == 4403


async def test_added_moderator_joins_the_moderator_stream_at_once(live_room, make_participant):
    """A participant made moderator of the session gets a moderator snapshot at once."""
    user = await database_sync_to_async(make_participant)(live_room, "beleid")
    socket, _ = await _open(live_room, user=user)

    await database_sync_to_async(live_room.session.moderators.add)(user)
    promoted = await next_of_type(socket, "room.snapshot")

    assert promoted["role"] == "moderator"
    assert promoted["pending"] == []
    await socket.disconnect()


async def test_projector_link_reset_closes_old_projector_sockets_at_once(live_room, make_moderator):
    """Resetting the projector link closes the screens on the old link (4403) without waiting for a ping."""
    moderator = await database_sync_to_async(make_moderator)(live_room)
    token = await database_sync_to_async(lambda: live_room.projector_token)()
    projector, first = await _open(live_room, query=f"?projector={token}")
    assert first["type"] == "websocket.send"

    new_token = await database_sync_to_async(
        lambda: room_services.projector_token_reset(
            user=moderator, room=LiveRoom.objects.get(pk=live_room.pk)
        )
    )()
    fresh, _ = await _open(live_room, query=f"?projector={new_token}")

    assert await _closed_with(projector) == 4403
    assert await _still_open(fresh)
    await fresh.disconnect()


def _signed_up_only_world(room: LiveRoom, access: str) -> dict:
    session = room.session
    session.room_access = access
    session.save(update_fields=["room_access"])
    users = {
        name: UserFactory(perspective="uitvoering") for name in ("registered", "signed_up", "waitlisted")
    }
    for user in users.values():
        RegistrationFactory(user=user, event=session.event)
    SessionSignupFactory(user=users["signed_up"], session=session)
    SessionSignupFactory(user=users["waitlisted"], session=session, status="waitlisted", waitlist_position=1)
    users["moderator"] = UserFactory(perspective="beleid")
    session.moderators.add(users["moderator"])
    return users


async def _close_code_or_role(room, user) -> int | str:
    socket, first = await _open(room, user=user)
    if first["type"] == "websocket.close":
        return first["code"]
    role = json.loads(first["text"])["role"]
    await socket.disconnect()
    return role


@pytest.mark.parametrize("access", [RoomAccess.SIGNED_UP, RoomAccess.AUTO])
async def test_signed_up_only_room_admits_only_confirmed_seats_and_staff(live_room, access):
    """With room access "signed up only" (the default for Chatham House) only confirmed seats and staff get in."""
    if access == RoomAccess.AUTO:
        await database_sync_to_async(type(live_room.session).objects.filter(pk=live_room.session_id).update)(
            chatham_house=True
        )
    users = await database_sync_to_async(_signed_up_only_world)(live_room, access)
    outcome = {name: await _close_code_or_role(live_room, user) for name, user in users.items()}

    assert outcome == {
        "registered": 4403,
        "signed_up": "participant",
        "waitlisted": 4403,
        "moderator": "moderator",
    }


def test_signed_up_only_room_page_answers_403_to_the_registered(live_room):
    """The HTML room page follows the same room access as the socket."""
    users = _signed_up_only_world(live_room, RoomAccess.SIGNED_UP)
    url = reverse("realtime:room", args=[live_room.session.code])

    responses = {name: _logged_in(user).get(url) for name, user in users.items()}

    assert {name: r.status_code for name, r in responses.items()} == {
        "registered": 403,
        "signed_up": 200,
        "waitlisted": 403,
        "moderator": 200,
    }
    assert "alleen open voor mensen met een plaats in deze sessie" in responses["registered"].content.decode()


def test_room_access_defaults_follow_chatham_house_and_kamerleden_only(live_room):
    """ "auto": signed up only for Chatham House and for sessions whose every seat is for politiek."""
    session = live_room.session
    seen = [session.effective_room_access]
    session.chatham_house = True
    seen.append(session.effective_room_access)
    session.chatham_house = False
    session.capacity = 6
    session.reserved_politiek = 6
    seen.append(session.effective_room_access)
    session.room_access = RoomAccess.EVENT
    seen.append(session.effective_room_access)

    assert seen == ["event", "signed_up", "signed_up", "event"]


def test_rapporteur_console_shows_no_projector_link_and_no_room_controls(live_room, make_moderator):
    """A rapporteur's console has notes and actions, but not the secret projector link or the room switches."""
    rapporteur = UserFactory(perspective="beleid")
    live_room.session.rapporteurs.add(rapporteur)
    url = reverse("realtime:console", args=[live_room.session.code])
    pages = {
        role: _logged_in(user).get(url).content.decode()
        for role, user in (("rapporteur", rapporteur), ("moderator", make_moderator(live_room)))
    }
    token = LiveRoom.objects.get(pk=live_room.pk).projector_token
    set_open = reverse("realtime:set_open", args=[live_room.session.code])

    assert [token in page for page in pages.values()] == [False, True]
    assert [set_open in page for page in pages.values()] == [False, True]
    assert ['id="acties"' in page for page in pages.values()] == [True, True]
