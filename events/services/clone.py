"""Cloning an event for its next edition."""

import datetime as dt

from django.db import transaction

from accounts.models import User
from accounts.services import audit_log
from events.models import Event, Room, Session, SessionStatus, Team
from events.services.programme import phases_copy, require_programme

COPIED_SESSION_FIELDS = (
    "kind",
    "title",
    "description",
    "host_organisation",
    "capacity",
    "reserved_politiek",
    "reserved_beleid",
    "reserved_uitvoering",
    "signup_open",
    "chatham_house",
    "room_access",
)


def _shift(moment: dt.datetime | None, tz, days: int) -> dt.datetime | None:
    # On the local wall clock, so 10:30 stays 10:30 across a change of summer time.
    return None if moment is None else moment.astimezone(tz) + dt.timedelta(days=days)


@transaction.atomic
def event_clone(*, user: User, source: Event, name: str, slug: str, acronym: str, date: dt.date) -> Event:
    """
    A new event of the same organisation, made from `source` for its next edition.

    Copies the settings (venue, time zone, description, registration window),
    the rooms, the themes, every session that is not cancelled (as a draft,
    its times shifted by the days between the two first days, with a new join
    code) and the phases of their live rooms. Copies no registrations,
    sign-ups, contributions, reports or moderators. The new programme is not
    published and registration starts closed. Teams that name `source` get
    the clone too, so the people who prepared it keep their rights.
    Writes an audit line.
    """
    require_programme(user, source)
    days = (date - source.date).days
    tz = source.tz
    clone = Event(
        name=name,
        slug=slug,
        acronym=acronym,
        organisation=source.organisation,
        date=date,
        end_date=source.end_date + dt.timedelta(days=days) if source.end_date else None,
        venue=source.venue,
        time_zone=source.time_zone,
        description=source.description,
        registration_open=False,
        registration_closes_at=_shift(source.registration_closes_at, tz, days),
        programme_published=False,
    )
    clone.full_clean()
    clone.save()
    for team in Team.objects.filter(events=source):
        team.events.add(clone)
    rooms = {
        room.pk: Room.objects.create(
            event=clone, name=room.name, capacity=room.capacity, position=room.position
        )
        for room in source.rooms.all()
    }
    sources = list(source.sessions.exclude(status=SessionStatus.CANCELLED).prefetch_related("themes"))
    for original in sources:
        copy = Session(
            event=clone,
            room=rooms[original.room_id],
            status=SessionStatus.DRAFT,
            starts_at=_shift(original.starts_at, tz, days),
            ends_at=_shift(original.ends_at, tz, days),
            reserved_until=_shift(original.reserved_until, tz, days),
            **{name: getattr(original, name) for name in COPIED_SESSION_FIELDS},
        )
        copy.full_clean()
        copy.save()
        copy.themes.set(original.themes.all())
        phases_copy(source=original, target=copy)
    audit_log(actor=user, action="event.cloned", detail={"source": source.pk, "event": clone.pk})
    return clone
