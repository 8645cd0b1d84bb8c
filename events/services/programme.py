"""
Building an event's programme without the admin: the event's settings, rooms, sessions and phases.

Every function checks `can(user, Right.PROGRAMME, event)` first and raises
PermissionDenied; the organiser views turn that into a 404. Every write goes
through the model's `full_clean()`, so the rules of one row (a session on a day
of the event, no room booked twice, no more reserved seats than seats) hold
here as in the admin. Saved rows change the public programme's cache version
through the model signals (events/public_cache.py); bulk updates bump it.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_log
from events.models import Event, Room, Session, SessionSignup, SessionStatus
from events.permissions import Right, can
from events.public_cache import programme_version_bump
from mail.services import mail_send
from realtime.models import LiveRoom, Phase

EVENT_FIELDS = (
    "name",
    "acronym",
    "date",
    "end_date",
    "venue",
    "description",
    "registration_open",
    "registration_closes_at",
)
ROOM_FIELDS = ("name", "capacity", "position")
SESSION_FIELDS = (
    "title",
    "kind",
    "status",
    "description",
    "host_organisation",
    "room",
    "starts_at",
    "ends_at",
    "capacity",
    "reserved_politiek",
    "reserved_beleid",
    "reserved_uitvoering",
    "reserved_until",
    "signup_open",
    "chatham_house",
    "room_access",
)


def require_programme(user: User, event: Event) -> None:
    """Raise PermissionDenied unless this person may build the event's programme."""
    if not can(user, Right.PROGRAMME, event):
        raise PermissionDenied


# --- the event -----------------------------------------------------------------------


@transaction.atomic
def event_update(*, user: User, event: Event, data: dict) -> Event:
    """Change the event's settings (EVENT_FIELDS in `data`). Writes an audit line."""
    require_programme(user, event)
    for name in EVENT_FIELDS:
        if name in data:
            setattr(event, name, data[name])
    event.full_clean()
    event.save()
    audit_log(actor=user, action="event.updated", detail={"event": event.pk})
    return event


@transaction.atomic
def event_publish_set(*, user: User, event: Event, published: bool) -> Event:
    """
    Publish or unpublish the programme: until published only the event's teams see it.

    The schedule feeds change their version with the save (public cache signal).
    """
    require_programme(user, event)
    event.programme_published = published
    event.save(update_fields=["programme_published"])
    audit_log(
        actor=user, action="event.published" if published else "event.unpublished", detail={"event": event.pk}
    )
    return event


# --- rooms ------------------------------------------------------------------------------


@transaction.atomic
def room_save(*, user: User, event: Event, data: dict, room: Room | None = None) -> Room:
    """Create a room in the event, or change one of its rooms (ROOM_FIELDS in `data`)."""
    require_programme(user, event)
    if room is None:
        room = Room(event=event)
    elif room.event_id != event.pk:
        raise PermissionDenied
    for name in ROOM_FIELDS:
        if name in data and data[name] is not None:
            setattr(room, name, data[name])
    room.full_clean()
    room.save()
    return room


@transaction.atomic
def room_delete(*, user: User, room: Room) -> None:
    """Delete a room that no session uses (cancelled ones included: they still name it)."""
    require_programme(user, room.event)
    used = Session.objects.filter(room=room).first()
    if used is not None:
        raise ValidationError(
            _("Deze zaal wordt nog gebruikt door “%(title)s”. Verplaats die sessie eerst.")
            % {"title": used.title},
            code="room_in_use",
        )
    room.delete()


# --- sessions ---------------------------------------------------------------------------


@transaction.atomic
def session_save(
    *, user: User, event: Event, data: dict, themes=None, session: Session | None = None
) -> Session:
    """
    Create a session in the event, or change one (also: move it to another time or room).

    `data` holds SESSION_FIELDS with aware datetimes. `Session.clean()` refuses
    a room that is already booked at that time and names the other session.
    `themes`, when given, replaces the session's themes. Writes an audit line.
    """
    require_programme(user, event)
    created = session is None
    if created:
        session = Session(event=event)
    elif session.event_id != event.pk:
        raise PermissionDenied
    for name in SESSION_FIELDS:
        if name in data:
            setattr(session, name, data[name])
    if session.room_id and session.room.event_id != event.pk:
        raise ValidationError({"room": _("Deze zaal hoort bij een ander evenement.")})
    session.full_clean()
    session.save()
    if themes is not None:
        session.themes.set(themes)
    audit_log(
        actor=user,
        action="session.created" if created else "session.updated",
        detail={"event": event.pk, "session": session.pk},
    )
    return session


