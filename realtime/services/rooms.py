"""Writes for a live room's state: open/closed, pre-moderation, pin, projector link, presence."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_log
from events.models import Session
from realtime import broadcast, events
from realtime.models import LiveRoom, Presence, Question, RoomEvent, new_projector_token
from realtime.payloads import PUBLIC_STATUSES
from realtime.permissions import require_moderator
from realtime.services.audit import room_audit


def live_room_ensure(*, session: Session) -> LiveRoom:
    """Return the session's live room, creating it (closed) when it does not exist yet."""
    room, _created = LiveRoom.objects.get_or_create(session=session)
    return room


@transaction.atomic
def room_set_open(*, user: User, room: LiveRoom, is_open: bool) -> LiveRoom:
    """Open or close the room. A closed room is read-only. Broadcasts room.updated."""
    require_moderator(user, room)
    LiveRoom.objects.filter(pk=room.pk).update(is_open=is_open)
    room.is_open = is_open
    room_audit(user=user, room=room, action="opened" if is_open else "closed")
    events.room_updated(room.pk)
    return room


@transaction.atomic
def room_set_premoderation(*, user: User, room: LiveRoom, enabled: bool) -> LiveRoom:
    """Switch pre-moderation. New questions then wait for a moderator. Broadcasts room.updated."""
    require_moderator(user, room)
    LiveRoom.objects.filter(pk=room.pk).update(premoderation=enabled)
    room.premoderation = enabled
    room_audit(user=user, room=room, action="premoderation", enabled=enabled)
    events.room_updated(room.pk)
    return room


@transaction.atomic
def question_pin(*, user: User, room: LiveRoom, question: Question | None) -> LiveRoom:
    """
    Pin the question now being discussed, or unpin with None.

    Only a visible or answered question of this room can be pinned.
    Broadcasts question.pinned.
    """
    require_moderator(user, room)
    if question is not None:
        if question.room_id != room.pk:
            raise PermissionDenied
        # The question before the room row, as every question service locks them: no deadlock, and
        # its status as it is now, not as it was read.
        question = Question.objects.select_for_update().get(pk=question.pk)
        if question.status not in PUBLIC_STATUSES:
            raise ValidationError(_("Alleen een zichtbare vraag kan worden vastgezet."), code="not_visible")
    LiveRoom.objects.filter(pk=room.pk).update(pinned_question=question)
    room.pinned_question = question
    room_audit(user=user, room=room, action="pinned", question=question.pk if question else None)
    events.question_pinned(room.pk)
    return room


@transaction.atomic
def projector_token_reset(*, user: User, room: LiveRoom) -> str:
    """
    Replace the secret projector link; the old link stops working at once. Writes an audit line.

    After the commit the screens still on the old link are closed (4403).
    """
    require_moderator(user, room)
    room.projector_token = new_projector_token()
    room.save(update_fields=["projector_token"])
    audit_log(actor=user, action="room.projector_link.reset", detail={"room": room.pk})
    events.on_commit(broadcast.projectors_close, room.pk, room.projector_token)
    return room.projector_token


def presence_touch(*, channel_name: str) -> None:
    Presence.objects.filter(channel_name=channel_name).update(last_seen=timezone.now())


def room_events_forget(*, session_ids: set[int]) -> int:
    """
    Delete the logged frames of these sessions' rooms; return how many.

    Used when a person's account is deleted: frames in the replay log may
    carry their name. Clients that fall behind in those rooms get a fresh
    snapshot instead of a replay.
    """
    deleted, _detail = RoomEvent.objects.filter(room__session_id__in=session_ids).delete()
    return deleted
