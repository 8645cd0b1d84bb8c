"""
Recordings for the verify-action tests (Zulip's `verify_action`): real actions on the real consumer.

Per scenario a room gets four sockets: two participants, a moderator and the
projector. Once they are all in and the scenario's setup is done, each socket
takes a fresh snapshot ("before"), the scenario's actions run over the sockets,
and every frame each socket receives is kept until the room is quiet; then each
takes a fresh snapshot again ("after"). Presence stays the same throughout (a
question's `by_perspective` is computed for the people present). Replaying a
socket's frames on its "before" must give its "after":
tests/realtime/test_verify_action.py checks this with realtime/store.py and with
the browser's store (static/js/room/store.js) under node.
"""

import asyncio
import contextlib
import itertools

from channels.db import database_sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from events.models import Registration
from realtime.models import LiveRoom
from realtime.routing import websocket_urlpatterns
from tests.factories import RegistrationFactory, SessionFactory, UserFactory

# Coalesced frames (scores, poll results) go out within 0.25 s; a socket is quiet after this long without a frame.
QUIET = 0.4
_ids = itertools.count(1)


class Socket:
    """One room socket that keeps every frame it reads after `record()`."""

    def __init__(self, name: str, communicator: WebsocketCommunicator):
        self.name = name
        self.communicator = communicator
        self.frames: list[dict] = []

    async def read_until(self, wanted) -> dict:
        while True:
            frame = await self.communicator.receive_json_from(timeout=10)
            if wanted(frame):
                return frame
            self.frames.append(frame)

    async def act(self, action: str, **fields) -> dict:
        """Send an action and wait for its ack, which is kept with the frames (an error fails)."""
        action_id = f"{self.name}-{next(_ids)}"
        await self.communicator.send_json_to({"action": action, "id": action_id, **fields})
        answer = await self.read_until(lambda f: f.get("id") == action_id and f["type"] in ("ack", "error"))
        assert answer["type"] == "ack", answer
        self.frames.append(answer)
        return answer

    async def drain(self) -> None:
        while not await self.communicator.receive_nothing(timeout=QUIET):
            self.frames.append(await self.communicator.receive_json_from())

    async def snapshot(self) -> dict:
        """A fresh snapshot, asked for now; frames that come before it are kept."""
        while True:
            resync_id = f"{self.name}-resync-{next(_ids)}"
            await self.communicator.send_json_to({"action": "room.resync", "id": resync_id})
            answer = await self.read_until(
                lambda f: f["type"] == "room.snapshot" or (f["type"] == "error" and f["id"] == resync_id)
            )
            if answer["type"] == "room.snapshot":
                return answer
            assert answer["code"] == "rate_limited", answer
            await asyncio.sleep(answer["retry_after"])

    async def settled_snapshot(self) -> dict:
        """
        A fresh snapshot after which no event arrives while the room stays quiet.

        A coalesced frame (scores, results) that a loaded machine sends later than
        the quiet period would describe a change the snapshot already holds, so
        such a snapshot is dropped and a new one taken after the late frame.
        """
        while True:
            snapshot = await self.snapshot()
            count = len(self.events())
            await self.drain()
            if len(self.events()) == count:
                return snapshot

    def events(self) -> list[dict]:
        return [f for f in self.frames if "seq" in f or "mod_seq" in f]


class Room:
    """A live room with its people and their sockets, for one scenario."""

    def __init__(self, room: LiveRoom, sockets: dict[str, Socket]):
        self.room = room
        self.sockets = sockets
        self.participant = sockets["participant"]
        self.other = sockets["other"]
        self.moderator = sockets["moderator"]

    async def quiet(self) -> None:
        await asyncio.sleep(QUIET)
        await asyncio.gather(*(socket.drain() for socket in self.sockets.values()))


def _people():
    session = SessionFactory()
    room = LiveRoom.objects.create(session=session, is_open=True)
    people = {}
    for name, perspective in (("participant", "uitvoering"), ("other", "politiek")):
        people[name] = UserFactory(perspective=perspective, name=f"{name.title()} Test")
        RegistrationFactory(user=people[name], event=session.event, status=Registration.Status.REGISTERED)
    people["moderator"] = UserFactory(perspective="beleid")
    session.moderators.add(people["moderator"])
    return room, session.code, people


