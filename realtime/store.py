"""
A room's state as a client keeps it, and how each server frame changes it: pure dicts, no I/O.

The server's own counterpart of the live client's store (static/js/room/store.js).
The state is a `room.snapshot` with every list keyed by id; `apply_event` files
each question and note in the list its status belongs to. The protocol holds
when, for every action, the snapshot from before it with the frames it produced
applied equals a fresh snapshot taken after it (Zulip's "verify_action"):
tests/realtime/test_verify_action.py checks this against the real consumer, for
this module and for the client's store, on the same recordings.

Presence (`presence.changed`) is a gauge, not history, and a question's
`by_perspective` is computed for the people present when it is sent; the state
stays exact only while presence does not change.
"""

import copy

from realtime.models import Note, Question
from realtime.payloads import PUBLIC_STATUSES

# Each bounded list of the snapshot: the statuses it holds.
QUESTION_LISTS = {
    "questions": tuple(PUBLIC_STATUSES),
    "pending": (Question.Status.PENDING,),
    "hidden": (Question.Status.HIDDEN, Question.Status.REJECTED),
}
NOTE_LISTS = {
    "notes": (Note.Status.VISIBLE,),
    "pending_notes": (Note.Status.PENDING,),
    "hidden_notes": (Note.Status.HIDDEN,),
}
_KEYED = (*QUESTION_LISTS, *NOTE_LISTS, "polls", "actions")
# Every event type of the room's stream and of the moderators' (docs/realtime-protocol.md, "Events").
PUBLIC_EVENTS = frozenset(
    {
        "presence.changed",
        "question.asked",
        "question.updated",
        "question.removed",
        "question.scored",
        "question.pinned",
        "room.updated",
        "poll.changed",
        "poll.results",
        "note.added",
        "note.updated",
        "note.removed",
        "note.scored",
        "action.saved",
        "phases.updated",
    }
)
MODERATOR_EVENTS = frozenset({"question.changed", "note.changed", "poll.changed", "poll.results"})
EVENT_TYPES = PUBLIC_EVENTS | MODERATOR_EVENTS
# Where each list's count and next-page cursor live: the room's lists, or the moderators' queues.
_COUNTS = {"questions": "totals", "notes": "totals"}


def apply_snapshot(snapshot: dict) -> dict:
    """The state a `room.snapshot` describes: a copy with its lists keyed by id."""
    state = copy.deepcopy(snapshot)
    for name in _KEYED:
        if name in state:
            state[name] = {item["id"]: item for item in state[name]}
    return state


def apply_event(state: dict, event: dict) -> dict:
    """The state after one event of the room's or the moderators' stream (a new dict); ValueError for another type."""
    kind = event["type"]
    moderators = "mod_seq" in event or "mod_cseq" in event
    if kind not in (MODERATOR_EVENTS if moderators else PUBLIC_EVENTS):
        raise ValueError(f"not an event of its stream: {kind}")
    state = copy.deepcopy(state)
    if "mod_cseq" in event:
        if event["mod_cseq"] <= state.get("mod_cseq", 0):
            return state  # an older counter frame than the totals held: they stay
        state["mod_cseq"] = event["mod_cseq"]
        _moderator_event(state, kind, event)
    elif "mod_seq" in event:
        state["mod_seq"] = event["mod_seq"]
        _moderator_event(state, kind, event)
    else:
        if "seq" in event:
            state["seq"] = event["seq"]
        if "cseq" in event:
            if event["cseq"] <= state.get("cseq", 0):
                return state  # an older counter frame than the totals held: they stay
            state["cseq"] = event["cseq"]
        _public_event(state, kind, event)
    _recount(state)
    return state


