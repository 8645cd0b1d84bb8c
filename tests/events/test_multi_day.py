"""An event of several days: one grid per day, the list grouped by day, one schedule day per day."""

import datetime as dt
import json
import re
from pathlib import Path

import jsonschema
import pytest

from tests.factories import EventFactory, RoomFactory, SessionFactory, at

pytestmark = pytest.mark.django_db

SCHEMA = json.loads((Path(__file__).parent / "c3voc_schedule_schema.json").read_text())
FIRST, SECOND = dt.date(2026, 9, 15), dt.date(2026, 9, 16)


@pytest.fixture
def two_days():
    event = EventFactory(slug="tweedaags", date=FIRST, end_date=SECOND)
    room = RoomFactory(event=event, name="Zaal A")
    SessionFactory(
        event=event, room=room, title="Dag een", starts_at=at(10, date=FIRST), ends_at=at(11, date=FIRST)
    )
    SessionFactory(
        event=event, room=room, title="Dag twee", starts_at=at(9, date=SECOND), ends_at=at(10, date=SECOND)
    )
    return event


def test_the_grid_has_one_table_per_day_with_links_to_each_day(client, two_days):
    """Without JavaScript: one table per day, and a day switcher of plain links to each day's section."""
    content = client.get("/tweedaags/programma/").content.decode()

    assert content.count('<table class="programme-grid">') == 2
    assert re.findall(r'href="#(dag-[0-9-]+)"', content) == ["dag-2026-09-15", "dag-2026-09-16"]
    assert 'id="dag-2026-09-15"' in content
    assert 'id="dag-2026-09-16"' in content
    assert content.index("Dag een") < content.index('id="dag-2026-09-16"') < content.index("Dag twee")


def test_the_list_groups_sessions_by_day(client, two_days):
    content = client.get("/tweedaags/programma/lijst/").content.decode()

    assert re.findall(r"<h2>([^<]+)</h2>", content) == [
        "dinsdag 15 september 2026",
        "woensdag 16 september 2026",
    ]
    assert content.index("Dag een") < content.index("woensdag 16 september 2026") < content.index("Dag twee")


def test_a_one_day_programme_has_no_day_headings(client):
    event = EventFactory()
    SessionFactory(event=event)

    content = client.get(f"/{event.slug}/programma/").content.decode()

    assert (content.count('<table class="programme-grid">'), 'href="#dag-' in content) == (1, False)


def test_the_schedule_has_one_day_per_day_of_the_event(client, two_days):
    conference = client.get("/tweedaags/schedule.json").json()["schedule"]["conference"]

    assert (conference["start"], conference["end"], conference["daysCount"]) == (
        "2026-09-15",
        "2026-09-16",
        2,
    )
    assert [
        (d["index"], d["date"], [e["title"] for events in d["rooms"].values() for e in events])
        for d in conference["days"]
    ] == [(1, "2026-09-15", ["Dag een"]), (2, "2026-09-16", ["Dag twee"])]


def test_the_multi_day_schedule_passes_the_c3voc_schema(client, two_days):
    document = client.get("/tweedaags/schedule.json").json()

    assert [e.message for e in jsonschema.Draft6Validator(SCHEMA).iter_errors(document)] == []
