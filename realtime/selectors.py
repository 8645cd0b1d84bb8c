"""
Reads for live rooms: rooms, questions, presence, polls and notes, and the counts of opinions.

Queries only. The wire shapes are built in realtime/payloads.py and put
together with these reads in realtime/snapshots.py; the counts become
published figures in realtime/tallies.py.
"""

from django.db.models import Count, IntegerField, Q, Value
from django.utils import timezone

from accounts.models import User
from events.models import Session, SessionSignup
from realtime.hashing import voter_hash
from realtime.models import (
    PRESENCE_TTL,
    LiveRoom,
    Note,
    NoteReaction,
    Poll,
    PollChoice,
    PollVote,
    Presence,
    Question,
    QuestionUpvote,
)
from realtime.payloads import PERSPECTIVES, PUBLIC_STATUSES, REACTION_KINDS, option_dicts, zeros
from realtime.tallies import PollTally


def session_ids_with_person(*, user: User) -> set[int]:
    """
    The sessions a person was part of: signed up (even if cancelled), moderated, reported on, or asked or noted in.

    Where an action owner typed by a moderator can be this person. Five
    queries, one per kind of link.
    """
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


def room_for_snapshot(*, room_id: int) -> LiveRoom:
    """The room with what every snapshot part reads along: its session, event and current phase."""
    return LiveRoom.objects.select_related("session__event", "current_phase").get(pk=room_id)


# --- questions -------------------------------------------------------------------


