"""
The room protocol's frames: parsing, the id rule, the registry of actions, and errors as frames.

Everything here is pure (no socket, no database): the consumer reads a frame
with `parse`, looks its action up in the registry (`realtime/live/actions.py`
declares it with `RoomAction` rows), runs it, and answers with `ack` or with
`error_frame(exception)`, the one place that turns what went wrong into the
protocol's error codes (docs/realtime-protocol.md).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import DatabaseError
from django.utils.translation import gettext as _

from realtime import ratelimit

logger = logging.getLogger(__name__)

MAX_FRAME_BYTES = 8 * 1024
MAX_ID_LENGTH = 64


class ProtocolError(Exception):
    """A refusal the protocol names itself: `code` and a readable `message`, plus extra fields for the frame."""

    def __init__(self, code: str, message: str, **extra):
        super().__init__(message)
        self.code = code
        self.message = message
        self.extra = extra


def rate_limited(wait: int) -> ProtocolError:
    return ProtocolError("rate_limited", ratelimit.retry_message(wait), retry_after=wait)


def id_valid(value) -> bool:
    """A frame's `id`: a non-empty text of at most MAX_ID_LENGTH characters."""
    return isinstance(value, str) and 0 < len(value) <= MAX_ID_LENGTH


def frame_id(content) -> str | None:
    """
    The id to echo in the answer to `content`: its own when valid, "" when empty, else null.

    Without its id an action could not be answered, nor its resend recognised,
    so a frame without a valid one is refused (`invalid`) before anything else.
    """
    value = content.get("id") if isinstance(content, dict) else None
    if id_valid(value):
        return value
    return "" if value == "" else None


def parse(text_data: str | None, bytes_data: bytes | None) -> dict:
    """The frame as a JSON object; else a ProtocolError (answered with id null)."""
    if text_data is None:
        raise ProtocolError("bad_frame", _("Stuur tekst (JSON), geen binaire gegevens."))
    if len(text_data) > MAX_FRAME_BYTES or len(text_data.encode("utf-8", "surrogatepass")) > MAX_FRAME_BYTES:
        raise ProtocolError("too_large", _("Dit bericht is te groot."))
    try:
        content = json.loads(text_data)
    except (ValueError, RecursionError):
        raise ProtocolError("bad_json", _("Dit bericht is geen geldige JSON.")) from None
    if not isinstance(content, dict):
        raise ProtocolError("bad_frame", _("Een bericht moet een JSON-object zijn."))
    return content


def require_id(content: dict) -> str:
    """The frame's id, or ProtocolError `invalid`: an action without one changes nothing."""
    if not id_valid(content.get("id")):
        raise ProtocolError("invalid", _("Het veld id moet een korte tekst zijn."))
    return content["id"]


# --- the registry -------------------------------------------------------------------


@dataclass(frozen=True)
class Batch:
    """
    An action written together with everyone else's of the same kind (realtime/groupcommit.py).

    `parse(frame) -> request` checks the frame without the database; the group
    commit of `kind` records `(user, *request)`; `ack(request, outcome)` gives
    the ack's extra fields.
    """

    kind: str
    parse: Callable[[dict], tuple]
    ack: Callable[[tuple, object], dict]


@dataclass(frozen=True)
class RoomAction:
    """
    One action of the protocol.

    - `handler(user=, room=, data=)`: a sync function run in a database thread;
      returns the ack's extra fields. None for `batch` actions and for the
      socket's own (`ping`, `room.resync`), which the consumer answers.
    - `batch`: written in a group commit instead (votes).
    - `projector`: a projector screen may send it (only the socket's own; a
      screen only watches). Which people may take an action is the services' rule.
    - `shared_limit`: counts against the person's window across sockets and
      forms (`ratelimit.room_action_hit`) besides the socket's own bucket.
      Votes do not: one row per person and target makes them idempotent, and
      the shared window costs two round trips, the bottleneck at thousands a second.
    - `resync_bucket`: also takes a token of the (much smaller) snapshot bucket.
    """

    name: str
    handler: Callable | None = None
    batch: Batch | None = None
    projector: bool = False
    shared_limit: bool = True
    resync_bucket: bool = False


def registry(actions: list[RoomAction]) -> dict[str, RoomAction]:
    """The actions by name; a name declared twice is a mistake caught at import."""
    table = {action.name: action for action in actions}
    if len(table) != len(actions):
        raise ValueError("an action is declared twice")
    return table


def lookup(table: dict[str, RoomAction], content: dict, *, role: str | None) -> RoomAction:
    """The declared action this frame names, if this role may send it; else a ProtocolError."""
    name = content.get("action")
    action = table.get(name) if isinstance(name, str) else None
    if action is None:
        raise ProtocolError("unknown_action", _("Deze actie bestaat niet."))
    if role == "projector" and not action.projector:
        raise ProtocolError("forbidden", _("Het scherm in de zaal kan alleen kijken."))
    return action


# --- answers ----------------------------------------------------------------------


def encode(body: dict) -> str:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def ack_frame(action_id: str, name: str, fields: dict | None) -> dict:
    return {"type": "ack", "id": action_id, "action": name, **(fields or {})}


def error_frame(action_id: str | None, error: BaseException) -> dict:
    """
    The one mapping from what went wrong to the protocol's error frame.

    Anything not named here is a fault of the server: logged with its traceback
    and answered `unavailable`, like a database that is away, so that no input
    closes the connection and the client may resend with the same id.
    """
    if isinstance(error, ProtocolError):
        code, message, extra = error.code, error.message, error.extra
    elif isinstance(error, ValidationError):
        code, message, extra = error.code or "invalid", " ".join(error.messages), {}
    elif isinstance(error, PermissionDenied):
        code, message, extra = "forbidden", _("Dit mag u niet doen."), {}
    elif isinstance(error, ObjectDoesNotExist):
        code, message, extra = "not_found", _("Dat bestaat niet (meer) in deze zaal."), {}
    else:
        if isinstance(error, DatabaseError):
            logger.warning("database error in room action %s: %r", action_id, error)
        else:
            logger.error("room action %s failed", action_id, exc_info=error)
        code, message, extra = (
            "unavailable",
            _("Tijdelijke storing: dit is niet opgeslagen. Probeer het zo opnieuw."),
            {},
        )
    return {"type": "error", "id": action_id, "code": code, "message": message, **extra}
