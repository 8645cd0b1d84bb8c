"""
A live room as wire dicts, read now: the snapshot a client draws the room from, its further pages,
and the current shape of single questions, polls and notes for event frames.

Puts together the reads of realtime/selectors.py and realtime/paging.py, the
tallies of realtime/tallies.py and the shapes of realtime/payloads.py. Reads
only; the one state kept here is the cache of the snapshot's public part.
"""

import json
import threading

from accounts.models import User
from realtime import paging, payloads, selectors
from realtime.models import LiveRoom, Poll, Question
from realtime.payloads import LENS_PERSPECTIVES
from realtime.tallies import PollTally, note_tally, question_breakdown

# --- questions -------------------------------------------------------------------


def questions_payload(
    questions, present: dict[str, int] | None = None, *, names: bool | None = None
) -> list[dict]:
    """
    Payloads for many questions of one room in two queries (one more each without `present` or `names`).

    `present`: the people present per perspective, the groups the published
    upvotes per perspective are counted against (realtime.tallies).
    `names`: whether authors' names may show at all, false in a Chatham
    House session; read when not given.
    """
    questions = list(questions)
    if not questions:
        return []
    if present is None:
        present = selectors.presence_counts(room_id=questions[0].room_id)
    if names is None:
        names = selectors.names_shown(room_id=questions[0].room_id)
    counts = selectors.upvotes_by_perspective([q.pk for q in questions])
    return [
        payloads.question_payload(q, question_breakdown(counts[q.pk], present), names=names)
        for q in questions
    ]


def question_scores(*, room_id: int, question_ids) -> list[dict]:
    """Current upvote totals and published upvotes per perspective of these questions (three queries)."""
    totals = selectors.question_totals(room_id=room_id, question_ids=question_ids)
    counts = selectors.upvotes_by_perspective(list(totals))
    present = selectors.presence_counts(room_id=room_id)
    return [
        payloads.question_score_payload(pk, totals[pk], question_breakdown(counts[pk], present))
        for pk in sorted(totals)
    ]


# --- polls ---------------------------------------------------------------------


def poll_results(*, poll) -> dict:
    """
    The results of a poll as they may be published, from the database, every time.

    While the poll is open only totals over everyone are given, as last
    published in steps of at least LENS_MIN_GROUP vote changes
    (services.polls.live_totals_advance; withheld until then and while fewer
    than LENS_MIN_GROUP voted); once it is closed also the split
    per perspective and the lens, with every perspective below the minimum
    group (and any that would give it away) withheld. See realtime/tallies.py.
    """
    if poll.state != Poll.State.OPEN:
        return selectors.poll_tally(poll=poll).published(with_breakdown=True)
    # Read now, not from the instance: a caller may hold it from before the last votes.
    live_totals = selectors.poll_live_totals(poll_id=poll.pk)
    if live_totals is not None:
        return live_totals
    # Nothing published yet: no counts, only how many have voted (a number of people, not an opinion).
    empty = PollTally(kind=poll.kind, options=payloads.option_dicts(poll), voters={}, chosen={}).published(
        with_breakdown=False
    )
    return {
        **empty,
        "voters": selectors.poll_voter_count(poll=poll),
        "totals_withheld": True,
        "options": [{**o, "count": None} for o in empty["options"]],
    }


def poll_payload(*, poll, with_results: bool) -> dict:
    """The shape of a poll on the wire and in templates; results only when allowed."""
    return payloads.poll_payload(poll, poll_results(poll=poll) if with_results else None)


def poll_list(*, room: LiveRoom, role: str) -> list[dict]:
    """Polls of a room: all for moderators; opened or closed ones for everyone else."""
    return [
        poll_payload(poll=p, with_results=role == "moderator" or p.results_public)
        for p in selectors.poll_list(room=room, role=role)
    ]


# --- notes ---------------------------------------------------------------------


def notes_payload(notes) -> list[dict]:
    """Public shape of notes (never the author), with reactions per kind and perspective, and the lens."""
    notes = list(notes)
    counts = selectors.reactions_by_perspective([n.pk for n in notes])
    return [payloads.note_payload(n, note_tally(counts[n.pk])[0]) for n in notes]


def note_scores(*, note_ids) -> list[dict]:
    """Current reactions and lens of these notes (for the coalesced note.scored event)."""
    counts = selectors.reactions_by_perspective(sorted(note_ids))
    return [payloads.note_score_payload(pk, note_tally(c)[0]) for pk, c in counts.items()]


# --- the room snapshot -------------------------------------------------------------

_public_cache: dict[tuple, dict] = {}
_public_cache_lock = threading.Lock()
PUBLIC_CACHE_SIZE = 256


