"""
The WebSocket consumers: connect, receive, disconnect. See docs/realtime-protocol.md.

`receive` parses a frame (realtime/live/protocol.py), looks its action up in
the registry (realtime/live/actions.py) and runs it as a task, so the socket
keeps being read while an action waits on the database: uvicorn reads the
client's keepalive pongs only when the application reads. At most
MAX_IN_FLIGHT actions of one socket run at once; the next one waits, unread,
until one of them is done (back-pressure). Acks may therefore come in another
order than the actions.

Room frames do not pass through here: the hub hands them to the socket's
member (realtime/live/member.py).
"""

import asyncio
import logging
import secrets
from urllib.parse import parse_qs

from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncJsonWebsocketConsumer, AsyncWebsocketConsumer
from django.conf import settings

from realtime import groupcommit, groups, ratelimit
from realtime.live import fanout, protocol, rooms
from realtime.live.actions import ACTIONS
from realtime.live.direct import direct_for
from realtime.live.member import Member, TokenBucket
from realtime.permissions import role_in_room
from realtime.services import joins
from realtime.services import rooms as room_services

logger = logging.getLogger(__name__)

RATE_BURST = 20
RATE_PER_SECOND = 5.0
# A resync costs a whole snapshot: a few in a row, then one per five seconds.
RESYNC_BURST = 3
RESYNC_PER_SECOND = 0.2
# Actions of one socket waiting at once (on the database, a batch); more are refused, not queued.
MAX_IN_FLIGHT = 8
# How long a join may wait on Redis and the database before the handshake is refused.
JOIN_TIMEOUT_SECONDS = 5.0


def _resume(query: dict) -> joins.Resume | None:
    """Where a reconnecting client left off (`?since=&cseq=&role=`), or None for a fresh start."""
    try:
        since, cseq = int(query["since"][0]), int(query["cseq"][0])
        role = query["role"][0]
    except (KeyError, IndexError, ValueError):
        return None
    if since < 0 or cseq < 0 or role not in ("participant", "moderator", "projector"):
        return None
    return joins.Resume(seq=since, cseq=cseq, role=role)


class PingConsumer(AsyncJsonWebsocketConsumer):
    """
    Answer {"action": "ping"} with {"type": "pong"} by way of the channel layer.

    The reply travels through a group send, so a pong proves that the channel
    layer (Redis in production) works end to end. Used by smoke tests and
    monitoring.
    """

    async def connect(self):
        self.group = groups.ping(self.channel_name)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        if not isinstance(content, dict) or content.get("action") != "ping":
            await self.send_json({"type": "error", "code": "unknown_action"})
            return
        if not protocol.id_valid(content.get("id")):
            await self.send_json({"type": "error", "code": "invalid", "id": None})
            return
        await self.channel_layer.group_send(self.group, {"type": "ping.reply", "id": content.get("id")})

    async def ping_reply(self, event):
        await self.send_json({"type": "pong", "id": event.get("id")})


