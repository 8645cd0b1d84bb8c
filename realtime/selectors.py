"""Reads for live rooms: question payloads, snapshots and per-perspective statistics."""

from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import TRIALOOG_PERSPECTIVES, Perspective, User
from realtime.hashing import voter_hash
from realtime.models import LiveRoom, Presence, Question, QuestionUpvote

PUBLIC_STATUSES = (Question.Status.VISIBLE, Question.Status.ANSWERED)
PERSPECTIVES = [p.value for p in Perspective]


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
    )
    for row in rows:
        counts[row["question_id"]][row["perspective"]] = row["n"]
    return counts


def question_payload(question: Question, by_perspective: dict[str, int]) -> dict:
    """The public shape of a question. Names appear only when the author chose so and still exists."""
    author = question.author if question.show_name and question.author_id else None
    return {
        "id": question.pk,
        "text": question.text,
        "perspective": question.perspective,
        "kamerlid": question.is_kamerlid,
        "author": (author.display_name if author else None),
        "organisation": (author.organisation if author else None),
        "status": question.status,
        "upvotes": question.upvotes,
        "by_perspective": by_perspective,
        "created_at": question.created_at.isoformat(),
    }


def questions_payload(questions) -> list[dict]:
    questions = list(questions)
    counts = _upvotes_by_perspective([q.pk for q in questions])
    return [question_payload(q, counts[q.pk]) for q in questions]


def question_list(*, room: LiveRoom, statuses=PUBLIC_STATUSES, order: str = "top") -> list[Question]:
    """Questions of a room in the given statuses, by upvotes ('top') or newest first ('new')."""
    ordering = ["-upvotes", "-created_at"] if order == "top" else ["-created_at"]
    return list(
        Question.objects.filter(room=room, status__in=statuses).select_related("author").order_by(*ordering)
    )


def question_scores(*, question_ids) -> list[dict]:
    """Current upvote totals and per-perspective counts for these questions."""
    ids = list(question_ids)
    totals = dict(Question.objects.filter(pk__in=ids).values_list("pk", "upvotes"))
    counts = _upvotes_by_perspective(list(totals))
    return [{"question": pk, "upvotes": totals[pk], "by_perspective": counts[pk]} for pk in sorted(totals)]


def presence_counts(*, room_id: int) -> dict[str, int]:
    """Connections present per perspective (projectors not counted)."""
    from realtime.services.rooms import PRESENCE_TTL

    counts = dict.fromkeys(PERSPECTIVES, 0)
    rows = (
        Presence.objects.filter(room_id=room_id, last_seen__gte=timezone.now() - PRESENCE_TTL)
        .exclude(perspective="")
        .values("perspective")
        .annotate(n=Count("id"))
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
    return {
        "code": room.session.code,
        "title": room.session.title,
        "open": room.is_open,
        "premoderation": room.premoderation,
        "pinned": room.pinned_question_id,
    }


def room_snapshot(*, room: LiveRoom, user: User | None, role: str) -> dict:
    """
    Everything a client needs to draw the room from scratch.

    Moderators also get the pending queue and per-perspective statistics;
    participants get which questions they upvoted and which are theirs.
    """
    room = LiveRoom.objects.select_related("session").get(pk=room.pk)
    questions = question_list(room=room)
    snapshot = {
        "type": "room.snapshot",
        "seq": room.seq,
        "role": role,
        "room": room_state(room),
        "questions": questions_payload(questions),
        "presence": presence_counts(room_id=room.pk),
        "perspectives": list(TRIALOOG_PERSPECTIVES),
    }
    if user is not None and user.is_authenticated:
        hashes = {voter_hash("question", user.pk, q.pk): q.pk for q in questions}
        snapshot["my_upvotes"] = sorted(
            hashes[h]
            for h in QuestionUpvote.objects.filter(voter_hash__in=hashes).values_list("voter_hash", flat=True)
        )
        snapshot["my_questions"] = sorted(
            Question.objects.filter(room=room, author=user)
            .exclude(status=Question.Status.WITHDRAWN)
            .values_list("pk", flat=True)
        )
    if role == "moderator":
        snapshot["mod_seq"] = room.mod_seq
        snapshot["pending"] = questions_payload(
            question_list(room=room, statuses=[Question.Status.PENDING], order="new")
        )
        snapshot["hidden"] = questions_payload(
            question_list(room=room, statuses=[Question.Status.HIDDEN, Question.Status.REJECTED], order="new")
        )
        snapshot["stats"] = perspective_stats(room=room)
    return snapshot