def _public_part(room: LiveRoom, role: str, limits: paging.Limits) -> dict:
    """
    The part of the snapshot that is the same for everyone who is not a moderator.

    Every public change bumps the room's `seq` and every counter frame its
    `counts_seq`, so a part computed at given ones can be reused by everyone
    who connects before the next public event:
    a connect storm computes it once instead of once per person.
    """
    if role == "moderator":
        return _public_part_build(room, role, limits)
    key = (room.pk, room.seq, room.counts_seq, limits)
    with _public_cache_lock:
        found = _public_cache.get(key)
    if found is not None:
        return found
    part = _public_part_build(room, role, limits)
    with _public_cache_lock:
        _public_cache[key] = part
        while len(_public_cache) > PUBLIC_CACHE_SIZE:
            del _public_cache[next(iter(_public_cache))]
    return part


def _public_part_build(room: LiveRoom, role: str, limits: paging.Limits) -> dict:
    questions, questions_after, questions_total = paging.questions_for_snapshot(
        room=room, pinned=room.pinned_question_id, limits=limits
    )
    notes, notes_after, notes_total = paging.notes_for_snapshot(room=room, limits=limits)
    return {
        "room": payloads.room_state(room),
        "questions": questions_payload(
            questions, selectors.presence_counts(room_id=room.pk), names=not room.session.chatham_house
        ),
        "perspectives": list(LENS_PERSPECTIVES),
        "polls": poll_list(room=room, role=role),
        "phases": [payloads.phase_payload(p) for p in room.phases.all()],
        "notes": notes_payload(notes),
        "actions": [payloads.action_payload(a) for a in room.actions.all()],
        "totals": {"questions": questions_total, "notes": notes_total},
        "more": {"questions": questions_after, "notes": notes_after},
    }


def room_snapshot(
    *, room: LiveRoom, user: User | None, role: str, limits: paging.Limits | None = None
) -> dict:
    """
    Everything a client needs to draw the room from scratch, within `limits` (default: the socket's).

    Moderators also get the pending queue and per-perspective statistics;
    participants get which questions they upvoted and which are theirs.
    Long lists are bounded (realtime/paging.py): `totals` and `more` say
    what else there is and where its pages start.
    """
    return room_snapshots(room=room, viewers=[(user, role)], limits=limits)[0]


def room_snapshots(
    *, room: LiveRoom, viewers: list[tuple[User | None, str]], limits: paging.Limits | None = None
) -> list[dict]:
    """
    `room_snapshot` for many viewers `(user, role)` of one room at once.

    The shared parts are read once and the personal parts (my upvotes, votes,
    reactions, questions) in one query each for everyone, so a crowd that
    reconnects together costs a handful of queries, not a handful per person.
    """
    snapshots = []
    for parts in _snapshot_parts(room, viewers, limits or paging.socket_limits()):
        snapshot = {}
        for part in parts:
            snapshot.update(part)
        snapshots.append(snapshot)
    return snapshots


def room_snapshot_texts(
    *, room: LiveRoom, viewers: list[tuple[User | None, str]], limits: paging.Limits | None = None
) -> list[str]:
    """The same snapshots as JSON frames; the parts everyone shares are serialized once, not per person."""
    texts: dict[int, str] = {}

    def text(part: dict) -> str:
        found = texts.get(id(part))
        if found is None:
            found = texts[id(part)] = json.dumps(part, ensure_ascii=False, separators=(",", ":"))[1:-1]
        return found

    return [
        "{" + ",".join(t for t in map(text, parts) if t) + "}"
        for parts in _snapshot_parts(room, viewers, limits or paging.socket_limits())
    ]


def _snapshot_parts(
    room: LiveRoom, viewers: list[tuple[User | None, str]], limits: paging.Limits
) -> list[list[dict]]:
    """Per viewer, the dicts that together make the snapshot; shared parts are the same objects."""
    room = selectors.room_for_snapshot(room_id=room.pk)
    presence = {"presence": selectors.presence_counts(room_id=room.pk)}
    roles = {role for _user, role in viewers}
    heads = {
        role: {"type": "room.snapshot", "seq": room.seq, "cseq": room.counts_seq, "role": role}
        for role in roles
    }
    public = {role: _public_part(room, role, limits) for role in roles}
    people = {user.pk: user for user, _role in viewers if user is not None and user.is_authenticated}
    shared = public.get("participant") or next(iter(public.values()))
    personal = _personal_parts(
        room=room,
        users=list(people.values()),
        question_ids=[q["id"] for q in shared["questions"]],
        poll_ids=[p["id"] for p in shared["polls"]],
        note_ids=[n["id"] for n in shared["notes"]],
        own_limit=limits.top + limits.newest,
    )
    moderator_part = _moderator_part(room, presence["presence"], limits) if "moderator" in roles else None
    out = []
    for user, role in viewers:
        parts = [heads[role], public[role], presence]
        if user is not None and user.is_authenticated:
            parts.append(personal[user.pk])
        if role == "moderator":
            parts.append(moderator_part)
        out.append(parts)
    return out


