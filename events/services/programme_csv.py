"""
A programme as CSV (and, in, the frab/c3voc JSON of /schedule.json): one row per session, the same columns out and in, so an export re-imports.

Columns (COLUMNS): code, title, kind, day, start, end, room, capacity, the
reserved seats per perspective, chatham house, room access, themes,
description, host organisation, status. A row with the join code of a
session of this event changes that session; a row without a code creates
one (as a draft, unless its status says otherwise).

A room that does not exist yet is created when the row gives a capacity
(that capacity becomes the room's), and refused otherwise: a typing error in
a room name should not silently make an extra room. An unknown theme is
refused (themes are a managed list).

An import is all or nothing: every row is validated by the model's
`full_clean()` (with the room clash check, which also sees the rows above it
in the same file) inside one transaction; with any error, every error is
listed with its line number and the transaction is rolled back.
"""

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_log
from events.models import Event, Room, RoomAccess, Session, SessionKind, SessionStatus, Theme
from events.schedule import session_guid
from events.services.programme import require_programme, session_times

COLUMNS = [
    "code",
    "titel",
    "soort",
    "dag",
    "begin",
    "einde",
    "zaal",
    "capaciteit",
    "gereserveerd_politiek",
    "gereserveerd_beleid",
    "gereserveerd_uitvoering",
    "chatham_house",
    "toegang",
    "themas",
    "beschrijving",
    "organiserende_organisatie",
    "status",
]
REQUIRED = ("titel", "soort", "dag", "begin", "einde", "zaal")
YES = {"ja", "j", "yes", "y", "true", "1", "waar"}
NO = {"nee", "n", "no", "false", "0", "onwaar", ""}
MAX_ROWS = 2000


@dataclass
class ImportResult:
    """What an import did; `errors` are (line number, or session number for JSON, message)."""

    kind: str = "csv"
    created: int = 0
    updated: int = 0
    rooms_created: list[str] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)


class _RowError(Exception):
    pass


def programme_csv_export(*, event: Event) -> str:
    """The event's sessions (drafts and cancelled ones too) as CSV text in COLUMNS (two queries)."""
    tz = event.tz
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    sessions = Session.objects.filter(event=event).select_related("room").prefetch_related("themes")
    for s in sessions.order_by("starts_at", "room__position", "title"):
        start, end = s.starts_at.astimezone(tz), s.ends_at.astimezone(tz)
        writer.writerow(
            [
                s.code,
                s.title,
                s.kind,
                start.date().isoformat(),
                start.strftime("%H:%M"),
                end.strftime("%H:%M"),
                s.room.name,
                "" if s.capacity is None else s.capacity,
                s.reserved_politiek,
                s.reserved_beleid,
                s.reserved_uitvoering,
                "ja" if s.chatham_house else "nee",
                s.room_access,
                "; ".join(theme.name for theme in s.themes.all()),
                s.description,
                s.host_organisation,
                s.status,
            ]
        )
    return out.getvalue()


def _choice(value: str, choices, label: str) -> str:
    wanted = value.strip().lower()
    for key, name in choices:
        if wanted in (key.lower(), str(name).lower()):
            return key
    options = ", ".join(key for key, _name in choices)
    raise _RowError(
        _("%(label)s “%(value)s” bestaat niet; kies uit %(options)s.")
        % {"label": label, "value": value, "options": options}
    )


def _number(value: str, label: str, blank=None) -> int | None:
    value = value.strip()
    if not value:
        return blank
    if not value.isdigit():
        raise _RowError(
            _("%(label)s moet een heel getal zijn, niet “%(value)s”.") % {"label": label, "value": value}
        )
    return int(value)


def _day(value: str) -> dt.date:
    for pattern in ("%Y-%m-%d", "%d-%m-%Y"):
        try:
            return dt.datetime.strptime(value.strip(), pattern).date()
        except ValueError:
            continue
    raise _RowError(
        _("De dag “%(value)s” is geen datum; schrijf 2026-06-17 of 17-06-2026.") % {"value": value}
    )


def _time(value: str, label: str) -> dt.time:
    try:
        return dt.datetime.strptime(value.strip(), "%H:%M").time()
    except ValueError:
        raise _RowError(
            _("%(label)s “%(value)s” is geen tijd; schrijf 10:30.") % {"label": label, "value": value}
        ) from None


