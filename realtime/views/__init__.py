"""
Live room pages: join by code, the room itself, the moderator console and the projector.

Every page is drawn from `room_snapshot`, the same dict the WebSocket sends,
and embeds it as JSON so the live client (static/js/room/) can take over without a second request.
Every POST parses one form, calls one service, adds a message and redirects,
so the room works without JavaScript too.
"""

from realtime.views.pages import (
    console,
    join,
    projector,
    projector_token,
    room,
    room_more,
)
from realtime.views.questions import (
    ask,
    edit,
    moderate,
    pin,
    projector_reset,
    set_open,
    set_premoderation,
    vote,
    withdraw,
)
from realtime.views.substance import (
    action_save,
    note_add,
    note_curate,
    note_edit,
    note_merge,
    note_react,
    phase_next,
    phase_save,
    phase_set,
    poll_create,
    poll_step,
    poll_vote,
    projector_mode,
)

__all__ = [
    "join",
    "room",
    "room_more",
    "console",
    "projector",
    "projector_token",
    "ask",
    "vote",
    "withdraw",
    "moderate",
    "edit",
    "pin",
    "set_open",
    "set_premoderation",
    "projector_reset",
    "poll_vote",
    "poll_create",
    "poll_step",
    "note_add",
    "note_react",
    "note_curate",
    "note_edit",
    "note_merge",
    "action_save",
    "phase_next",
    "phase_set",
    "phase_save",
    "projector_mode",
]