def _moderator_part(room: LiveRoom, present: dict[str, int], limits: paging.Limits) -> dict:
    """The moderators' queues, each bounded to `limits.queue` rows, with their totals and cursors."""
    lists, more, totals = {}, {}, {}
    for name in ("pending", "hidden", "pending_notes", "hidden_notes"):
        rows, more[name] = paging.list_slice(room=room, name=name, after=None, limit=limits.queue)
        totals[name] = len(rows) if more[name] is None else paging.list_total(room=room, name=name)
        lists[name] = rows
    names = not room.session.chatham_house
    # The shapes stay as they were: questions newest first, notes oldest first.
    return {
        "mod_seq": room.mod_seq,
        "mod_cseq": room.mod_counts_seq,
        "pending": questions_payload(sorted(lists["pending"], key=_newest_first), present, names=names),
        "hidden": questions_payload(sorted(lists["hidden"], key=_newest_first), present, names=names),
        "stats": selectors.perspective_stats(room=room),
        "pending_notes": notes_payload(sorted(lists["pending_notes"], key=_oldest_first)),
        "hidden_notes": notes_payload(sorted(lists["hidden_notes"], key=_oldest_first)),
        "queue_totals": totals,
        "queue_more": more,
    }


def _newest_first(row) -> tuple:
    return (-row.created_at.timestamp(), -row.pk)


def _oldest_first(row) -> tuple:
    return (row.created_at, row.pk)


def room_list_page(*, room: LiveRoom, user: User, role: str, name: str, after: int | None) -> dict | None:
    """
    One page of a room list for `GET /zaal/<code>/meer/`, or None when this role may not read it.

    The items have the snapshot's shapes; the person's own upvotes, questions
    and reactions among them come along, as in the snapshot.
    """
    spec = paging.ROOM_LISTS.get(name)
    if spec is None or (spec.moderators_only and role != "moderator"):
        return None
    rows, following = paging.list_slice(room=room, name=name, after=after, limit=paging.page_size())
    questions = rows if spec.model is Question else []
    notes = [] if spec.model is Question else rows
    mine = _personal_parts(
        room=room,
        users=[user],
        question_ids=[q.pk for q in questions],
        poll_ids=[],
        note_ids=[n.pk for n in notes],
        question_scope=[q.pk for q in questions],
    )[user.pk]
    return {
        "list": name,
        "items": questions_payload(questions) if questions else notes_payload(notes),
        "next": following,
        "my_upvotes": mine["my_upvotes"],
        "my_questions": mine["my_questions"],
        "my_reactions": mine["my_reactions"],
    }


def _personal_parts(
    *, room, users, question_ids, poll_ids, note_ids, question_scope=None, own_limit: int = 0
) -> dict[int, dict]:
    """
    Per person: which questions they upvoted and asked, what they voted and how they reacted.

    Own questions are those among `question_scope` when given, else each
    person's newest `own_limit` (pending ones too). Found through the keyed
    hashes (realtime/hashing.py): one query per chunk of hashes and kind.
    """
    parts = {u.pk: {"my_upvotes": [], "my_votes": {}, "my_reactions": {}, "my_questions": []} for u in users}
    if not users:
        return parts
    # Only questions that have upvotes at all can be among mine: in a long session most have none.
    upvoted = selectors.upvoted_among(question_ids)
    salt = room.session.event.vote_salt
    for chunk in selectors.hash_chunks("question", users, upvoted, salt):
        for key in selectors.upvote_hashes_found(question_ids=upvoted, hashes=chunk):
            person, question = chunk[key]
            parts[person]["my_upvotes"].append(question)
    for chunk in selectors.hash_chunks("poll", users, poll_ids, salt):
        for key, option in selectors.poll_choices_found(poll_ids=poll_ids, hashes=chunk):
            person, poll = chunk[key]
            parts[person]["my_votes"].setdefault(str(poll), []).append(option)
    for chunk in selectors.hash_chunks("note", users, note_ids, salt):
        for key, kind in selectors.reactions_found(note_ids=note_ids, hashes=chunk):
            person, note = chunk[key]
            parts[person]["my_reactions"][str(note)] = kind
    for author, question in selectors.own_question_ids(room=room, author_ids=parts, scope=question_scope):
        if question_scope is not None or len(parts[author]["my_questions"]) < own_limit:
            parts[author]["my_questions"].append(question)
    for part in parts.values():
        part["my_upvotes"].sort()
        part["my_questions"].sort()
    return parts