@contextlib.asynccontextmanager
async def live_room():
    """A fresh open room with its four sockets open and presence settled."""
    room, code, people = await database_sync_to_async(_people)()
    opened = []
    try:
        for name, user, query in [
            *((name, user, "") for name, user in people.items()),
            ("projector", AnonymousUser(), f"?projector={room.projector_token}"),
        ]:
            communicator = WebsocketCommunicator(
                URLRouter(websocket_urlpatterns), f"/ws/rooms/{code}/{query}"
            )
            communicator.scope["user"] = user
            connected, _ = await communicator.connect(timeout=5)
            assert connected
            opened.append(Socket(name, communicator))
            await communicator.receive_json_from(timeout=5)  # the first snapshot
        yield Room(room, {socket.name: socket for socket in opened})
    finally:
        for socket in opened:
            await socket.communicator.disconnect()


async def record(name: str, setup, act) -> dict:
    """
    Run `setup(room)`, take every socket's "before", run `act(room)`, and take every socket's "after".

    Answers `{"scenario", "sockets": [{"name", "role", "before", "frames", "after"}]}`.
    """
    async with live_room() as room:
        await setup(room)
        await room.quiet()
        before = await asyncio.gather(*(socket.settled_snapshot() for socket in room.sockets.values()))
        for socket in room.sockets.values():
            socket.frames = []
        await act(room)
        await room.quiet()
        after = await asyncio.gather(*(socket.settled_snapshot() for socket in room.sockets.values()))
        sockets = [
            {
                "name": socket.name,
                "role": first["role"],
                "before": first,
                "frames": socket.frames,
                "after": last,
            }
            for socket, first, last in zip(room.sockets.values(), before, after, strict=True)
        ]
    return {"scenario": name, "sockets": sockets}


# --- scenarios: what each server event type needs -------------------------------------------------


async def _nothing(room: Room) -> None:
    return None


async def _one_question(room: Room) -> None:
    room.question = (await room.participant.act("question.ask", text="Wat kost dit?"))["question"]


async def _premoderated(room: Room) -> None:
    await room.moderator.act("room.premoderation", enabled=True)


async def _ask(room: Room) -> None:
    await room.participant.act("question.ask", text="Wie betaalt dit?", show_name=True)
    await room.other.act("question.ask", text="Wanneer begint het?")


async def _ask_then_approve(room: Room) -> None:
    pending = (await room.participant.act("question.ask", text="Mag dit?"))["question"]
    rejected = (await room.other.act("question.ask", text="Niet voor de zaal"))["question"]
    await room.moderator.act("question.approve", question=pending)
    await room.moderator.act("question.reject", question=rejected)


async def _edit_and_answer(room: Room) -> None:
    await room.moderator.act("question.edit", question=room.question, text="Wat kost dit precies?")
    await room.moderator.act("question.answer", question=room.question)


async def _hide_and_withdraw(room: Room) -> None:
    mine = (await room.participant.act("question.ask", text="Toch niet"))["question"]
    await room.moderator.act("question.hide", question=room.question)
    await room.participant.act("question.withdraw", question=mine)


async def _pin_and_unpin(room: Room) -> None:
    await room.moderator.act("question.pin", question=room.question)
    await room.moderator.act("question.unpin")
    await room.moderator.act("question.pin", question=room.question)


async def _upvotes(room: Room) -> None:
    await room.participant.act("question.upvote", question=room.question)
    await room.other.act("question.upvote", question=room.question)
    await room.quiet()
    await room.participant.act("question.unvote", question=room.question)


async def _room_settings(room: Room) -> None:
    await room.moderator.act("room.premoderation", enabled=True)
    await room.moderator.act("room.projector_mode", mode="notes")
    await room.moderator.act("room.close")


async def _phases(room: Room) -> None:
    await room.moderator.act("phase.save", title="Verkennen", prompt="Wat speelt er?")
    await room.moderator.act("phase.save", title="Afwegen", prompt="")
    await room.moderator.act("phase.next")


async def _phase_edit(room: Room) -> None:
    phase = (await room.moderator.act("phase.save", title="Verkennen", prompt=""))["phase"]
    await room.moderator.act("phase.save", phase=phase, title="Verkennen en vragen", prompt="Wat speelt er?")
    await room.moderator.act("phase.set", phase=None)


async def _poll_draft(room: Room) -> None:
    room.poll = (
        await room.moderator.act(
            "poll.create", text="Eens?", kind="single", options=["Ja", "Nee"], show_live=False
        )
    )["poll"]


async def _poll_life(room: Room) -> None:
    await _poll_draft(room)
    await room.moderator.act("poll.open", poll=room.poll)
    await room.moderator.act("poll.show_live", poll=room.poll, enabled=True)
    await room.moderator.act("poll.close", poll=room.poll)
    await room.moderator.act("poll.reveal", poll=room.poll)


