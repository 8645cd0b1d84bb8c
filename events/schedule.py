"""
The programme in the frab/c3voc schedule format, as JSON and XML.

Conference apps (Giggity, EventFahrplan, info-beamer) read this format. The
layout follows pretalx's exporter and https://c3voc.de/schedule/schema.json:
event `start` is wall-clock "HH:MM", `date` a full ISO date-time with
offset, `duration` "H:MM", and every session has a UUID5 `guid` that stays the
same across schedule versions.
"""

import datetime as dt
import hashlib
import json
import uuid
from xml.etree import ElementTree

from django.conf import settings
from django.urls import reverse
from django.utils.text import slugify

from events.models import Event, Room, Session
from trialoog.text import text_clean_deep

# Fixed namespace for this platform's schedule ids; changing it changes every guid.
GUID_NAMESPACE = uuid.UUID("5d0a3c39-5b0e-4f7e-9a55-2f1f3a0c7d21")
SCHEMA_URL = "https://c3voc.de/schedule/schema.json"
TIMESLOT_DURATION = "00:15"


def session_guid(session: Session) -> uuid.UUID:
    """Stable id of a session, from its unique join code (as pretalx does with its codes)."""
    return uuid.uuid5(GUID_NAMESPACE, f"session:{session.code}")


def room_guid(room: Room) -> uuid.UUID:
    return uuid.uuid5(GUID_NAMESPACE, f"room:{room.pk}")


def duration_text(delta: dt.timedelta) -> str:
    """A duration as H:MM, e.g. 1:15."""
    minutes = int(delta.total_seconds()) // 60
    return f"{minutes // 60}:{minutes % 60:02d}"


def _session_slug(event: Event, session: Session) -> str:
    return f"{slugify(event.acronym)}-{session.pk}-{slugify(session.title)[:50]}".rstrip("-_")


def _event_dict(event: Event, session: Session) -> dict:
    local_start = session.starts_at.astimezone(event.tz)
    # Chatham House: the content may be used, but no names are published.
    persons = [] if session.chatham_house else [{"name": str(m)} for m in session.moderators.all()]
    return {
        "id": session.pk,
        "guid": str(session_guid(session)),
        "date": local_start.isoformat(),
        "start": local_start.strftime("%H:%M"),
        "duration": duration_text(session.ends_at - session.starts_at),
        "room": session.room.name,
        "slug": _session_slug(event, session),
        "url": settings.SITE_URL
        + reverse("event:session_detail", kwargs={"event_slug": event.slug, "pk": session.pk}),
        "title": session.title,
        "subtitle": session.host_organisation,
        "track": session.get_kind_display(),
        "type": session.kind,
        "language": "nl",
        "abstract": session.description,
        "description": session.description,
        "persons": persons,
        "links": [],
        "attachments": [],
    }


