"""
The one vote service: upvotes (and taking one back) and poll votes, from a socket frame or a form post.

The consumer gathers the votes that arrive within a few tens of milliseconds
(realtime/groupcommit.py) and hands them here as one batch; a form post, or
any other single vote, is a batch of one (`question_upvote`, `poll_vote`).
Every vote is checked here and nowhere else (open room, may take part, the
event's votes not yet unlinked, question visible, poll open, valid
choices); the valid ones are written with one bulk insert against the
unique constraint and one counter update, and every vote gets its own
outcome, so one bad vote never fails the others. The consumer acknowledges
a vote only after this transaction has committed.

Privacy: a vote is stored under the keyed hash of (person, target) with the
event's salt (realtime/hashing.py) next to the voter's perspective, never
the person or a time.

Concurrency: the target questions (or polls) are locked in primary-key order
first, so two batches in two server processes, or a batch and a form post,
never count the same vote twice.
"""

from collections import Counter

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, F, IntegerField, Value, When
from django.utils.translation import gettext as _

from accounts.models import User
from realtime import events
from realtime.hashing import event_over_error, voter_hash
from realtime.models import LiveRoom, Poll, PollChoice, PollOption, PollVote, Question, QuestionUpvote
from realtime.payloads import PUBLIC_STATUSES
from realtime.permissions import room_closed_error, takers_among
from realtime.services.polls import choice_error, live_totals_advance, poll_closed_error


def _may_take_part(room: LiveRoom, users) -> tuple[set[int], Exception | None]:
    """
    The ids of the users who may vote here, and the error for everyone when the room is closed
    or the purge has unlinked the event's votes (its salt is gone).
    """
    if not room.is_open:
        return set(), room_closed_error()
    if not room.session.event.vote_salt:
        return set(), event_over_error()
    return takers_among(users, room), None


def _room(room_id: int) -> LiveRoom:
    # The event comes along: its salt keys every hash of the batch, without a query per vote.
    return LiveRoom.objects.select_related("session__event").get(pk=room_id)


def _locked_questions(room_id: int, question_ids) -> dict[int, Question]:
    """This room's questions among these ids, locked in primary-key order."""
    return {
        q.pk: q
        for q in Question.objects.select_for_update()
        .filter(room_id=room_id, pk__in=sorted(set(question_ids)))
        .order_by("pk")
        .only("pk", "status")
    }


def _upvote_refusal(user, question: Question | None, allowed: set[int], closed) -> Exception | None:
    """Why this person may not upvote (or take back an upvote on) this question now, or None."""
    if closed is not None:
        return closed
    if user.pk not in allowed:
        return PermissionDenied()
    if question is None:
        return Question.DoesNotExist()
    if question.status not in PUBLIC_STATUSES:
        return ValidationError(_("Deze vraag is niet (meer) zichtbaar."), code="not_visible")
    return None


