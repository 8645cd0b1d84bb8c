"""Programme import and export as CSV: all rows or none, every error with its line number."""

import pytest

from events.models import Room, Session, SessionStatus, Theme
from events.services.programme_csv import (
    COLUMNS,
    programme_csv_export,
    programme_csv_import,
    programme_json_import,
)
from tests.factories import EventFactory, RoomFactory, SessionFactory, at

pytestmark = pytest.mark.django_db

HEADER = ",".join(COLUMNS)


@pytest.fixture
def event():
    return EventFactory()


@pytest.fixture
def builder(event, programme_team):
    return programme_team(event)


def _row(**values) -> str:
    defaults = {
        "titel": "Trialoog A",
        "soort": "trialoog",
        "dag": "2026-06-17",
        "begin": "10:30",
        "einde": "11:30",
        "zaal": "Groene zaal",
    }
    merged = {**defaults, **values}
    return ",".join(merged.get(column, "") for column in COLUMNS)


def test_import_creates_sessions_as_drafts_and_a_room_with_capacity(event, builder):
    Theme.objects.create(name="Vereenvoudiging", slug="vereenvoudiging")
    text = "\n".join(
        [
            HEADER,
            _row(capaciteit="30", themas="vereenvoudiging"),
            _row(titel="B", begin="13:00", einde="14:00"),
        ]
    )

    result = programme_csv_import(user=builder, event=event, text=text)

    assert (result.errors, result.created, result.updated, result.rooms_created) == (
        [],
        2,
        0,
        ["Groene zaal"],
    )
    assert list(Session.objects.order_by("starts_at").values_list("title", "status")) == [
        ("Trialoog A", SessionStatus.DRAFT),
        ("B", SessionStatus.DRAFT),
    ]
    assert Room.objects.get().capacity == 30


def test_import_with_errors_saves_nothing_and_lists_each_line(event, builder):
    RoomFactory(event=event, name="Groene zaal")
    text = "\n".join(
        [
            HEADER,
            _row(),
            _row(titel="Botst", begin="11:00", einde="12:00"),
            _row(titel="Onbekend", zaal="Blauwe zaal"),
            _row(titel="Tijd", begin="half elf"),
        ]
    )

    result = programme_csv_import(user=builder, event=event, text=text)

    assert result.errors == [
        (3, "Deze zaal is op dat moment al bezet door “Trialoog A”."),
        (
            4,
            "De zaal “Blauwe zaal” bestaat nog niet. Geef een capaciteit op om hem aan te maken, of kies een bestaande zaal.",
        ),
        (5, "Begin “half elf” is geen tijd; schrijf 10:30."),
    ]
    assert (result.created, Session.objects.count()) == (0, 0)


def test_import_refuses_a_file_without_the_required_columns(event, builder):
    result = programme_csv_import(user=builder, event=event, text="titel,zaal\nA,B\n")

    assert result.errors == [(1, "Deze kolommen ontbreken: soort, dag, begin, einde.")]


def test_export_reimports_as_updates(event, builder):
    theme = Theme.objects.create(name="Arbeidsmarkt", slug="arbeidsmarkt")
    session = SessionFactory(event=event, chatham_house=True, reserved_beleid=3)
    session.themes.add(theme)
    SessionFactory(event=event, room=session.room, starts_at=at(13), ends_at=at(14), title="Middag")
    text = programme_csv_export(event=event)

    result = programme_csv_import(user=builder, event=event, text=text)

    assert (result.errors, result.created, result.updated) == ([], 0, 2)
    assert programme_csv_export(event=event) == text


def test_import_semicolons_and_dutch_dates(event, builder):
    RoomFactory(event=event, name="Groene zaal")
    text = HEADER.replace(",", ";") + "\n" + _row(dag="17-06-2026").replace(",", ";")

    result = programme_csv_import(user=builder, event=event, text=text)

    assert (result.errors, result.created) == ([], 1)


# --- the frab/c3voc JSON of /schedule.json ------------------------------------------------------


def test_json_schedule_of_one_event_fills_another(client, event, programme_team):
    session = SessionFactory(event=event, title="Digitale post", host_organisation="Logius")
    schedule = client.get(f"/{event.slug}/schedule.json").content.decode()
    target = EventFactory(slug="kopie", programme_published=False)

    result = programme_json_import(user=programme_team(target), event=target, text=schedule)

    copy = Session.objects.get(event=target)
    assert (result.errors, result.created, result.updated, result.rooms_created) == (
        [],
        1,
        0,
        [session.room.name],
    )
    assert (copy.title, copy.host_organisation, copy.starts_at, copy.ends_at, copy.status) == (
        "Digitale post",
        "Logius",
        session.starts_at,
        session.ends_at,
        SessionStatus.DRAFT,
    )


def test_json_schedule_read_back_updates_and_keeps_seats(client, event, builder):
    session = SessionFactory(event=event, reserved_beleid=3, chatham_house=True)
    schedule = client.get(f"/{event.slug}/schedule.json").content.decode()

    result = programme_json_import(
        user=builder, event=event, text=schedule.replace(session.title, "Nieuwe titel")
    )

    session.refresh_from_db()
    assert (result.errors, result.created, result.updated) == ([], 0, 1)
    assert (session.title, session.reserved_beleid, session.chatham_house) == ("Nieuwe titel", 3, True)


def test_json_that_is_not_a_schedule_is_refused(event, builder):
    result = programme_json_import(user=builder, event=event, text='{"schedule": 1}')

    assert result.errors == [(0, "Dit is geen schedule.json in het frab/c3voc-formaat.")]