def _flag(value: str) -> bool:
    wanted = value.strip().lower()
    if wanted in YES:
        return True
    if wanted in NO:
        return False
    raise _RowError(_("Chatham House moet ja of nee zijn, niet “%(value)s”.") % {"value": value})


def _themes(value: str, known: dict[str, Theme]) -> list[Theme]:
    names = [part.strip() for part in value.replace(",", ";").split(";") if part.strip()]
    unknown = [name for name in names if name.lower() not in known]
    if unknown:
        raise _RowError(_("Onbekend thema: %(names)s.") % {"names": ", ".join(unknown)})
    return [known[name.lower()] for name in names]


def _room(row: dict, event: Event, rooms: dict[str, Room], result: ImportResult) -> Room:
    name = " ".join(row["zaal"].split())
    room = rooms.get(name.lower())
    if room is not None:
        return room
    capacity = row.get("_room_capacity") or _number(row.get("capaciteit") or "", _("Capaciteit"))
    if not capacity:
        raise _RowError(
            _(
                "De zaal “%(name)s” bestaat nog niet. Geef een capaciteit op om hem aan te maken, of kies een bestaande zaal."
            )
            % {"name": name}
        )
    room = Room(event=event, name=name, capacity=capacity, position=len(rooms))
    room.full_clean()
    room.save()
    rooms[name.lower()] = room
    result.rooms_created.append(name)
    return room


def _messages(error: ValidationError) -> str:
    return " ".join(error.messages)


def _apply(row: dict, event: Event, rooms, themes, sessions_by_code, result: ImportResult) -> None:
    missing = [name for name in REQUIRED if not (row.get(name) or "").strip()]
    if missing:
        raise _RowError(_("Niet ingevuld: %(columns)s.") % {"columns": ", ".join(missing)})
    code = (row.get("code") or "").strip().upper()
    session = None
    if row.get("_guid"):
        session = sessions_by_code.get(row["_guid"]) or Session(event=event, status=SessionStatus.DRAFT)
    elif code:
        session = sessions_by_code.get(code)
        if session is None:
            raise _RowError(
                _(
                    "Geen sessie van dit evenement heeft de code “%(code)s”. Laat de code leeg voor een nieuwe sessie."
                )
                % {"code": code}
            )
    else:
        session = Session(event=event, status=SessionStatus.DRAFT)
    session.starts_at, session.ends_at = session_times(
        event=event,
        day=_day(row["dag"]),
        start=_time(row["begin"], _("Begin")),
        end=_time(row["einde"], _("Einde")),
    )
    session.title = row["titel"].strip()
    session.kind = _choice(row["soort"], SessionKind.choices, _("Soort"))
    session.room = _room(row, event, rooms, result)
    # A column the file does not have leaves that field as it is (the frab JSON has no seats or themes).
    if "capaciteit" in row:
        session.capacity = _number(row["capaciteit"] or "", _("Capaciteit"))
    for perspective in ("politiek", "beleid", "uitvoering"):
        if f"gereserveerd_{perspective}" in row:
            value = _number(row[f"gereserveerd_{perspective}"] or "", _("Gereserveerd"), 0)
            setattr(session, f"reserved_{perspective}", value)
    if "chatham_house" in row:
        session.chatham_house = _flag(row["chatham_house"] or "")
    if (row.get("toegang") or "").strip():
        session.room_access = _choice(row["toegang"], RoomAccess.choices, _("Toegang"))
    if (row.get("status") or "").strip():
        session.status = _choice(row["status"], SessionStatus.choices, _("Status"))
    if "beschrijving" in row:
        session.description = (row["beschrijving"] or "").strip()
    if "organiserende_organisatie" in row:
        session.host_organisation = (row["organiserende_organisatie"] or "").strip()
    chosen_themes = _themes(row["themas"] or "", themes) if "themas" in row else None
    created = session.pk is None
    try:
        session.full_clean()
    except ValidationError as error:
        raise _RowError(_messages(error)) from None
    session.save()
    if chosen_themes is not None:
        session.themes.set(chosen_themes)
    if created:
        result.created += 1
    else:
        result.updated += 1


class _Rollback(Exception):
    pass


