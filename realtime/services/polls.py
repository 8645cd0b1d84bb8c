"""Writes for polls: prepare, open, close and reveal. Votes: realtime/services/votes.py."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from realtime import events, selectors
from realtime.lens import min_group
from realtime.models import LiveRoom, Poll, PollOption
from realtime.models.polls import MAX_OPTIONS, SCALE_LABELS
from realtime.permissions import require_moderator
from realtime.services.audit import room_audit


@transaction.atomic
def poll_create(
    *,
    user: User,
    room: LiveRoom,
    text: str,
    kind: str,
    options: list[str] | None = None,
    show_live: bool = False,
) -> Poll:
    """
    Prepare a poll (state draft) for a room; moderators and organisers only.

    A scale poll gets the five fixed options "helemaal oneens" … "helemaal
    eens"; a choice poll needs 2 to 10 distinct options. Broadcasts the
    new poll to the moderators.
    """
    require_moderator(user, room)
    text = " ".join((text or "").split())
    if kind == Poll.Kind.SCALE:
        labels = [(str(label), value) for value, label in SCALE_LABELS]
    else:
        cleaned = [" ".join(o.split()) for o in (options or []) if o and o.strip()]
        if len(cleaned) < 2 or len(cleaned) > MAX_OPTIONS:
            raise ValidationError(_("Geef 2 tot %(max)d antwoorden.") % {"max": MAX_OPTIONS}, code="options")
        if len({o.casefold() for o in cleaned}) != len(cleaned):
            raise ValidationError(_("Elk antwoord mag maar één keer voorkomen."), code="options")
        labels = [(label, None) for label in cleaned]
    poll = Poll(room=room, text=text, kind=kind, show_live=show_live, position=room.polls.count())
    poll.full_clean(exclude=["room"])
    poll.save()
    room_audit(user=user, room=room, action="poll.created", poll=poll.pk)
    for position, (label, value) in enumerate(labels):
        option = PollOption(poll=poll, label=label, value=value, position=position)
        option.full_clean(exclude=["poll"])
        option.save()
    events.poll_changed(poll.pk)
    return poll


def _locked_poll(poll: Poll) -> Poll:
    return Poll.objects.select_for_update().select_related("room__session").get(pk=poll.pk)


@transaction.atomic
def poll_open(*, user: User, poll: Poll) -> Poll:
    """
    Open a poll for voting. Only one poll is open per room: opening one closes the other.

    Reopening a closed poll keeps its votes. Broadcasts poll.opened.
    """
    poll = _locked_poll(poll)
    require_moderator(user, poll.room)
    # Tallied before the first event: from its seq until the commit the room row stays locked.
    # A reopened poll starts from the totals it closed with (already given with its results).
    live_totals = (
        selectors.poll_tally(poll=poll).published(with_breakdown=False) if poll.votes.exists() else None
    )
    for other in (
        Poll.objects.select_for_update().filter(room=poll.room, state=Poll.State.OPEN).exclude(pk=poll.pk)
    ):
        other.state = Poll.State.CLOSED
        other.closed_at = timezone.now()
        other.save(update_fields=["state", "closed_at"])
        events.poll_changed(other.pk)
    poll.state = Poll.State.OPEN
    poll.opened_at = poll.opened_at or timezone.now()
    poll.live_totals = live_totals
    poll.live_pending = 0
    poll.save(update_fields=["state", "opened_at", "live_totals", "live_pending"])
    room_audit(user=user, room=poll.room_id, action="poll.opened", poll=poll.pk)
    events.poll_changed(poll.pk)
    return poll


@transaction.atomic
def poll_close(*, user: User, poll: Poll) -> Poll:
    """Stop voting. Results stay hidden until revealed (unless shown live). Broadcasts the change."""
    poll = _locked_poll(poll)
    require_moderator(user, poll.room)
    poll.state = Poll.State.CLOSED
    poll.closed_at = timezone.now()
    poll.save(update_fields=["state", "closed_at"])
    room_audit(user=user, room=poll.room_id, action="poll.closed", poll=poll.pk)
    events.poll_changed(poll.pk)
    return poll


@transaction.atomic
def poll_reveal(*, user: User, poll: Poll, revealed: bool = True) -> Poll:
    """Show (or hide again) the results to the whole room. Broadcasts the poll with its results."""
    poll = _locked_poll(poll)
    require_moderator(user, poll.room)
    poll.revealed = revealed
    poll.save(update_fields=["revealed"])
    room_audit(
        user=user, room=poll.room_id, action="poll.revealed" if revealed else "poll.hidden", poll=poll.pk
    )
    events.poll_changed(poll.pk)
    return poll


@transaction.atomic
def poll_set_show_live(*, user: User, poll: Poll, enabled: bool) -> Poll:
    """Let results update live for everyone while voting runs, or hide them again."""
    poll = _locked_poll(poll)
    require_moderator(user, poll.room)
    poll.show_live = enabled
    poll.save(update_fields=["show_live"])
    room_audit(user=user, room=poll.room_id, action="poll.show_live", poll=poll.pk, enabled=enabled)
    events.poll_changed(poll.pk)
    return poll


def poll_closed_error() -> ValidationError:
    return ValidationError(_("Deze peiling is gesloten. Uw stem is niet opgeslagen."), code="poll_closed")


def choice_error(poll: Poll, valid: set[int], chosen: set[int]) -> ValidationError | None:
    """Why these option ids are no vote on this poll (none, unknown, or more than one where one is asked), or None."""
    if not chosen or not chosen <= valid:
        return ValidationError(_("Kies een van de antwoorden."), code="invalid_choice")
    if poll.kind != Poll.Kind.MULTIPLE and len(chosen) != 1:
        return ValidationError(_("Kies één antwoord."), code="invalid_choice")
    return None


def live_totals_advance(*, poll: Poll, changed: int) -> None:
    """
    Count `changed` vote changes on this open poll, which the caller has locked, and publish new
    totals once at least LENS_MIN_GROUP of them have built up since the totals the room last saw.

    So the totals of an open poll move in steps of at least the minimum group: nobody can read one
    person's vote off a total that moved by one at the moment they voted. The last few changes
    show when the poll closes. Writes `live_totals` and `live_pending`; broadcasts the results
    (coalesced) only when the totals changed.
    """
    pending = poll.live_pending + changed
    if pending < min_group():
        Poll.objects.filter(pk=poll.pk).update(live_pending=pending)
        poll.live_pending = pending
        return
    totals = selectors.poll_tally(poll=poll).published(with_breakdown=False)
    Poll.objects.filter(pk=poll.pk).update(live_totals=totals, live_pending=0)
    poll.live_totals, poll.live_pending = totals, 0
    events.on_commit(events.poll_results_changed, poll.room_id, poll.pk)