async def _open_live_poll(room: Room) -> None:
    await _poll_draft(room)
    await room.moderator.act("poll.show_live", poll=room.poll, enabled=True)
    await room.moderator.act("poll.open", poll=room.poll)


async def _votes(room: Room) -> None:
    options = await database_sync_to_async(
        lambda: list(room.room.polls.get(pk=room.poll).options.values_list("pk", flat=True))
    )()
    await room.participant.act("poll.vote", poll=room.poll, choices=[options[0]])
    await room.other.act("poll.vote", poll=room.poll, choices=[options[1]])
    await room.moderator.act("poll.vote", poll=room.poll, choices=[options[0]])
    await room.quiet()
    await room.other.act("poll.vote", poll=room.poll, choices=[options[0]])
    await room.quiet()
    await room.moderator.act("poll.close", poll=room.poll)


async def _one_note(room: Room) -> None:
    room.note = (await room.participant.act("note.add", kind="dilemma", text="Wie beslist?"))["note"]


async def _add_notes(room: Room) -> None:
    await room.participant.act("note.add", kind="dilemma", text="Wie beslist?")
    await room.moderator.act("note.add", kind="consideration", text="Het kost tijd")


async def _curate_notes(room: Room) -> None:
    other = (await room.other.act("note.add", kind="dilemma", text="Wie beslist er?"))["note"]
    await room.moderator.act("note.common_ground", note=room.note)
    await room.moderator.act("note.edit", note=room.note, text="Wie beslist uiteindelijk?")
    await room.moderator.act("note.merge", note=other, into=room.note)


async def _hide_note(room: Room) -> None:
    await room.moderator.act("note.hide", note=room.note)


async def _react(room: Room) -> None:
    await room.participant.act("note.react", note=room.note, reaction="agree")
    await room.other.act("note.react", note=room.note, reaction="recognise")
    await room.moderator.act("note.react", note=room.note, reaction="disagree")
    await room.quiet()
    await room.other.act("note.react", note=room.note, reaction="")


async def _actions(room: Room) -> None:
    fields = {"what": "Brief sturen", "owner_name": "Kim", "owner_organisation": "", "perspective": "beleid"}
    saved = (await room.moderator.act("action.save", **fields, due_date="2026-07-01", status="open"))[
        "action_id"
    ]
    await room.moderator.act("action.save", action_id=saved, **fields, due_date="", status="done")


# name -> (setup, act, the event types its actions must produce). Together they cover every event
# type the clients apply (tests/realtime/test_verify_action.py checks that against realtime.store.EVENT_TYPES).
SCENARIOS = {
    "ask": (_nothing, _ask, {"question.asked", "question.changed"}),
    "ask, approve, reject": (
        _premoderated,
        _ask_then_approve,
        {"question.changed", "question.updated", "question.removed"},
    ),
    "edit, answer": (_one_question, _edit_and_answer, {"question.updated", "question.changed"}),
    "hide, withdraw": (_one_question, _hide_and_withdraw, {"question.removed", "question.changed"}),
    "pin, unpin": (_one_question, _pin_and_unpin, {"question.pinned"}),
    "upvote, unvote": (_one_question, _upvotes, {"question.scored"}),
    "room settings": (_nothing, _room_settings, {"room.updated"}),
    "add phases, next phase": (_nothing, _phases, {"phases.updated", "room.updated"}),
    "edit phase, no phase": (_nothing, _phase_edit, {"phases.updated", "room.updated"}),
    "poll life": (_nothing, _poll_life, {"poll.changed"}),
    "poll votes": (_open_live_poll, _votes, {"poll.results", "poll.changed"}),
    "add notes": (_nothing, _add_notes, {"note.added", "note.changed"}),
    "mark, edit, merge notes": (_one_note, _curate_notes, {"note.updated", "note.changed", "note.removed"}),
    "hide note": (_one_note, _hide_note, {"note.removed", "note.changed"}),
    "react": (_one_note, _react, {"note.scored"}),
    "actions": (_nothing, _actions, {"action.saved"}),
}


async def record_scenario(name: str) -> dict:
    setup, act, _types = SCENARIOS[name]
    return await record(name, setup, act)


def event_types(recording: dict) -> set[str]:
    """The event types (not acks) that reached any socket in a recording."""
    return {
        f["type"]
        for socket in recording["sockets"]
        for f in socket["frames"]
        if f["type"] not in ("ack", "pong", "room.snapshot")
    }
