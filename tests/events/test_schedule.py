import json
import uuid
from pathlib import Path
from xml.etree import ElementTree

import jsonschema
import pytest
from django.core.management import call_command

from events.models import Session
from events.schedule import duration_text, session_guid
from tests.factories import SessionFactory, UserFactory, at, event_path

pytestmark = pytest.mark.django_db

SCHEMA = json.loads((Path(__file__).parent / "c3voc_schedule_schema.json").read_text())


@pytest.fixture
def seeded():
    call_command("seed_demo", verbosity=0)


def test_schedule_json_validates_against_the_c3voc_schema(client, seeded):
    """/schedule.json of the seeded day passes the c3voc schema (Draft 6) without a single error."""
    response = client.get(event_path("schedule.json"))

    document = response.json()
    errors = [e.message for e in jsonschema.Draft6Validator(SCHEMA).iter_errors(document)]
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert errors == []


def test_schedule_json_event_fields_follow_what_conference_apps_read(client):
    """start is HH:MM local, date full ISO with offset, duration H:MM, guid a UUID5 from the join code."""
    session = SessionFactory(title="Trialoog: gegevensdeling", starts_at=at(12, 45), ends_at=at(14, 0))

    conference = client.get(event_path("schedule.json")).json()["schedule"]["conference"]

    event = conference["days"][0]["rooms"][session.room.name][0]
    assert (event["start"], event["date"], event["duration"]) == (
        "12:45",
        "2026-06-17T12:45:00+02:00",
        "1:15",
    )
    assert event["guid"] == str(session_guid(session))
    assert uuid.UUID(event["guid"]).version == 5
    assert event["slug"] == f"dvdpd2026-{session.pk}-trialoog-gegevensdeling"
    assert conference["acronym"] == "dvdpd2026"


def test_schedule_guid_is_stable_across_requests_and_edits(client):
    """Changing a session's title or time keeps its guid, so apps do not see a new event."""
    session = SessionFactory()
    before = client.get(event_path("schedule.json")).json()["schedule"]["conference"]["days"][0]["rooms"][
        session.room.name
    ]
    Session.objects.filter(pk=session.pk).update(title="Nieuwe titel", starts_at=at(9), ends_at=at(10))

    after = client.get(event_path("schedule.json")).json()["schedule"]["conference"]["days"][0]["rooms"][
        session.room.name
    ]

    assert before[0]["guid"] == after[0]["guid"]


def test_schedule_version_changes_when_the_programme_changes(client):
    """The version is a content hash: same programme, same version; an edit gives a new one."""
    session = SessionFactory()
    first = client.get(event_path("schedule.json")).json()["schedule"]["version"]
    again = client.get(event_path("schedule.json")).json()["schedule"]["version"]
    session.title = "Nieuwe titel"
    session.save()

    changed = client.get(event_path("schedule.json")).json()["schedule"]["version"]

    assert first == again
    assert changed != first


def test_schedule_names_moderators_except_under_chatham_house(client):
    """Moderators appear as persons, but a Chatham House session names nobody."""
    open_session = SessionFactory(title="Open")
    closed = SessionFactory(event=open_session.event, title="Besloten", chatham_house=True)
    moderator = UserFactory(name="Mo de Moderator")
    open_session.moderators.add(moderator)
    closed.moderators.add(moderator)

    days = client.get(event_path("schedule.json")).json()["schedule"]["conference"]["days"][0]["rooms"]

    persons = {event["title"]: event["persons"] for events in days.values() for event in events}
    assert persons == {"Open": [{"name": "Mo de Moderator"}], "Besloten": []}


@pytest.mark.parametrize(("minutes", "text"), [(15, "0:15"), (75, "1:15"), (165, "2:45"), (600, "10:00")])
def test_duration_text_is_hours_and_two_digit_minutes(minutes, text):
    """Durations are written H:MM as the schema's pattern asks."""
    import datetime as dt

    assert duration_text(dt.timedelta(minutes=minutes)) == text


def test_schedule_xml_has_frab_layout_and_matches_the_json(client, seeded):
    """/schedule.xml holds version, conference and day > room > event with the same guids as the JSON."""
    document = client.get(event_path("schedule.json")).json()

    root = ElementTree.fromstring(client.get(event_path("schedule.xml")).content)

    assert root.tag == "schedule"
    assert root.findtext("version") == document["schedule"]["version"]
    assert root.findtext("conference/acronym") == "dvdpd2026"
    day = root.find("day")
    assert (day.get("index"), day.get("date")) == ("1", "2026-06-17")
    xml_events = {
        e.get("guid"): (e.findtext("start"), e.findtext("duration"), e.findtext("title"))
        for e in root.iter("event")
    }
    json_events = {
        e["guid"]: (e["start"], e["duration"], e["title"])
        for events in document["schedule"]["conference"]["days"][0]["rooms"].values()
        for e in events
    }
    assert xml_events == json_events
    assert len(xml_events) == 12


def test_schedule_json_uses_a_constant_number_of_queries(client, seeded, django_assert_num_queries):
    """Event, rooms, sessions and moderators, plus the cache's next-change moment: five queries for the
    whole day; the next request is served from the public-page cache without any."""
    url = event_path("schedule.json")
    with django_assert_num_queries(5):
        client.get(url)
    with django_assert_num_queries(0):
        client.get(url)


def test_c3voc_schema_fixture_rejects_what_it_should(client):
    """The fixture bites: a hyphenated acronym, a minutes-only duration and an extra event key all fail."""
    SessionFactory()
    document = client.get(event_path("schedule.json")).json()
    conference = document["schedule"]["conference"]
    conference["acronym"] = "dvdpd-2026"
    event = next(iter(conference["days"][0]["rooms"].values()))[0]
    event["duration"] = "75"
    event["code"] = "ABC123"

    errors = sorted(e.validator for e in jsonschema.Draft6Validator(SCHEMA).iter_errors(document))

    assert errors == ["additionalProperties", "pattern", "pattern"]