class RoomConsumer(AsyncWebsocketConsumer):
    """
    One participant, moderator or projector in a live room.

    Every action gets an `ack` or an `error` frame; no input closes the
    connection or changes state it should not. When Redis or the database
    cannot be reached at the join, the handshake is refused (the client keeps
    backing off) rather than accepted and dropped.

    It uses no channel layer: room frames come from the hub, and so do the
    access messages (logouts, role changes, a new projector link), on the
    hub's one shared channel. A socket therefore costs Redis nothing of its
    own, neither at the join (a crowd reconnecting at once) nor while open.
    """

    channel_layer_alias = None  # channels: no channel-layer channel of its own (see above)

    async def dispatch(self, message):
        # AsyncConsumer.dispatch without its `await aclose_old_connections()` per message: a hop to the
        # one thread-sensitive thread, measured here at 96 us of CPU and 200 us of wait per frame, and
        # 400 us each when many come at once (they queue on that one thread): at 2,500 votes a second per
        # process that thread is full. Every ORM call of this consumer goes through `rooms.db`
        # (database_sync_to_async), which closes old connections itself.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def connect(self):
        self.room = self.role = self.user = self.hub = self.group = self.room_id = None
        self.addresses = []
        # Names this socket's presence row; no channel layer, so no channel name from there.
        self.channel_name = f"room!{secrets.token_urlsafe(18)}"
        self.tasks = set()
        self.buckets = TokenBucket(RATE_BURST, RATE_PER_SECOND)
        self.resync_bucket = TokenBucket(RESYNC_BURST, RESYNC_PER_SECOND)
        self.member = Member(send_text=self._send_text, snapshot=self._snapshot_text)
        self.code = self.scope["url_route"]["kwargs"]["code"]
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        self.projector_token = (query.get("projector") or [None])[0]
        self.resume = _resume(query)
        try:
            async with asyncio.timeout(JOIN_TIMEOUT_SECONDS):
                joined = await self._join()
        except Exception as error:  # noqa: BLE001 - whatever the join waits on is away: refuse, do not crash
            logger.warning("room join refused, Redis or the database is unavailable: %r", error)
            await self._refuse()
            return
        await self.accept()
        if self.room is None:
            await self.close(code=4404)
        elif self.role is None:
            await self.close(code=joined.refusal or 4403)
        elif joined.replay is not None:
            # Back after a short drop: what it missed, from the room's log, then `room.resumed`.
            for text in joined.replay:
                await self.send(text_data=text)
            self.member.start(direct_for(self.base_send), "")
        else:
            await self.send(text_data=joined.snapshot)
            self.member.start(direct_for(self.base_send), joined.snapshot)

    async def _join(self) -> joins.Joined | None:
        """Find the room, listen to it, admit this person, join the access groups; before the handshake."""
        self.room_id = room_id = await rooms.room_id(self.code)
        if room_id is None:
            return None
        # Listen first: frames that arrive while the snapshot is built wait in the member's backlog.
        self.hub = fanout.hub()
        self.group = groups.room(room_id)
        await self.hub.join(self.group, self.member)
        request = joins.Join(
            channel_name=self.channel_name,
            user=self.scope.get("user"),
            session_key=self._session_key(),
            projector_token=self.projector_token,
            code=self.code,
            resume=self.resume,
        )
        joined = await groupcommit.for_loop("joins").submit(room_id, request)
        self.room, self.role, self.user = joined.room, joined.role, joined.user
        if self.room is None:
            rooms.forget(self.code)  # the code moved to another session, or the room is gone
        if self.role is None:
            self._leave_hub()  # refused: it hears nothing of this room
            return joined
        if self.role == "moderator":
            # The moderators' stream comes through the hub too: in mod_seq order, gaps filled from the log.
            # Events between the snapshot and this join show as a gap: the console resyncs.
            await self.hub.join(groups.moderators(room_id), self.member)
        self.addresses = self._addresses()
        await self.hub.watch(self.addresses, self._access)  # a Redis connection that is down fails here
        return joined

    async def _refuse(self) -> None:
        """Close before accepting: the client sees a failed connect, not an open socket, and backs off."""
        self._leave_hub()
        admitted = self.room is not None and self.role is not None
        self.room = self.role = None
        await self.close()
        if admitted:
            try:
                async with asyncio.timeout(JOIN_TIMEOUT_SECONDS):
                    await groupcommit.for_loop("leaves").submit(self.room_id, self.channel_name)
            except Exception:  # noqa: BLE001 - the presence row expires by itself
                logger.warning("presence_leave after a refused join failed for %s", self.channel_name)

    def _leave_hub(self) -> None:
        if self.hub is not None:
            self.hub.unwatch(self.addresses, self._access)
            self.hub.leave(self.group, self.member)
            if self.room_id is not None:
                self.hub.leave(groups.moderators(self.room_id), self.member)  # a no-op when not in it
            self.hub = None
        self.member.stop()

    def _session_key(self) -> str | None:
        return self.scope.get("cookies", {}).get(settings.SESSION_COOKIE_NAME)

    def _addresses(self) -> list[str]:
        """The addresses through which logouts, role changes and a new projector link reach this socket."""
        if self.role == "projector":
            return [groups.projectors(self.room.pk)]
        names = [groups.person(self.user.pk)]
        if self._session_key():
            names.append(groups.login(self._session_key()))
        return names

    async def disconnect(self, code):
        self._leave_hub()
        for task in tuple(self.tasks):
            task.cancel()
        if self.room is None or self.role is None:
            return
        try:
            await groupcommit.for_loop("leaves").submit(self.room.pk, self.channel_name)
        except Exception:  # noqa: BLE001 - a dead database must not stop the disconnect; the row expires
            logger.warning("presence_leave failed for %s", self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        action_id = None
        try:
            content = protocol.parse(text_data, bytes_data)
            action_id = protocol.frame_id(content)
            protocol.require_id(content)
            action = protocol.lookup(ACTIONS, content, role=self.role)
            wait = self.buckets.take() or (self.resync_bucket.take() if action.resync_bucket else None)
            if wait:
                raise protocol.rate_limited(wait)
        except Exception as error:  # noqa: BLE001 - every refusal is an error frame (protocol.error_frame)
            await self._reply(protocol.error_frame(action_id, error))
            return
        while len(self.tasks) >= MAX_IN_FLIGHT:
            # Back-pressure, not refusal: this socket is not read until one of its actions is done
            # (a crowd voting faster than the database stores is slowed, not answered with errors).
            await asyncio.wait(set(self.tasks), return_when=asyncio.FIRST_COMPLETED)
        self._spawn(self._answer(action, content, action_id))

    def _spawn(self, coroutine) -> None:
        task = asyncio.ensure_future(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _answer(self, action: protocol.RoomAction, content: dict, action_id: str) -> None:
        """Run one action to its ack or error frame."""
        try:
            if action.name == "ping":
                await self._ping(action_id)
                return
            if action.name == "room.resync":
                # Through the member: frames that arrive meanwhile follow the snapshot, never precede it.
                self.member.resync()
                return
            if action.shared_limit:
                wait = await rooms.db(ratelimit.room_action_hit)(user_id=self.user.pk)
                if wait:
                    raise protocol.rate_limited(wait)
            if action.batch is not None:
                request = action.batch.parse(content)
                outcome = await groupcommit.for_loop(action.batch.kind).submit(
                    self.room.pk, (self.user, *request)
                )
                fields = action.batch.ack(request, outcome)
            else:
                fields = await rooms.db(action.handler)(user=self.user, room=self.room, data=content)
            body = protocol.ack_frame(action_id, action.name, fields)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 - answered as the protocol says, never a crash
            body = protocol.error_frame(action_id, error)
        try:
            await self._reply(body)
        except Exception:  # noqa: BLE001 - the socket closed meanwhile: nobody to answer
            return

    async def _ping(self, action_id: str) -> None:
        if self.role == "projector" and not await rooms.projector_token_valid(
            self.room.pk, self.projector_token
        ):
            # The moderator reset the secret link: this screen may no longer watch.
            await self.close(code=4403)
            return
        await rooms.db(room_services.presence_touch)(channel_name=self.channel_name)
        await self._reply({"type": "pong", "id": action_id})

    async def _reply(self, body: dict) -> None:
        await self.send(text_data=protocol.encode(body))

    async def _send_text(self, text: str) -> None:
        await self.send(text_data=text)

    async def _snapshot_text(self) -> str:
        user = None if self.role == "projector" else self.user
        return await groupcommit.for_loop("snapshots").submit(self.room.pk, (user, self.role))

    # --- access messages through the hub (realtime/receivers.py: logouts, role changes, a new projector link) ---

    def _access(self, message: dict) -> None:
        """One access message from the hub (broadcast.send_access), handled without holding up the hub."""
        kind = message.get("type")
        if kind == "access.close":
            self._spawn(self.access_close(message))
        elif kind == "access.recheck":
            self.access_recheck(message)

    async def access_close(self, event):
        """A logout, a revoked login or a reset projector link: this socket may no longer listen."""
        if self.role == "projector" and event.get("token") == self.projector_token:
            return  # a screen that already uses the new link
        await self.close(code=event["code"])

    def access_recheck(self, event):
        """The session's moderators or rapporteurs changed: move in or out of the moderator stream, or leave."""
        if self.room is None or self.role in (None, "projector") or self.room.pk not in event["rooms"]:
            return
        self._spawn(self._recheck())  # a database wait must not stop the socket being read

    async def _recheck(self) -> None:
        try:
            role = await rooms.db(role_in_room)(self.user, self.room)
        except Exception:  # noqa: BLE001 - the database is away: the next join checks the role again
            logger.warning("rechecking the role of %s failed", self.channel_name)
            return
        if role == self.role:
            return
        if role is None:
            await self.close(code=4403)
            return
        if self.hub is None:
            return  # closed meanwhile
        if role == "moderator":
            await self.hub.join(groups.moderators(self.room.pk), self.member)
        else:
            self.hub.leave(groups.moderators(self.room.pk), self.member)
        self.role = role
        self.member.resync()  # the snapshot of the new role replaces what the old one showed