def schedule_as_dict(*, event: Event, sessions: list[Session], rooms: list[Room]) -> dict:
    """
    The whole schedule as a c3voc-schema document, one `days` entry per day of the event.

    `sessions` need room loaded and moderators prefetched; pass only what the
    public may see (the feeds leave out drafts and cancelled sessions). The
    version is a short hash of the content and of whether the programme is
    published, so it changes exactly when the programme does, and when it is
    published or a session changes status (a session that becomes a draft or
    is cancelled leaves the document).
    """
    tz = event.tz
    by_day: dict = {day: [] for day in event.days}
    for session in sessions:
        by_day.setdefault(session.starts_at.astimezone(tz).date(), []).append(session)
    days = []
    for index, (day, day_sessions) in enumerate(sorted(by_day.items()), start=1):
        by_room: dict[str, list[dict]] = {room.name: [] for room in rooms}
        for session in day_sessions:
            by_room.setdefault(session.room.name, []).append(_event_dict(event, session))
        if day_sessions:
            day_start = min(s.starts_at for s in day_sessions).astimezone(tz)
            day_end = max(s.ends_at for s in day_sessions).astimezone(tz)
        else:
            day_start = dt.datetime.combine(day, dt.time(0, 0), tzinfo=tz)
            day_end = dt.datetime.combine(day, dt.time(23, 59), tzinfo=tz)
        days.append(
            {
                "index": index,
                "date": day.isoformat(),
                "day_start": day_start.isoformat(),
                "day_end": day_end.isoformat(),
                "rooms": by_room,
            }
        )
    conference = {
        "acronym": event.acronym,
        "title": event.name,
        "start": event.date.isoformat(),
        "end": days[-1]["date"],
        "daysCount": len(days),
        "timeslot_duration": TIMESLOT_DURATION,
        "time_zone_name": event.time_zone,
        "url": settings.SITE_URL + reverse("event:programme_grid", kwargs={"event_slug": event.slug}),
        "rooms": [
            {"name": room.name, "guid": str(room_guid(room)), "capacity": room.capacity} for room in rooms
        ],
        "tracks": [{"name": name} for name in sorted({s.get_kind_display() for s in sessions})],
        "days": days,
    }
    versioned = {"conference": conference, "published": event.programme_published}
    version = hashlib.sha256(json.dumps(versioned, sort_keys=True).encode()).hexdigest()[:12]
    return {
        "$schema": SCHEMA_URL,
        "generator": {"name": "trialoog", "version": "1"},
        "schedule": {"version": version, "base_url": settings.SITE_URL + "/", "conference": conference},
    }


def _text(parent: ElementTree.Element, tag: str, text: str | int | None, **attrs: str) -> ElementTree.Element:
    element = ElementTree.SubElement(parent, tag, attrs)
    element.text = "" if text is None else str(text)
    return element


EVENT_FIELDS_XML = [
    "date",
    "start",
    "duration",
    "room",
    "slug",
    "url",
    "title",
    "subtitle",
    "track",
    "type",
    "language",
    "abstract",
    "description",
]


def schedule_as_xml(document: dict) -> bytes:
    """
    The same schedule in frab's XML layout: schedule > conference, day > room > event.

    Control characters that XML 1.0 forbids are removed from every text first.
    """
    document = text_clean_deep(document)
    schedule = document["schedule"]
    conference = schedule["conference"]
    root = ElementTree.Element("schedule")
    ElementTree.SubElement(root, "generator", document["generator"])
    _text(root, "version", schedule["version"])
    conf = ElementTree.SubElement(root, "conference")
    for tag, key in [
        ("acronym", "acronym"),
        ("title", "title"),
        ("start", "start"),
        ("end", "end"),
        ("days", "daysCount"),
        ("timeslot_duration", "timeslot_duration"),
        ("time_zone_name", "time_zone_name"),
        ("url", "url"),
    ]:
        _text(conf, tag, conference[key])
    _text(conf, "base_url", schedule["base_url"])
    guids = {room["name"]: room["guid"] for room in conference["rooms"]}
    for day in conference["days"]:
        day_el = ElementTree.SubElement(
            root,
            "day",
            {
                "index": str(day["index"]),
                "date": day["date"],
                "start": day["day_start"],
                "end": day["day_end"],
            },
        )
        for room_name, events in day["rooms"].items():
            room_el = ElementTree.SubElement(
                day_el, "room", {"name": room_name, "guid": guids.get(room_name, "")}
            )
            for event in events:
                event_el = ElementTree.SubElement(
                    room_el, "event", {"guid": event["guid"], "id": str(event["id"])}
                )
                for key in EVENT_FIELDS_XML:
                    _text(event_el, key, event[key])
                persons = ElementTree.SubElement(event_el, "persons")
                for person in event["persons"]:
                    _text(persons, "person", person["name"])
                ElementTree.SubElement(event_el, "links")
                ElementTree.SubElement(event_el, "attachments")
    ElementTree.indent(root)
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)