@transaction.atomic
def session_duplicate(*, user: User, source: Session, data: dict, themes=None) -> Session:
    """
    A new session made from `source` with the changes in `data` (another time or room, as a rule).

    The copy gets its own join code, no sign-ups and no moderators; the
    phases of the source's live room are copied.
    """
    copy = session_save(user=user, event=source.event, data=data, themes=themes)
    phases_copy(source=source, target=copy)
    return copy


def phases_copy(*, source: Session, target: Session) -> None:
    """Give `target` a live room with the phases of `source`'s live room (nothing when it has none)."""
    phases = list(Phase.objects.filter(room__session=source))
    if not phases:
        return
    room, _created = LiveRoom.objects.get_or_create(session=target)
    Phase.objects.bulk_create(
        Phase(room=room, position=phase.position, title=phase.title, prompt=phase.prompt) for phase in phases
    )


@transaction.atomic
def session_cancel(*, user: User, session: Session) -> int:
    """
    Cancel a session: its status becomes cancelled and its room is free again.

    Every confirmed or waitlisted sign-up is cancelled and each of those people
    gets an email after commit. Returns how many were emailed. Writes an audit line.
    """
    require_programme(user, session.event)
    session = (
        Session.objects.select_for_update(of=("self",)).select_related("event", "room").get(pk=session.pk)
    )
    if session.status == SessionStatus.CANCELLED:
        raise ValidationError(_("Deze sessie is al geannuleerd."), code="already_cancelled")
    session.status = SessionStatus.CANCELLED
    session.save(update_fields=["status"])
    active = SessionSignup.objects.filter(
        session=session, status__in=(SessionSignup.Status.CONFIRMED, SessionSignup.Status.WAITLISTED)
    )
    people = list(active.select_related("user").values_list("user__email", flat=True))
    active.update(status=SessionSignup.Status.CANCELLED, waitlist_position=None)
    programme_version_bump()
    for email in people:
        mail_send(
            to=email, template="session_cancelled", context={"session": session, "event": session.event}
        )
    audit_log(
        actor=user,
        action="session.cancelled",
        detail={"session": session.pk, "signups_cancelled": len(people)},
    )
    return len(people)


# --- phases -----------------------------------------------------------------------------


def phases_parse(text: str) -> list[tuple[str, str]]:
    """Phases typed one per line as "title | question to the room" (the question is optional)."""
    phases = []
    for line in text.splitlines():
        title, _bar, prompt = line.partition("|")
        title, prompt = " ".join(title.split()), " ".join(prompt.split())
        if title:
            phases.append((title, prompt))
    return phases


@transaction.atomic
def session_phases_set(*, user: User, session: Session, phases: list[tuple[str, str]]) -> list[Phase]:
    """
    Set the phases of the session's live room, in order (creating the room, closed, when it has none).

    Phases are changed in place by position, so notes keep theirs; phases past
    the new end are removed (their notes keep their text, without a phase).
    """
    require_programme(user, session.event)
    room, _created = LiveRoom.objects.get_or_create(session=session)
    existing = list(Phase.objects.filter(room=room))
    result = []
    for position, (title, prompt) in enumerate(phases):
        phase = existing[position] if position < len(existing) else Phase(room=room)
        phase.position, phase.title, phase.prompt = position, title, prompt
        phase.full_clean(exclude=["room"])
        phase.save()
        result.append(phase)
    Phase.objects.filter(pk__in=[phase.pk for phase in existing[len(phases) :]]).delete()
    return result


def session_times(
    *, event: Event, day: dt.date, start: dt.time, end: dt.time
) -> tuple[dt.datetime, dt.datetime]:
    """A day and two wall-clock times in the event's time zone as aware datetimes."""
    tz = event.tz
    return dt.datetime.combine(day, start, tzinfo=tz), dt.datetime.combine(day, end, tzinfo=tz)
