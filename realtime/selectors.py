"""Reads for live rooms: question payloads, snapshots and per-perspective statistics."""

import json
import threading

from django.db.models import Count, IntegerField, Q, Value
from django.utils import timezone

from accounts.models import TRIALOOG_PERSPECTIVES, Perspective, User
from realtime import paging
from realtime.hashing import voter_hash
from realtime.models import LiveRoom, Presence, Question, QuestionUpvote
from realtime.tallies import PollTally, note_tally, question_breakdown

PUBLIC_STATUSES = (Question.Status.VISIBLE, Question.Status.ANSWERED)
PERSPECTIVES = [p.value for p in Perspective]


def session_ids_with_person(*, user: User) -> set[int]:
    """
    The sessions a person was part of: signed up (even if cancelled), moderated, reported on, or asked or noted in.

    Where an action owner typed by a moderator can be this person. Five
    queries, one per kind of link.
    """
    from events.models import Session, SessionSignup
    from realtime.models import Note

    ids = set(SessionSignup.objects.filter(user=user).values_list("session_id", flat=True))
    ids |= set(Session.objects.filter(moderators=user).values_list("pk", flat=True))
    ids |= set(Session.objects.filter(rapporteurs=user).values_list("pk", flat=True))
    ids |= set(Question.objects.filter(author=user).values_list("room__session_id", flat=True))
    ids |= set(Note.objects.filter(author=user).values_list("room__session_id", flat=True))
    return ids


def room_get_by_code(*, code: str) -> LiveRoom | None:
    """The live room for a join code (case-insensitive), or None. Creates no rows."""
    code = (code or "").strip().upper()
    if not code or len(code) > 12:
        return None
    return (
        LiveRoom.objects.select_related("session__event", "session__room").filter(session__code=code).first()
    )


def room_get_by_projector_token(*, token: str) -> LiveRoom | None:
    if not token or len(token) > 100:
        return None
    return (
        LiveRoom.objects.select_related("session__event", "session__room")
        .filter(projector_token=token)
        .first()
    )


