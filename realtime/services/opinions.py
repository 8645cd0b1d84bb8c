"""Writes that end the link between an event's opinions (votes, upvotes, reactions) and the people who gave them."""

import secrets

from django.db import transaction

from events.models import Event
from realtime.models import NoteReaction, PollChoice, PollVote, QuestionUpvote

BATCH = 1000


def _token() -> str:
    return secrets.token_hex(32)


@transaction.atomic
def event_opinions_unlink(*, event: Event) -> dict[str, int]:
    """
    Make the event's votes, upvotes and reactions unlinkable for good; return counts per kind.

    Destroys the event's vote salt, so no one can recompute a person's hash
    any more, not even with the site secret: voting in the event's rooms is
    refused from then on and "my votes" finds nothing. Every opinion row of
    the event is then deleted and written again with a new random id and a
    random token in place of its hash, in token order, so that neither an id,
    nor a hash, nor the order of rows in the table still follows the order of
    voting. Perspective, kind and choices stay, so every count and report is
    the same. Counts: `vote_salt` (1 when it was destroyed now) and
    `unlinked_opinions` (rows rewritten). A second call finds the salt gone
    and changes nothing.
    """
    locked = Event.objects.select_for_update().get(pk=event.pk)
    event.vote_salt = ""
    if not locked.vote_salt:
        return {"vote_salt": 0, "unlinked_opinions": 0}
    Event.objects.filter(pk=event.pk).update(vote_salt="")
    rewritten = _rewrite_upvotes(event) + _rewrite_reactions(event) + _rewrite_poll_votes(event)
    return {"vote_salt": 1, "unlinked_opinions": rewritten}


def _rewrite_upvotes(event: Event) -> int:
    rows = QuestionUpvote.objects.filter(question__room__session__event=event)
    fresh = [
        QuestionUpvote(question_id=question, perspective=perspective, voter_hash=_token())
        for question, perspective in rows.values_list("question_id", "perspective")
    ]
    rows.delete()
    QuestionUpvote.objects.bulk_create(sorted(fresh, key=lambda row: row.voter_hash), batch_size=BATCH)
    return len(fresh)


def _rewrite_reactions(event: Event) -> int:
    rows = NoteReaction.objects.filter(note__room__session__event=event)
    fresh = [
        NoteReaction(note_id=note, perspective=perspective, kind=kind, voter_hash=_token())
        for note, perspective, kind in rows.values_list("note_id", "perspective", "kind")
    ]
    rows.delete()
    NoteReaction.objects.bulk_create(sorted(fresh, key=lambda row: row.voter_hash), batch_size=BATCH)
    return len(fresh)


def _rewrite_poll_votes(event: Event) -> int:
    rows = PollVote.objects.filter(poll__room__session__event=event)
    fresh: dict[int, PollVote] = {
        pk: PollVote(poll_id=poll, perspective=perspective, voter_hash=_token())
        for pk, poll, perspective in rows.values_list("pk", "poll_id", "perspective")
    }
    choices = [
        PollChoice(vote=fresh[vote], option_id=option)
        for vote, option in PollChoice.objects.filter(vote__in=rows).values_list("vote_id", "option_id")
    ]
    rows.delete()
    PollVote.objects.bulk_create(sorted(fresh.values(), key=lambda row: row.voter_hash), batch_size=BATCH)
    PollChoice.objects.bulk_create(sorted(choices, key=lambda row: row.pk), batch_size=BATCH)
    return len(fresh)