@transaction.atomic
def upvotes_record(*, room_id: int, requests: list[tuple]) -> list:
    """
    Record many upvotes `(user, question_id)` at once; one outcome per request, in order.

    An outcome is True (a new upvote), False (this person had already
    upvoted) or the exception that refuses it. Upvoting twice changes
    nothing, so a retry cannot inflate the score; the unique constraint on
    (question, voter_hash) backs this. Scores reach the room coalesced.
    """
    room = _room(room_id)
    salt = room.session.event.vote_salt
    allowed, closed = _may_take_part(room, [user for user, _question in requests])
    questions = _locked_questions(room_id, [question_id for _user, question_id in requests])
    outcomes: list = [None] * len(requests)
    wanted: dict[tuple[int, str], tuple[str, list[int]]] = {}
    for index, (user, question_id) in enumerate(requests):
        refusal = _upvote_refusal(user, questions.get(question_id), allowed, closed)
        if refusal is not None:
            outcomes[index] = refusal
        else:
            key = (question_id, voter_hash("question", user.pk, question_id, salt=salt))
            wanted.setdefault(key, (user.perspective, []))[1].append(index)
    if not wanted:
        return outcomes
    existing = set(
        QuestionUpvote.objects.filter(
            question_id__in={q for q, _hash in wanted}, voter_hash__any={h for _q, h in wanted}
        ).values_list("question_id", "voter_hash")
    )
    new = [key for key in wanted if key not in existing]
    QuestionUpvote.objects.bulk_create(
        [QuestionUpvote(question_id=q, voter_hash=h, perspective=wanted[(q, h)][0]) for q, h in new],
        # The constraint stays the last word; the lock above makes it moot. The random ids are
        # made here, not by the database, so a clash with another row's id (about 1 in 10**13 per
        # upvote with a million stored) would be skipped the same way, yet counted.
        ignore_conflicts=True,
    )
    added = Counter(question_id for question_id, _hash in new)
    if added:
        Question.objects.filter(pk__in=added).update(
            upvotes=F("upvotes")
            + Case(
                *[When(pk=pk, then=Value(n)) for pk, n in added.items()],
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        for question_id in added:
            events.on_commit(events.score_changed, room_id, question_id)
    created = set(new)
    for key, (_perspective, indexes) in wanted.items():
        for position, index in enumerate(indexes):
            outcomes[index] = key in created and position == 0
    return outcomes


def _check_choices(poll: Poll, valid: set[int], choices: list[int]) -> ValidationError | None:
    if poll.state != Poll.State.OPEN:
        return poll_closed_error()
    return choice_error(poll, valid, set(choices))


@transaction.atomic
def poll_votes_record(*, room_id: int, requests: list[tuple]) -> list:
    """
    Record or change many poll votes `(user, poll_id, option_ids)` at once; one outcome per request.

    An outcome is the sorted list of chosen option ids, or the exception
    that refuses it. Voting again replaces the earlier choices instead of
    adding to them. When one person votes twice in a batch, the later vote
    wins, as it would one after the other. Results reach the room in steps
    (services.polls.live_totals_advance).
    """
    room = _room(room_id)
    salt = room.session.event.vote_salt
    allowed, closed = _may_take_part(room, [request[0] for request in requests])
    poll_ids = sorted({poll_id for _user, poll_id, _choices in requests})
    # Only open polls are locked (in pk order): a poll that is not open only gets answered
    # "closed", and locking it could deadlock with a moderator opening it (poll_open).
    polls = {
        p.pk: p
        for p in Poll.objects.select_for_update()
        .filter(room_id=room_id, pk__in=poll_ids, state=Poll.State.OPEN)
        .order_by("pk")
    }
    others = set(poll_ids) - set(polls)
    if others:
        polls.update({p.pk: p for p in Poll.objects.filter(room_id=room_id, pk__in=others)})
    options: dict[int, set[int]] = {}
    for poll_id, option_id in PollOption.objects.filter(poll_id__in=polls).values_list("poll_id", "pk"):
        options.setdefault(poll_id, set()).add(option_id)
    outcomes: list = [None] * len(requests)
    wanted: dict[tuple[int, str], tuple[str, list[int]]] = {}
    for index, (user, poll_id, choices) in enumerate(requests):
        poll = polls.get(poll_id)
        error = closed
        if error is None and user.pk not in allowed:
            error = PermissionDenied()
        if error is None and poll is None:
            error = Poll.DoesNotExist()
        if error is None:
            error = _check_choices(poll, options.get(poll_id, set()), choices)
        if error is not None:
            outcomes[index] = error
            continue
        outcomes[index] = sorted(set(choices))
        key = (poll_id, voter_hash("poll", user.pk, poll_id, salt=salt))
        wanted[key] = (user.perspective, outcomes[index])
    if not wanted:
        return outcomes
    votes = {
        (v.poll_id, v.voter_hash): v
        for v in PollVote.objects.filter(
            poll_id__in={p for p, _hash in wanted}, voter_hash__any={h for _p, h in wanted}
        ).only("pk", "poll_id", "voter_hash", "perspective")
    }
    before: dict[int, set[int]] = {}
    for vote_id, option_id in PollChoice.objects.filter(vote__in=list(votes.values())).values_list(
        "vote_id", "option_id"
    ):
        before.setdefault(vote_id, set()).add(option_id)
    fresh = PollVote.objects.bulk_create(
        [
            PollVote(poll_id=p, voter_hash=h, perspective=wanted[(p, h)][0])
            for p, h in wanted
            if (p, h) not in votes
        ]
    )
    votes.update({(v.poll_id, v.voter_hash): v for v in fresh})
    changed = [
        (votes[key], perspective, chosen)
        for key, (perspective, chosen) in wanted.items()
        if before.get(votes[key].pk, set()) != set(chosen)
    ]
    if not changed:
        return outcomes
    stale = [vote.pk for vote, _perspective, _chosen in changed if vote.pk in before]
    PollChoice.objects.filter(vote_id__in=stale).delete()
    PollChoice.objects.bulk_create(
        [
            PollChoice(vote=vote, option_id=option)
            for vote, _perspective, chosen in changed
            for option in chosen
        ]
    )
    by_perspective: dict[str, list[int]] = {}
    for vote, perspective, _chosen in changed:
        if vote.pk in before:
            by_perspective.setdefault(perspective, []).append(vote.pk)
    for perspective, vote_ids in by_perspective.items():
        PollVote.objects.filter(pk__in=vote_ids).update(perspective=perspective)
    for poll_id, n in Counter(vote.poll_id for vote, _perspective, _chosen in changed).items():
        live_totals_advance(poll=polls[poll_id], changed=n)
    return outcomes


def outcome_or_raise(outcome):
    """The outcome of one vote, raised when it is an error."""
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def question_upvote(*, user: User, question: Question) -> bool:
    """
    Record one upvote from this person (a batch of one of `upvotes_record`); return True when it is new.

    Raises the refusal: the closed-room or event-over ValidationError,
    PermissionDenied, Question.DoesNotExist, or not_visible.
    """
    outcome = upvotes_record(room_id=question.room_id, requests=[(user, question.pk)])[0]
    return outcome_or_raise(outcome)


@transaction.atomic
def question_unvote(*, user: User, question: Question) -> bool:
    """
    Take back this person's upvote; return True when there was one.

    Refused exactly as an upvote is (`_upvote_refusal`), after the same lock.
    The score reaches the room coalesced.
    """
    room = _room(question.room_id)
    allowed, closed = _may_take_part(room, [user])
    locked = _locked_questions(room.pk, [question.pk]).get(question.pk)
    refusal = _upvote_refusal(user, locked, allowed, closed)
    if refusal is not None:
        raise refusal
    salt = room.session.event.vote_salt
    deleted, _detail = QuestionUpvote.objects.filter(
        question_id=locked.pk, voter_hash=voter_hash("question", user.pk, locked.pk, salt=salt)
    ).delete()
    if deleted:
        Question.objects.filter(pk=locked.pk).update(upvotes=F("upvotes") - 1)
        events.on_commit(events.score_changed, room.pk, locked.pk)
    return bool(deleted)


def poll_vote(*, user: User, poll: Poll, option_ids: list[int]) -> list[int]:
    """
    Record or change this person's vote (a batch of one of `poll_votes_record`); return the chosen option ids.

    Raises the refusal: the closed-room, event-over, poll-closed or
    invalid-choice ValidationError, PermissionDenied, or Poll.DoesNotExist.
    """
    outcome = poll_votes_record(room_id=poll.room_id, requests=[(user, poll.pk, list(option_ids))])[0]
    return outcome_or_raise(outcome)