def _upvotes_by_perspective(question_ids: list[int]) -> dict[int, dict[str, int]]:
    counts = {pk: dict.fromkeys(PERSPECTIVES, 0) for pk in question_ids}
    rows = (
        QuestionUpvote.objects.filter(question_id__in=question_ids)
        .values("question_id", "perspective")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        counts[row["question_id"]][row["perspective"]] = row["n"]
    return counts


def question_payload(
    question: Question, upvotes: dict[str, int], present: dict[str, int], *, names: bool = True
) -> dict:
    """
    The public shape of a question. Names appear only when the author chose so and still exists.

    With `names` false (a Chatham House session) no name or organisation appears, whatever the author chose.

    `upvotes` per perspective are published as realtime.tallies.question_breakdown
    gives them for the people `present`: withheld perspectives are None. The
    question's lens is left to the report: sent with every question and score
    frame it tripled their size (measured in bench/live_room.py), and no live
    screen shows it.
    """
    author = question.author if names and question.show_name and question.author_id else None
    return {
        "id": question.pk,
        "text": question.text,
        "perspective": question.perspective,
        "kamerlid": question.is_kamerlid,
        "author": (author.display_name if author else None),
        "organisation": (author.organisation if author else None),
        "status": question.status,
        "upvotes": question.upvotes,
        "by_perspective": question_breakdown(upvotes, present),
        "created_at": question.created_at.isoformat(),
    }


def questions_payload(
    questions, present: dict[str, int] | None = None, *, names: bool | None = None
) -> list[dict]:
    """
    Payloads for many questions of one room in two queries (one more each without `present` or `names`).

    `names`: whether authors' names may show at all, false in a Chatham House session; read when not given.
    """
    questions = list(questions)
    if not questions:
        return []
    if present is None:
        present = presence_counts(room_id=questions[0].room_id)
    if names is None:
        names = names_shown(room_id=questions[0].room_id)
    counts = _upvotes_by_perspective([q.pk for q in questions])
    return [question_payload(q, counts[q.pk], present, names=names) for q in questions]


def names_shown(*, room_id: int) -> bool:
    """False in a Chatham House session: its room and projector never show who asked."""
    return not LiveRoom.objects.filter(pk=room_id, session__chatham_house=True).exists()


def question_list(*, room: LiveRoom, statuses=PUBLIC_STATUSES, order: str = "top") -> list[Question]:
    """Questions of a room in the given statuses, by upvotes ('top') or newest first ('new')."""
    ordering = ["-upvotes", "-created_at"] if order == "top" else ["-created_at"]
    return list(
        Question.objects.filter(room=room, status__in=statuses).select_related("author").order_by(*ordering)
    )


def question_scores(*, room_id: int, question_ids) -> list[dict]:
    """Current upvote totals and published upvotes per perspective of these questions (three queries)."""
    ids = list(question_ids)
    totals = dict(Question.objects.filter(pk__in=ids, room_id=room_id).values_list("pk", "upvotes"))
    counts = _upvotes_by_perspective(list(totals))
    present = presence_counts(room_id=room_id)
    return [
        {"question": pk, "upvotes": totals[pk], "by_perspective": question_breakdown(counts[pk], present)}
        for pk in sorted(totals)
    ]


def presence_counts(*, room_id: int) -> dict[str, int]:
    """People present per perspective: several sockets of one person count once (projectors not counted)."""
    from realtime.services.rooms import PRESENCE_TTL

    counts = dict.fromkeys(PERSPECTIVES, 0)
    rows = (
        Presence.objects.filter(room_id=room_id, last_seen__gte=timezone.now() - PRESENCE_TTL)
        .exclude(perspective="")
        .values("perspective")
        .annotate(n=Count("holder", distinct=True))
    )
    for row in rows:
        counts[row["perspective"]] = row["n"]
    return counts


def perspective_stats(*, room: LiveRoom) -> dict[str, dict[str, int]]:
    """Questions asked and answered per perspective, so a moderator can keep the conversation balanced."""
    rows = (
        Question.objects.filter(room=room)
        .exclude(status__in=[Question.Status.WITHDRAWN, Question.Status.REJECTED])
        .values("perspective")
        .annotate(asked=Count("id"), answered=Count("id", filter=Q(status=Question.Status.ANSWERED)))
    )
    stats = {p: {"asked": 0, "answered": 0} for p in PERSPECTIVES}
    for row in rows:
        stats[row["perspective"]] = {"asked": row["asked"], "answered": row["answered"]}
    return stats


def room_state(room: LiveRoom) -> dict:
    phase = room.current_phase if room.current_phase_id else None
    return {
        "code": room.session.code,
        "title": room.session.title,
        "open": room.is_open,
        "premoderation": room.premoderation,
        "pinned": room.pinned_question_id,
        "projector_mode": room.projector_mode,
        "phase": phase_payload(phase) if phase else None,
    }


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
        "room": room_state(room),
        "questions": questions_payload(
            questions, presence_counts(room_id=room.pk), names=not room.session.chatham_house
        ),
        "perspectives": list(TRIALOOG_PERSPECTIVES),
        "polls": poll_list(room=room, role=role),
        "phases": [phase_payload(p) for p in room.phases.all()],
        "notes": notes_payload(notes),
        "actions": [action_payload(a) for a in room.actions.all()],
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
    room = LiveRoom.objects.select_related("session__event", "current_phase").get(pk=room.pk)
    presence = {"presence": presence_counts(room_id=room.pk)}
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
        "pending": questions_payload(sorted(lists["pending"], key=_newest_first), present, names=names),
        "hidden": questions_payload(sorted(lists["hidden"], key=_newest_first), present, names=names),
        "stats": perspective_stats(room=room),
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


HASH_CHUNK = 50_000


def _mine(kind: str, users: list[User], target_ids: list[int], salt: str) -> list[dict[str, tuple[int, int]]]:
    """
    The keyed hashes of every (person, target) pair, as {hash: (person id, target id)} in chunks.

    Empty once the purge has destroyed the event's salt: then nothing is anyone's any more.
    """
    if not salt:
        return []
    pairs = {
        voter_hash(kind, user.pk, target, salt=salt): (user.pk, target)
        for user in users
        for target in target_ids
    }
    keys = list(pairs)
    return [{key: pairs[key] for key in keys[i : i + HASH_CHUNK]} for i in range(0, len(keys), HASH_CHUNK)]


def _personal_parts(
    *, room, users, question_ids, poll_ids, note_ids, question_scope=None, own_limit: int = 0
) -> dict[int, dict]:
    """
    Per person: which questions they upvoted and asked, what they voted and how they reacted.

    Own questions are those among `question_scope` when given, else each
    person's newest `own_limit` (pending ones too).
    """
    from realtime.models import NoteReaction, PollChoice

    parts = {u.pk: {"my_upvotes": [], "my_votes": {}, "my_reactions": {}, "my_questions": []} for u in users}
    if not users:
        return parts
    # Only questions that have upvotes at all can be among mine: in a long session most have none.
    upvoted = list(Question.objects.filter(pk__in=question_ids, upvotes__gt=0).values_list("pk", flat=True))
    salt = room.session.event.vote_salt
    for chunk in _mine("question", users, upvoted, salt):
        rows = QuestionUpvote.objects.filter(question_id__in=upvoted, voter_hash__any=chunk)
        for key in rows.values_list("voter_hash", flat=True):
            person, question = chunk[key]
            parts[person]["my_upvotes"].append(question)
    for chunk in _mine("poll", users, poll_ids, salt):
        rows = PollChoice.objects.filter(vote__poll_id__in=poll_ids, vote__voter_hash__any=chunk).order_by(
            "option_id"
        )
        for key, option in rows.values_list("vote__voter_hash", "option_id"):
            person, poll = chunk[key]
            parts[person]["my_votes"].setdefault(str(poll), []).append(option)
    for chunk in _mine("note", users, note_ids, salt):
        rows = NoteReaction.objects.filter(note_id__in=note_ids, voter_hash__any=chunk)
        for key, kind in rows.values_list("voter_hash", "kind"):
            person, note = chunk[key]
            parts[person]["my_reactions"][str(note)] = kind
    mine = Question.objects.filter(room=room, author_id__in=parts).exclude(status=Question.Status.WITHDRAWN)
    if question_scope is not None:
        mine = mine.filter(pk__in=question_scope)
    for author, question in mine.order_by("-pk").values_list("author_id", "pk"):
        if question_scope is not None or len(parts[author]["my_questions"]) < own_limit:
            parts[author]["my_questions"].append(question)
    for part in parts.values():
        part["my_upvotes"].sort()
        part["my_questions"].sort()
    return parts


# --- polls ---------------------------------------------------------------------


def poll_counts(**filters) -> dict[int, tuple[dict[str, int], dict[int, dict[str, int]]]]:
    """
    Voters per perspective and choices per option and perspective of the polls matching `filters`
    (lookups on PollVote, e.g. `poll=poll` or `poll__room=room`), as `{poll id: (voters, chosen)}`.

    One statement (a UNION ALL of the two aggregates), so the two always come
    from the same snapshot of the database: a vote committed in between
    cannot make the choices outnumber the voters.
    """
    from realtime.models import PollChoice, PollVote

    choice_filters = {f"vote__{key}": value for key, value in filters.items()}
    votes = (
        PollVote.objects.filter(**filters)
        .values("poll_id", "perspective")
        .annotate(option=Value(0, output_field=IntegerField()), n=Count("id"))
        .values_list("poll_id", "perspective", "option", "n")
        .order_by()
    )
    choices = (
        PollChoice.objects.filter(**choice_filters)
        .values("vote__poll_id", "vote__perspective", "option_id")
        .annotate(n=Count("id"))
        .values_list("vote__poll_id", "vote__perspective", "option_id", "n")
        .order_by()
    )
    counts: dict[int, tuple[dict[str, int], dict[int, dict[str, int]]]] = {}
    for poll_id, perspective, option_id, n in votes.union(choices, all=True):
        voters, chosen = counts.setdefault(poll_id, (dict.fromkeys(PERSPECTIVES, 0), {}))
        if option_id:
            chosen.setdefault(option_id, dict.fromkeys(PERSPECTIVES, 0))[perspective] = n
        else:
            voters[perspective] = n
    return counts


def poll_tally(*, poll) -> PollTally:
    """The counts of one poll, read in one statement (`poll_counts`)."""
    voters, chosen = poll_counts(poll=poll).get(poll.pk, ({}, {}))
    return PollTally(kind=poll.kind, options=_option_dicts(poll), voters=voters, chosen=chosen)


def _option_dicts(poll) -> list[dict]:
    return [{"id": o.pk, "label": o.label, "value": o.value} for o in poll.options.all()]


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
    from realtime.models import Poll, PollVote

    if poll.state != Poll.State.OPEN:
        return poll_tally(poll=poll).published(with_breakdown=True)
    # Read now, not from the instance: a caller may hold it from before the last votes.
    live_totals = Poll.objects.filter(pk=poll.pk).values_list("live_totals", flat=True).first()
    if live_totals is not None:
        return live_totals
    # Nothing published yet: no counts, only how many have voted (a number of people, not an opinion).
    empty = PollTally(kind=poll.kind, options=_option_dicts(poll), voters={}, chosen={}).published(
        with_breakdown=False
    )
    return {
        **empty,
        "voters": PollVote.objects.filter(poll=poll).count(),
        "totals_withheld": True,
        "options": [{**o, "count": None} for o in empty["options"]],
    }


def poll_payload(*, poll, with_results: bool) -> dict:
    """The shape of a poll on the wire and in templates; results only when allowed."""
    return {
        "id": poll.pk,
        "text": poll.text,
        "kind": poll.kind,
        "state": poll.state,
        "show_live": poll.show_live,
        "revealed": poll.revealed,
        "options": [{"id": o.pk, "label": o.label, "value": o.value} for o in poll.options.all()],
        "results": poll_results(poll=poll) if with_results else None,
    }


def poll_list(*, room: LiveRoom, role: str) -> list[dict]:
    """Polls of a room: all for moderators; opened or closed ones for everyone else."""
    from realtime.models import Poll

    polls = Poll.objects.filter(room=room).prefetch_related("options")
    if role != "moderator":
        polls = polls.exclude(state=Poll.State.DRAFT)
    return [poll_payload(poll=p, with_results=role == "moderator" or p.results_public) for p in polls]


def poll_my_choices(*, user: User, poll) -> list[int]:
    """
    The option ids this person chose, found through the same keyed hash ("je stem is opgeslagen").

    Empty once the purge has destroyed the event's salt.
    """
    from realtime.models import PollChoice

    salt = poll.room.session.event.vote_salt
    if not salt:
        return []
    return list(
        PollChoice.objects.filter(
            vote__poll=poll, vote__voter_hash=voter_hash("poll", user.pk, poll.pk, salt=salt)
        )
        .order_by("option_id")
        .values_list("option_id", flat=True)
    )


# --- phases, notes and actions ---------------------------------------------------


def phase_payload(phase) -> dict:
    return {"id": phase.pk, "position": phase.position, "title": phase.title, "prompt": phase.prompt}


def note_list(*, room: LiveRoom, statuses=("visible",)) -> list:
    """Notes of a room in these statuses, oldest first, with their phase."""
    from realtime.models import Note

    return list(
        Note.objects.filter(room=room, status__in=statuses)
        .select_related("phase")
        .order_by("created_at", "id")
    )


def _reactions_by_perspective(note_ids: list[int]) -> dict[int, dict[str, dict[str, int]]]:
    from realtime.models import NoteReaction

    kinds = NoteReaction.Kind.values
    counts = {pk: {k: dict.fromkeys(PERSPECTIVES, 0) for k in kinds} for pk in note_ids}
    rows = (
        NoteReaction.objects.filter(note_id__in=note_ids)
        .values("note_id", "kind", "perspective")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        counts[row["note_id"]][row["kind"]][row["perspective"]] = row["n"]
    return counts


def notes_payload(notes) -> list[dict]:
    """Public shape of notes (never the author), with reactions per kind and perspective, and the lens."""
    notes = list(notes)
    counts = _reactions_by_perspective([n.pk for n in notes])
    tallies = {n.pk: note_tally(counts[n.pk])[0] for n in notes}
    return [
        {
            "id": n.pk,
            "kind": n.kind,
            "perspective": n.perspective,
            "phase": n.phase_id,
            "phase_title": n.phase.title if n.phase_id else None,
            "text": n.text,
            "status": n.status,
            "mark": n.mark,
            "merged_into": n.merged_into_id,
            "reactions": tallies[n.pk]["reactions"],
            "reactions_by_perspective": tallies[n.pk]["reactions_by_perspective"],
            "lens": tallies[n.pk]["lens"],
            "created_at": n.created_at.isoformat(),
        }
        for n in notes
    ]


def note_scores(*, note_ids) -> list[dict]:
    """Current reactions and lens of these notes (for the coalesced note.scored event)."""
    counts = _reactions_by_perspective(sorted(note_ids))
    return [{"note": pk, **note_tally(c)[0]} for pk, c in counts.items()]


def action_payload(action) -> dict:
    return {
        "id": action.pk,
        "what": action.what,
        "owner_name": action.owner_name,
        "owner_organisation": action.owner_organisation,
        "perspective": action.perspective,
        "due_date": action.due_date.isoformat() if action.due_date else None,
        "status": action.status,
    }