def programme_csv_import(*, user: User, event: Event, text: str) -> ImportResult:
    """
    Create and change the event's sessions from CSV text; all rows or none.

    Returns the counts, or, when any row is wrong, every error with its line
    number (the header is line 1) and nothing saved. Writes an audit line on success.
    """
    require_programme(user, event)
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")), dialect=_dialect(text))
    headers = [name.strip().lower() for name in reader.fieldnames or []]
    missing = [name for name in REQUIRED if name not in headers]
    if missing:
        return ImportResult(
            errors=[(1, _("Deze kolommen ontbreken: %(columns)s.") % {"columns": ", ".join(missing)})]
        )
    reader.fieldnames = headers
    return _import(
        user=user, event=event, rows=((reader.line_num, row) for row in reader), result=ImportResult()
    )


def programme_json_import(*, user: User, event: Event, text: str) -> ImportResult:
    """
    Create and change the event's sessions from a frab/c3voc schedule (what /schedule.json gives); all or none.

    A session whose guid is one of this event's (an exported schedule read
    back) is changed, any other is created as a draft. Rooms the schedule lists
    with a capacity are created when missing. Errors are numbered by session,
    in the order of the file.
    """
    require_programme(user, event)
    result = ImportResult(kind="json")
    try:
        conference = json.loads(text)["schedule"]["conference"]
        capacities = {room["name"]: room.get("capacity") for room in conference.get("rooms", [])}
        talks = [talk for day in conference["days"] for talks in day["rooms"].values() for talk in talks]
    except (ValueError, KeyError, TypeError, AttributeError):
        result.errors.append((0, _("Dit is geen schedule.json in het frab/c3voc-formaat.")))
        return result
    return _import(
        user=user,
        event=event,
        rows=((number, _row_from_talk(talk, capacities)) for number, talk in enumerate(talks, start=1)),
        result=result,
    )


def _row_from_talk(talk: dict, capacities: dict) -> dict:
    """One frab/c3voc event as the columns of a CSV row."""
    if not isinstance(talk, dict):
        return {}
    row = {"titel": str(talk.get("title") or ""), "soort": str(talk.get("type") or "")}
    row["zaal"] = str(talk.get("room") or "")
    row["_room_capacity"] = capacities.get(row["zaal"])
    row["_guid"] = str(talk.get("guid") or "")
    row["beschrijving"] = str(talk.get("description") or talk.get("abstract") or "")
    row["organiserende_organisatie"] = str(talk.get("subtitle") or "")
    try:
        start = dt.datetime.fromisoformat(str(talk.get("date")))
        hours, minutes = (int(part) for part in str(talk.get("duration")).split(":"))
    except ValueError:
        return {**row, "dag": str(talk.get("date") or ""), "begin": "?", "einde": "?"}
    end = start + dt.timedelta(hours=hours, minutes=minutes)
    return {
        **row,
        "dag": start.date().isoformat(),
        "begin": start.strftime("%H:%M"),
        "einde": end.strftime("%H:%M"),
    }


def _import(*, user: User, event: Event, rows, result: ImportResult) -> ImportResult:
    """Apply (position, row) pairs in one transaction; with any error roll all of it back."""
    try:
        with transaction.atomic():
            rooms = {room.name.lower(): room for room in Room.objects.filter(event=event)}
            themes = {}
            for theme in Theme.objects.all():
                themes[theme.name.lower()] = themes[theme.slug.lower()] = theme
            sessions_by_code = {}
            for session in Session.objects.filter(event=event).select_related("room"):
                sessions_by_code[session.code] = sessions_by_code[str(session_guid(session))] = session
            for count, (position, row) in enumerate(rows, start=1):
                if count > MAX_ROWS:
                    result.errors.append((position, _("Meer dan %(max)d sessies.") % {"max": MAX_ROWS}))
                    break
                if not any((value or "").strip() for value in row.values() if isinstance(value, str)):
                    continue
                try:
                    with transaction.atomic():
                        _apply(row, event, rooms, themes, sessions_by_code, result)
                except _RowError as error:
                    result.errors.append((position, str(error)))
                except ValidationError as error:
                    result.errors.append((position, _messages(error)))
            if result.errors:
                raise _Rollback
    except _Rollback:
        return ImportResult(kind=result.kind, errors=result.errors)
    audit_log(
        actor=user,
        action="programme.imported",
        detail={
            "event": event.pk,
            "created": result.created,
            "updated": result.updated,
            "format": result.kind,
        },
    )
    return result


def _dialect(text: str):
    try:
        return csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        return csv.excel