def apply_ack(state: dict, ack: dict) -> dict:
    """The state after an `ack` to this person's own action: their questions, upvotes, votes and reactions."""
    state = copy.deepcopy(state)
    action = ack.get("action")
    if action == "question.ask":
        state["my_questions"] = sorted({*state["my_questions"], ack["question"]})
    elif action == "question.withdraw":
        state["my_questions"] = [pk for pk in state["my_questions"] if pk != ack["question"]]
    elif action == "question.upvote":
        state["my_upvotes"] = sorted({*state["my_upvotes"], ack["question"]})
    elif action == "question.unvote":
        state["my_upvotes"] = [pk for pk in state["my_upvotes"] if pk != ack["question"]]
    elif action == "poll.vote":
        state["my_votes"][str(ack["poll"])] = ack["choices"]
    elif action == "note.react":
        if ack["reaction"]:
            state["my_reactions"][str(ack["note"])] = ack["reaction"]
        else:
            state["my_reactions"].pop(str(ack["note"]), None)
    return state


def _public_event(state: dict, kind: str, event: dict) -> None:
    if kind == "presence.changed":
        state["presence"] = event["presence"]
    elif kind == "question.asked":
        if not _holds(state, QUESTION_LISTS, event["question"]["id"]) and not _complete(state, "questions"):
            state["totals"]["questions"] += 1
        _file(state, QUESTION_LISTS, event["question"])
    elif kind == "question.updated":
        _file(state, QUESTION_LISTS, event["question"])
    elif kind == "question.removed":
        state["questions"].pop(event["question"], None)
    elif kind == "question.scored":
        for score in event["scores"]:
            _update(
                state,
                QUESTION_LISTS,
                score["question"],
                upvotes=score["upvotes"],
                by_perspective=score["by_perspective"],
            )
    elif kind == "question.pinned":
        state["room"]["pinned"] = event["question"]
    elif kind == "room.updated":
        state["room"] = event["room"]
    elif kind == "poll.changed":
        # Moderators hold every poll with its results, from their own stream.
        if state["role"] != "moderator":
            state["polls"][event["poll"]["id"]] = event["poll"]
    elif kind == "poll.results":
        if event["poll"] in state["polls"]:
            state["polls"][event["poll"]]["results"] = event["results"]
    elif kind in ("note.added", "note.updated"):
        _file(state, NOTE_LISTS, event["note"])
    elif kind == "note.removed":
        state["notes"].pop(event["note"], None)
    elif kind == "note.scored":
        for score in event["scores"]:
            fields = {key: score[key] for key in ("reactions", "reactions_by_perspective", "lens")}
            _update(state, NOTE_LISTS, score["note"], **fields)
    elif kind == "action.saved":
        state["actions"][event["action"]["id"]] = event["action"]
    elif kind == "phases.updated":
        state["phases"] = event["phases"]


def _moderator_event(state: dict, kind: str, event: dict) -> None:
    if kind == "question.changed":
        _file(state, QUESTION_LISTS, event["question"])
        state["stats"] = event["stats"]
    elif kind == "note.changed":
        _file(state, NOTE_LISTS, event["note"])
    elif kind == "poll.changed":
        state["polls"][event["poll"]["id"]] = event["poll"]
    elif kind == "poll.results":
        if event["poll"] in state["polls"]:
            state["polls"][event["poll"]]["results"] = event["results"]


def _file(state: dict, lists: dict, item: dict) -> None:
    """Put `item` in the list of this state that its status belongs to, and out of the others."""
    for name, statuses in lists.items():
        if name not in state:
            continue
        state[name].pop(item["id"], None)
        if item["status"] in statuses:
            state[name][item["id"]] = item


def _holds(state: dict, lists: dict, pk: int) -> bool:
    return any(pk in state[name] for name in lists if name in state)


def _update(state: dict, lists: dict, pk: int, **fields) -> None:
    for name in lists:
        if pk in state.get(name, {}):
            state[name][pk] = {**state[name][pk], **fields}


def _counts(name: str) -> tuple[str, str]:
    group = _COUNTS.get(name, "queue_totals")
    return group, "more" if group == "totals" else "queue_more"


def _complete(state: dict, name: str) -> bool:
    """Whether the state holds the whole list (the snapshot said it has no next page)."""
    _totals, more = _counts(name)
    return name in state.get(more, {}) and state[more][name] is None


def _recount(state: dict) -> None:
    # A list held whole is counted from what is held; of the others only new questions are counted.
    for name in (*QUESTION_LISTS, *NOTE_LISTS):
        if name in state and _complete(state, name):
            totals, _more = _counts(name)
            state[totals][name] = len(state[name])
