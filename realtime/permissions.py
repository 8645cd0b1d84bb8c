"""
Who may do what in a live room. Predicates, combined per action; services call them.

A participant is anyone with an active registration for the session's event,
and, when the session's room access is "signed up only" (see
`Session.effective_room_access`), a confirmed seat in this session.
A moderator is a moderator of the session, or someone who holds the right to run
the event's live rooms (`Right.ROOMS`: a team of the event, or a platform admin): they run the room
(open/close, pre-moderation, questions, polls, the projector).
A rapporteur of the session (and every moderator) may curate notes, capture
actions and move through the phases: what a report needs.
Moderators, rapporteurs and organisers always get in, whatever the room access.
While the session is a draft or its programme is unpublished, participants
must also be on the event's team (events.permissions): nobody else learns of
the room before the programme is public.

On the socket both moderators and rapporteurs have the `moderator` role: the
staff stream that carries pending notes; the services decide which of its
actions each may take.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.models import ORGANISER_GROUP, User
from events.models import Registration, RoomAccess, SessionSignup, SessionStatus, Team
from events.permissions import Right, can, event_team_member_ids
from realtime.models import LiveRoom


def is_moderator(user: User, room: LiveRoom) -> bool:
    """A moderator of this session, or someone who may run the event's rooms: runs the room."""
    if not user.is_authenticated:
        return False
    if can(user, Right.ROOMS, room.session.event):
        return True
    return room.session.moderators.filter(pk=user.pk).exists()


def require_moderator(user: User, room: LiveRoom) -> None:
    """Raise PermissionDenied unless the user runs this room (moderator or organiser)."""
    if not is_moderator(user, room):
        raise PermissionDenied


def is_reporter(user: User, room: LiveRoom) -> bool:
    """A rapporteur or moderator of this session, or an organiser: may curate notes, actions and phases."""
    if not user.is_authenticated:
        return False
    return is_moderator(user, room) or room.session.rapporteurs.filter(pk=user.pk).exists()


def require_reporter(user: User, room: LiveRoom) -> None:
    """Raise PermissionDenied unless the user may curate notes, actions and phases of this room."""
    if not is_reporter(user, room):
        raise PermissionDenied


def _attendees(room: LiveRoom, user_ids) -> set[int]:
    """
    Those of `user_ids` admitted as participants by the session's room access.

    One or two queries while the session is public; for a draft or an
    unpublished programme one or two more (the event and its team).
    """
    session = room.session
    rows = Registration.objects.filter(
        user_id__in=user_ids, event_id=session.event_id, status=Registration.Status.REGISTERED
    ).values_list("user_id", "event__programme_published")
    ids = {user_id for user_id, _published in rows}
    public = session.status != SessionStatus.DRAFT and all(published for _user_id, published in rows)
    if ids and not public:
        ids &= event_team_member_ids(ids, session.event)
    if ids and session.effective_room_access == RoomAccess.SIGNED_UP:
        ids &= set(
            SessionSignup.objects.filter(
                user_id__in=ids, session_id=session.pk, status=SessionSignup.Status.CONFIRMED
            ).values_list("user_id", flat=True)
        )
    return ids


def is_participant(user: User, room: LiveRoom) -> bool:
    if not user.is_authenticated:
        return False
    return user.pk in _attendees(room, [user.pk])


def can_join(user: User, room: LiveRoom) -> bool:
    return is_participant(user, room) or is_reporter(user, room)


def can_take_part(user: User, room: LiveRoom) -> bool:
    """Ask, upvote, vote: only in an open room, only for people with a perspective."""
    return room.is_open and bool(user.is_authenticated and user.perspective) and can_join(user, room)


def takers_among(users, room: LiveRoom) -> set[int]:
    """The ids of those users who may take part in this open room: `can_take_part` for many at once."""
    if not room.is_open:
        return set()
    return set(roles_in_room([user for user in users if user.is_authenticated and user.perspective], room))


def room_closed_error() -> ValidationError:
    """What someone hears who tries to add something to a closed room."""
    return ValidationError(_("Deze zaal is gesloten. U kunt nu niets toevoegen."), code="room_closed")


def require_take_part(user: User, room: LiveRoom) -> None:
    """Raise the closed-room error, or PermissionDenied, unless this person may take part here now."""
    if not room.is_open:
        raise room_closed_error()
    if not can_take_part(user, room):
        raise PermissionDenied


def roles_in_room(users, room: LiveRoom) -> dict[int, str]:
    """
    `role_in_room` for many users at once (five or six queries, one more for the team while the
    session is a draft or its programme unpublished): user id -> 'moderator' or 'participant'.

    'moderator' here is the socket's staff stream: moderators, rapporteurs and organisers.
    """
    people = {user.pk: user for user in users if user.is_authenticated}
    if not people:
        return {}
    session = room.session
    moderators = {pk for pk, user in people.items() if user.is_superuser}
    moderators |= set(
        User.groups.through.objects.filter(user_id__in=people, group__name=ORGANISER_GROUP).values_list(
            "user_id", flat=True
        )
    )
    moderators |= _room_runners(set(people) - moderators, session.event_id)
    moderators |= set(session.moderators.filter(pk__in=people).values_list("pk", flat=True))
    moderators |= set(session.rapporteurs.filter(pk__in=people).values_list("pk", flat=True))
    participants = _attendees(room, set(people) - moderators)
    return {pk: "moderator" for pk in moderators} | {pk: "participant" for pk in participants}


def _room_runners(user_ids: set[int], event_id: int) -> set[int]:
    """Those of `user_ids` in a team holding `Right.ROOMS` in the event (one query; `event_rights` for many)."""
    if not user_ids:
        return set()
    teams = Team.objects.filter(can_run_rooms=True, organisation__events__id=event_id).filter(
        Q(all_events=True) | Q(events__id=event_id)
    )
    return set(
        Team.members.through.objects.filter(user_id__in=user_ids, team__in=teams).values_list(
            "user_id", flat=True
        )
    )


def role_in_room(user: User, room: LiveRoom) -> str | None:
    """'moderator' (moderators, rapporteurs, organisers), 'participant' or None (may not join)."""
    if is_reporter(user, room):
        return "moderator"
    if is_participant(user, room):
        return "participant"
    return None