def upvote_counts(**filters) -> dict[int, dict[str, int]]:
    """
    Upvotes per perspective of the questions whose upvotes match `filters` (lookups on QuestionUpvote,
    e.g. `question_id__in=ids` or `question__room=room`), as `{question id: {perspective: n}}`.

    One query. Questions without upvotes are absent; every perspective of a present one is counted.
    """
    counts: dict[int, dict[str, int]] = {}
    rows = (
        QuestionUpvote.objects.filter(**filters)
        .values("question_id", "perspective")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        counts.setdefault(row["question_id"], zeros())[row["perspective"]] = row["n"]
    return counts


def upvotes_by_perspective(question_ids: list[int]) -> dict[int, dict[str, int]]:
    """`upvote_counts` of these questions, with zeros for those nobody upvoted (one query)."""
    counts = upvote_counts(question_id__in=question_ids)
    return {pk: counts.get(pk) or zeros() for pk in question_ids}


def question_totals(*, room_id: int, question_ids) -> dict[int, int]:
    """The upvote totals of those of these questions that are in this room (one query)."""
    return dict(
        Question.objects.filter(pk__in=list(question_ids), room_id=room_id).values_list("pk", "upvotes")
    )


def names_shown(*, room_id: int) -> bool:
    """False in a Chatham House session: its room and projector never show who asked."""
    return not LiveRoom.objects.filter(pk=room_id, session__chatham_house=True).exists()


def question_list(*, room: LiveRoom, statuses=PUBLIC_STATUSES, order: str = "top") -> list[Question]:
    """Questions of a room in the given statuses, by upvotes ('top') or newest first ('new')."""
    ordering = ["-upvotes", "-created_at"] if order == "top" else ["-created_at"]
    return list(
        Question.objects.filter(room=room, status__in=statuses).select_related("author").order_by(*ordering)
    )


def upvoted_among(question_ids) -> list[int]:
    """Those of these questions that anybody upvoted (one query)."""
    return list(Question.objects.filter(pk__in=question_ids, upvotes__gt=0).values_list("pk", flat=True))


def presence_counts(*, room_id: int) -> dict[str, int]:
    """People present per perspective: several sockets of one person count once (projectors not counted)."""
    counts = zeros()
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


# --- whose opinion is whose (through the keyed hashes) ------------------------------

HASH_CHUNK = 50_000


def hash_chunks(kind: str, users: list[User], target_ids: list[int], salt: str) -> list[dict[str, tuple]]:
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


def upvote_hashes_found(*, question_ids: list[int], hashes) -> list[str]:
    """Which of these upvote hashes are stored on these questions (one query)."""
    rows = QuestionUpvote.objects.filter(question_id__in=question_ids, voter_hash__any=hashes)
    return list(rows.values_list("voter_hash", flat=True))


def poll_choices_found(*, poll_ids: list[int], hashes) -> list[tuple[str, int]]:
    """(vote hash, option id) of the stored votes among these hashes on these polls, by option (one query)."""
    rows = PollChoice.objects.filter(vote__poll_id__in=poll_ids, vote__voter_hash__any=hashes)
    return list(rows.order_by("option_id").values_list("vote__voter_hash", "option_id"))


def reactions_found(*, note_ids: list[int], hashes) -> list[tuple[str, str]]:
    """(reaction hash, kind) of the stored reactions among these hashes on these notes (one query)."""
    rows = NoteReaction.objects.filter(note_id__in=note_ids, voter_hash__any=hashes)
    return list(rows.values_list("voter_hash", "kind"))


def own_question_ids(*, room: LiveRoom, author_ids, scope: list[int] | None = None) -> list[tuple[int, int]]:
    """(author id, question id) of these people's questions here that they did not withdraw, newest first."""
    mine = Question.objects.filter(room=room, author_id__in=author_ids).exclude(
        status=Question.Status.WITHDRAWN
    )
    if scope is not None:
        mine = mine.filter(pk__in=scope)
    return list(mine.order_by("-pk").values_list("author_id", "pk"))


# --- polls ---------------------------------------------------------------------


def poll_counts(**filters) -> dict[int, tuple[dict[str, int], dict[int, dict[str, int]]]]:
    """
    Voters per perspective and choices per option and perspective of the polls matching `filters`
    (lookups on PollVote, e.g. `poll=poll` or `poll__room=room`), as `{poll id: (voters, chosen)}`.

    One statement (a UNION ALL of the two aggregates), so the two always come
    from the same snapshot of the database: a vote committed in between
    cannot make the choices outnumber the voters.
    """
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
        voters, chosen = counts.setdefault(poll_id, (zeros(), {}))
        if option_id:
            chosen.setdefault(option_id, zeros())[perspective] = n
        else:
            voters[perspective] = n
    return counts


def poll_tally(*, poll) -> PollTally:
    """The counts of one poll, read in one statement (`poll_counts`), as a tally."""
    voters, chosen = poll_counts(poll=poll).get(poll.pk, ({}, {}))
    return PollTally(kind=poll.kind, options=option_dicts(poll), voters=voters, chosen=chosen)


def poll_live_totals(*, poll_id: int) -> dict | None:
    """The totals of an open poll as last published (services.polls.live_totals_advance), read now."""
    return Poll.objects.filter(pk=poll_id).values_list("live_totals", flat=True).first()


def poll_voter_count(*, poll) -> int:
    return PollVote.objects.filter(poll=poll).count()


def poll_list(*, room: LiveRoom, role: str) -> list[Poll]:
    """Polls of a room with their options: all for moderators; opened or closed ones for everyone else."""
    polls = Poll.objects.filter(room=room).prefetch_related("options")
    if role != "moderator":
        polls = polls.exclude(state=Poll.State.DRAFT)
    return list(polls)


def poll_my_choices(*, user: User, poll) -> list[int]:
    """
    The option ids this person chose, found through the same keyed hash ("je stem is opgeslagen").

    Empty once the purge has destroyed the event's salt.
    """
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


# --- notes ---------------------------------------------------------------------


def note_list(*, room: LiveRoom, statuses=("visible",)) -> list[Note]:
    """Notes of a room in these statuses, oldest first, with their phase."""
    return list(
        Note.objects.filter(room=room, status__in=statuses)
        .select_related("phase")
        .order_by("created_at", "id")
    )


def reaction_counts(**filters) -> dict[int, dict[str, dict[str, int]]]:
    """
    Reactions per kind and perspective of the notes whose reactions match `filters` (lookups on
    NoteReaction, e.g. `note_id__in=ids` or `note__room=room`), as `{note id: {kind: {perspective: n}}}`.

    One query. Notes without reactions are absent; every kind and perspective of a present one is counted.
    """
    counts: dict[int, dict[str, dict[str, int]]] = {}
    rows = (
        NoteReaction.objects.filter(**filters)
        .values("note_id", "kind", "perspective")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        per_kind = counts.setdefault(row["note_id"], {k: zeros() for k in REACTION_KINDS})
        per_kind[row["kind"]][row["perspective"]] = row["n"]
    return counts


def reactions_by_perspective(note_ids: list[int]) -> dict[int, dict[str, dict[str, int]]]:
    """`reaction_counts` of these notes, with zeros for those nobody reacted to (one query)."""
    counts = reaction_counts(note_id__in=note_ids)
    return {pk: counts.get(pk) or {k: zeros() for k in REACTION_KINDS} for pk in note_ids}
