"""
Who may do what in a live room. Predicates, combined per action; services call them.

A participant is anyone with an active registration for the session's event.
A moderator is a moderator or rapporteur of the session, or an organiser.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from accounts.models import User
from events.models import Registration
from realtime.models import LiveRoom


def is_moderator(user: User, room: LiveRoom) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_organiser:
        return True
    session = room.session
    return session.moderators.filter(pk=user.pk).exists() or session.rapporteurs.filter(pk=user.pk).exists()


def require_moderator(user: User, room: LiveRoom) -> None:
    """Raise PermissionDenied unless the user moderates this room (moderator, rapporteur or organiser)."""
    if not is_moderator(user, room):
        raise PermissionDenied


def is_participant(user: User, room: LiveRoom) -> bool:
    if not user.is_authenticated:
        return False
    return Registration.objects.filter(
        user=user, event_id=room.session.event_id, status=Registration.Status.REGISTERED
    ).exists()


def can_join(user: User, room: LiveRoom) -> bool:
    return is_participant(user, room) or is_moderator(user, room)


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
    """`role_in_room` for many users at once (four queries): user id -> 'moderator' or 'participant'."""
    from accounts.models import ORGANISER_GROUP

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
    moderators |= set(session.moderators.filter(pk__in=people).values_list("pk", flat=True))
    moderators |= set(session.rapporteurs.filter(pk__in=people).values_list("pk", flat=True))
    participants = set(
        Registration.objects.filter(
            user_id__in=set(people) - moderators,
            event_id=session.event_id,
            status=Registration.Status.REGISTERED,
        ).values_list("user_id", flat=True)
    )
    return {pk: "moderator" for pk in moderators} | {pk: "participant" for pk in participants}


def role_in_room(user: User, room: LiveRoom) -> str | None:
    """'moderator', 'participant' or None (may not join)."""
    if is_moderator(user, room):
        return "moderator"
    if is_participant(user, room):
        return "participant"
    return None
