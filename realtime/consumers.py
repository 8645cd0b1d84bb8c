"""WebSocket consumers. Thin: parse the frame, check its shape with a form, call one service, answer."""

import asyncio
import collections
import json
import logging
import math
import time
from urllib.parse import parse_qs

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer, AsyncWebsocketConsumer
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import DatabaseError
from django.utils.translation import gettext as _

from realtime import actions, fanout, groupcommit, groups, ratelimit, selectors
from realtime.models import LiveRoom
from realtime.permissions import role_in_room
from realtime.services import joins
from realtime.services import rooms as room_services
from realtime.threads import database_threads_size

logger = logging.getLogger(__name__)


def db(fn):
    """
    Run ORM work in the live rooms' database threads, not on the one thread-sensitive executor.

    Every call is self-contained (its own transaction, a connection lent by
    the pool for the call), so several connects and actions can reach the
    database at once; with one thread they queued behind each other (see
    docs/performance.md).
    """
    database_threads_size()
    return database_sync_to_async(fn, thread_sensitive=False)


MAX_FRAME_BYTES = 8 * 1024
MAX_ID_LENGTH = 64


def _id_valid(value) -> bool:
    """A frame's `id`: a non-empty text of at most MAX_ID_LENGTH characters."""
    return isinstance(value, str) and 0 < len(value) <= MAX_ID_LENGTH


RATE_BURST = 20
RATE_PER_SECOND = 5.0
# A resync costs a whole snapshot: a few in a row, then one per five seconds.
RESYNC_BURST = 3
RESYNC_PER_SECOND = 0.2
# Frames waiting for one slow socket. Past this the room does not wait for it:
# its backlog is dropped and it gets a fresh snapshot once it can take one.
MAX_BACKLOG = 200


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
        if not _id_valid(content.get("id")):
            await self.send_json({"type": "error", "code": "invalid", "id": None})
            return
        await self.channel_layer.group_send(self.group, {"type": "ping.reply", "id": content.get("id")})

    async def ping_reply(self, event):
        await self.send_json({"type": "pong", "id": event.get("id")})


_room_ids: dict[str, int] = {}
_room_lookups: dict[tuple, asyncio.Future] = {}


async def _room_id(code: str) -> int | None:
    """
    The live room behind a join code, remembered per process.

    A crowd that arrives before the first answer shares that one lookup. The
    join checks the code against the room again (an organiser may change it in
    the admin) and the consumer forgets a code that no longer matches.
    """
    room_id = _room_ids.get(code)
    if room_id is not None:
        return room_id
    key = (asyncio.get_running_loop(), code)
    lookup = _room_lookups.get(key)
    if lookup is None:
        lookup = _room_lookups[key] = asyncio.ensure_future(db(selectors.room_get_by_code)(code=code))
        lookup.add_done_callback(lambda _done: _room_lookups.pop(key, None))
    room = await asyncio.shield(lookup)
    if room is None:
        return None
    if len(_room_ids) > 10_000:
        _room_ids.clear()
    _room_ids[code] = room.pk
    return room.pk


def _projector_token_valid(room_id: int, token: str | None) -> bool:
    return LiveRoom.objects.filter(pk=room_id, projector_token=token).exists()


def _direct_protocol(send):
    """
    uvicorn's websockets-sansio protocol behind this ASGI `send`, when room frames may bypass it.

    A server frame without compression is the same bytes for every socket, so
    the fan-out builds it once and writes it to each transport, as
    `websockets.broadcast()` does, instead of framing the text again per socket.
    Only for that protocol and only without per-message deflate (compressed
    frames differ per socket); everything else (daphne, tests) uses `send`.
    The protocol's own back-pressure flag still sends busy sockets the slow way.
    """
    protocol = getattr(send, "__self__", None)
    if type(protocol).__name__ != "WebSocketsSansIOProtocol":
        return None
    conn = getattr(protocol, "conn", None)
    if (
        conn is None
        or conn.extensions
        or not all(hasattr(protocol, name) for name in ("transport", "writable", "close_sent"))
    ):
        return None
    return protocol


class ProtocolError(Exception):
    def __init__(self, code: str, message: str, **extra):
        super().__init__(message)
        self.code = code
        self.message = message
        self.extra = extra


async def _finish(coroutine, blocker) -> None:
    """Run a coroutine that was started by hand and suspended on `blocker` to its end."""
    while True:
        error = None
        try:
            if blocker is None:
                await asyncio.sleep(0)
            else:
                await blocker
        except asyncio.CancelledError:
            coroutine.close()
            raise
        except Exception as exc:  # noqa: BLE001 - handed to the coroutine it belongs to
            error = exc
        try:
            blocker = coroutine.throw(error) if error is not None else coroutine.send(None)
        except StopIteration:
            return


class RoomConsumer(AsyncWebsocketConsumer):
    """
    One participant, moderator or projector in a live room. See docs/realtime-protocol.md.

    Every action gets an `ack` or an `error` frame; no input closes the
    connection or changes state it should not.
    """

    async def connect(self):
        self.room = None
        self.role = None
        self.hub = None
        self.group = None
        self._ready = False
        self._writing = False
        self._stale = False
        self._backlog = collections.deque()
        self._direct = None
        self.refusal = None
        self.access_groups = []
        code = self.scope["url_route"]["kwargs"]["code"]
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        token = (query.get("projector") or [None])[0]
        self.projector_token = token
        room_id = await _room_id(code)
        if room_id is not None:
            # Listen first: frames that arrive while the snapshot is built wait in the backlog.
            self.hub = fanout.hub()
            self.group = groups.room(room_id)
            request = joins.Join(
                channel_name=self.channel_name,
                user=self.scope.get("user"),
                session_key=self.scope.get("cookies", {}).get(settings.SESSION_COOKIE_NAME),
                projector_token=token,
                code=code,
            )
            try:
                await self.hub.join(self.group, self)
                joined = await groupcommit.for_loop("joins").submit(room_id, request)
            except BaseException:
                # Channels does not call disconnect() after a failed connect: leave the room here.
                self.hub.leave(self.group, self)
                self.hub = None
                raise
            self.room, self.role, self.user = joined.room, joined.role, joined.user
            self.refusal = joined.refusal
            if self.room is None:
                _room_ids.pop(code, None)  # the code moved to another session, or the room is gone
            if self.role is None:
                self.hub.leave(self.group, self)  # refused: it hears nothing of this room
                self.hub = None
        await self.accept()
        if self.room is None:
            await self.close(code=4404)
            return
        if self.role is None:
            await self.close(code=self.refusal or 4403)
            return
        self.tokens = float(RATE_BURST)
        self.tokens_at = time.monotonic()
        self.resync_tokens = float(RESYNC_BURST)
        self.resync_tokens_at = self.tokens_at
        self.access_groups = self._access_groups()
        stream = [groups.moderators(self.room.pk)] if self.role == "moderator" else []
        # Concurrently, not one Redis round trip after the other.
        await asyncio.gather(
            *(self.channel_layer.group_add(group, self.channel_name) for group in self.access_groups + stream)
        )
        await self.send(text_data=joined.snapshot)
        self._direct = _direct_protocol(self.base_send)
        self._ready = True
        if self._backlog or self._stale:
            self._start_writer()

    def _access_groups(self) -> list[str]:
        """The groups through which logouts, role changes and a new projector link reach this socket."""
        if self.role == "projector":
            return [groups.projectors(self.room.pk)]
        names = [groups.person(self.user.pk)]
        session_key = self.scope.get("cookies", {}).get(settings.SESSION_COOKIE_NAME)
        if session_key:
            names.append(groups.login(session_key))
        return names

    async def access_close(self, event):
        """A logout, a revoked login or a reset projector link: this socket may no longer listen."""
        if self.role == "projector" and event.get("token") == self.projector_token:
            return  # a screen that already uses the new link
        await self.close(code=event["code"])

    async def access_recheck(self, event):
        """The session's moderators or rapporteurs changed: move in or out of the moderator stream, or leave."""
        if self.room is None or self.role in (None, "projector") or self.room.pk not in event["rooms"]:
            return
        role = await db(role_in_room)(self.user, self.room)
        if role == self.role:
            return
        if role is None:
            await self.close(code=4403)
            return
        if role == "moderator":
            await self.channel_layer.group_add(groups.moderators(self.room.pk), self.channel_name)
        else:
            await self.channel_layer.group_discard(groups.moderators(self.room.pk), self.channel_name)
        self.role = role
        self.resync()  # the snapshot of the new role replaces what the old one showed

    async def dispatch(self, message):
        # Like AsyncConsumer.dispatch, without awaiting aclose_old_connections() (a thread hop)
        # for every message: handlers that touch the ORM do so through database_sync_to_async,
        # which closes old connections itself.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def disconnect(self, code):
        if self.hub is not None:
            self.hub.leave(self.group, self)
        if self.room is None or self.role is None:
            return
        stream = [groups.moderators(self.room.pk)] if self.role == "moderator" else []
        await asyncio.gather(
            *(
                self.channel_layer.group_discard(group, self.channel_name)
                for group in self.access_groups + stream
            )
        )
        try:
            await groupcommit.for_loop("leaves").submit(self.room.pk, self.channel_name)
        except Exception:  # noqa: BLE001 - a dead database must not stop the disconnect; the row expires
            logger.warning("presence_leave failed for %s", self.channel_name)

    async def send_snapshot(self):
        user = None if self.role == "projector" else self.user
        text = await groupcommit.for_loop("snapshots").submit(self.room.pk, (user, self.role))
        await self.send(text_data=text)

    async def room_frame(self, event):
        await self.send(text_data=event["text"])

    # --- the fan-out member: frames of the room, written without a task or a queue hop ---

    def deliver(self, outgoing: fanout.Outgoing) -> None:
        """Write one serialized room frame; queue it while this socket is busy or not ready."""
        if self._stale:
            return
        if self._writing or not self._ready:
            if len(self._backlog) >= MAX_BACKLOG:
                self.resync()
            else:
                self._backlog.append(outgoing.text)
            return
        direct = self._direct
        if (
            direct is not None
            and direct.writable.is_set()
            and not direct.close_sent
            and not direct.transport.is_closing()
        ):
            # The same WebSocket frame bytes for every socket, built once per broadcast.
            direct.transport.write(outgoing.wire)
            return
        send = self.base_send({"type": "websocket.send", "text": outgoing.text})
        try:
            blocker = send.send(None)
        except StopIteration:
            return  # written (daphne always, uvicorn unless the socket pushes back)
        except Exception:  # noqa: BLE001 - the socket is gone; disconnect cleans up
            return
        # The server applied back-pressure: finish this write, then the backlog, in a task.
        self._writing = True
        self._writer = asyncio.ensure_future(self._drain(send, blocker))

    def resync(self) -> None:
        """Drop what is queued; send a fresh snapshot when the socket can take it."""
        self._backlog.clear()
        self._stale = True
        if self._ready and not self._writing:
            self._start_writer()

    def _start_writer(self) -> None:
        self._writing = True
        self._writer = asyncio.ensure_future(self._drain(None, None))

    async def _drain(self, send, blocker) -> None:
        try:
            if send is not None:
                await _finish(send, blocker)
            while self._backlog or self._stale:
                if self._stale:
                    self._stale = False
                    self._backlog.clear()
                    await self.send_snapshot()
                else:
                    await self.base_send({"type": "websocket.send", "text": self._backlog.popleft()})
        except Exception:  # noqa: BLE001 - the socket is gone; disconnect cleans up
            self._backlog.clear()
        finally:
            self._writing = False

    def _take_token(self) -> int | None:
        """Per-connection token bucket; return the seconds until a token is free, or None when one was taken."""
        now = time.monotonic()
        self.tokens = min(RATE_BURST, self.tokens + (now - self.tokens_at) * RATE_PER_SECOND)
        self.tokens_at = now
        if self.tokens < 1:
            return max(1, math.ceil((1 - self.tokens) / RATE_PER_SECOND))
        self.tokens -= 1
        return None

    def _take_resync_token(self) -> int | None:
        """The resync bucket, like `_take_token`: a snapshot costs far more than an action."""
        now = time.monotonic()
        self.resync_tokens = min(
            RESYNC_BURST, self.resync_tokens + (now - self.resync_tokens_at) * RESYNC_PER_SECOND
        )
        self.resync_tokens_at = now
        if self.resync_tokens < 1:
            return max(1, math.ceil((1 - self.resync_tokens) / RESYNC_PER_SECOND))
        self.resync_tokens -= 1
        return None

    async def receive(self, text_data=None, bytes_data=None):
        action_id = None
        try:
            content = self._parse(text_data, bytes_data)
            action_id = content.get("id")
            if not _id_valid(action_id):
                # Without its id an action could not be answered, nor its resend recognised.
                # An empty id is echoed as it came; anything else that is not a short text is null.
                action_id = "" if action_id == "" else None
                raise ProtocolError("invalid", _("Het veld id moet een korte tekst zijn."))
            name = content.get("action")
            if name in ("room.resync", "ping"):
                wait = self._take_token() or (self._take_resync_token() if name == "room.resync" else None)
                if wait:
                    raise ProtocolError("rate_limited", ratelimit.retry_message(wait), retry_after=wait)
            if name == "room.resync":
                await self.send_snapshot()
                return
            if name == "ping":
                if self.role == "projector" and not await db(_projector_token_valid)(
                    self.room.pk, self.projector_token
                ):
                    # The moderator reset the secret link: this screen may no longer watch.
                    await self.close(code=4403)
                    return
                await db(room_services.presence_touch)(channel_name=self.channel_name)
                await self.send(text_data=json.dumps({"type": "pong", "id": action_id}))
                return
            handler = actions.HANDLERS.get(name) if isinstance(name, str) else None
            if handler is None:
                raise ProtocolError("unknown_action", _("Deze actie bestaat niet."))
            if self.role == "projector":
                raise ProtocolError("forbidden", _("Het scherm in de zaal kan alleen kijken."))
            batched = actions.BATCHED.get(name)
            # A vote is idempotent per person (one row per person and target), so the
            # per-connection bucket is enough for it; the shared per-person window costs
            # two database round trips, which at thousands of votes a second is the bottleneck.
            wait = self._take_token() or (
                None if batched else await db(ratelimit.room_action_hit)(user_id=self.user.pk)
            )
            if wait:
                raise ProtocolError("rate_limited", ratelimit.retry_message(wait), retry_after=wait)
            if batched is not None:
                kind, parse, ack = batched
                request = parse(content)
                outcome = await groupcommit.for_loop(kind).submit(self.room.pk, (self.user, *request))
                result = ack(request, outcome)
            else:
                result = await db(handler)(user=self.user, room=self.room, data=content)
            await self._reply({"type": "ack", "id": action_id, "action": name, **(result or {})})
        except ProtocolError as error:
            await self._reply(
                {
                    "type": "error",
                    "id": action_id,
                    "code": error.code,
                    "message": error.message,
                    **error.extra,
                }
            )
        except ValidationError as error:
            await self._reply(
                {
                    "type": "error",
                    "id": action_id,
                    "code": error.code or "invalid",
                    "message": " ".join(error.messages),
                }
            )
        except PermissionDenied:
            await self._reply(
                {"type": "error", "id": action_id, "code": "forbidden", "message": _("Dit mag u niet doen.")}
            )
        except DatabaseError:
            logger.exception("database error in room action %s", action_id)
            await self._reply(
                {
                    "type": "error",
                    "id": action_id,
                    "code": "unavailable",
                    "message": _("Tijdelijke storing: dit is niet opgeslagen. Probeer het zo opnieuw."),
                }
            )
        except ObjectDoesNotExist:
            await self._reply(
                {
                    "type": "error",
                    "id": action_id,
                    "code": "not_found",
                    "message": _("Dat bestaat niet (meer) in deze zaal."),
                }
            )

    def _parse(self, text_data, bytes_data) -> dict:
        if text_data is None:
            raise ProtocolError("bad_frame", _("Stuur tekst (JSON), geen binaire gegevens."))
        if (
            len(text_data) > MAX_FRAME_BYTES
            or len(text_data.encode("utf-8", "surrogatepass")) > MAX_FRAME_BYTES
        ):
            raise ProtocolError("too_large", _("Dit bericht is te groot."))
        try:
            content = json.loads(text_data)
        except (ValueError, RecursionError):
            raise ProtocolError("bad_json", _("Dit bericht is geen geldige JSON."))
        if not isinstance(content, dict):
            raise ProtocolError("bad_frame", _("Een bericht moet een JSON-object zijn."))
        return content

    async def _reply(self, body: dict) -> None:
        await self.send(text_data=json.dumps(body, ensure_ascii=False, separators=(",", ":")))
