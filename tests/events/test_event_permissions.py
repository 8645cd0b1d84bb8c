"""Rights in an event come from the teams of its organisation (events/permissions.py); platform admins hold all."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError

from accounts.models import ORGANISER_GROUP
from events.models import Event, Organisation, programme_organisation
from events.permissions import Right, can, event_rights, events_with_right, is_event_team
from tests.factories import EventFactory, OrganisationFactory, SessionFactory, TeamFactory, UserFactory, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def province():
    """A province with two events of its own, and the programme's event."""
    organisation = OrganisationFactory(name="Provincie Utrecht", slug="utrecht")
    return {
        "organisation": organisation,
        "a": EventFactory(slug="trialoog-a", organisation=organisation),
        "b": EventFactory(slug="trialoog-b", organisation=organisation),
        "day": EventFactory(slug="dvdpd-2026"),
    }


def test_a_team_holds_its_rights_in_the_events_it_names_only(province):
    person = UserFactory()
    TeamFactory(
        organisation=province["organisation"],
        members=[person],
        events=[province["a"]],
        can_manage_programme=True,
    )

    assert can(person, Right.PROGRAMME, province["a"]) is True
    assert can(person, Right.PROGRAMME, province["b"]) is False
    assert can(person, Right.ROOMS, province["a"]) is False
    assert is_event_team(person, province["b"]) is False
    assert list(events_with_right(person, Right.PROGRAMME)) == [province["a"]]


def test_an_all_events_team_covers_its_organisation_and_no_other(province):
    person = UserFactory()
    TeamFactory(organisation=province["organisation"], members=[person], all_events=True, can_run_rooms=True)

    assert {e.slug for e in events_with_right(person, Right.ROOMS)} == {"trialoog-a", "trialoog-b"}
    assert can(person, Right.ROOMS, province["day"]) is False
    assert events_with_right(person, Right.REPORTS).count() == 0


def test_a_team_of_another_organisation_naming_the_event_gives_nothing(province):
    """Teams act only in their own organisation's events, whatever events they list."""
    person = UserFactory()
    other = OrganisationFactory(name="Gemeente Utrecht", slug="gemeente-utrecht")
    TeamFactory(organisation=other, members=[person], events=[province["a"]], can_manage_programme=True)

    assert event_rights(person, province["a"]) == frozenset()


def test_health_data_only_with_the_registrations(province):
    person, other = UserFactory(), UserFactory()
    TeamFactory(
        organisation=province["organisation"], members=[person], all_events=True, can_view_health_data=True
    )
    TeamFactory(
        organisation=province["organisation"],
        members=[other],
        all_events=True,
        can_view_health_data=True,
        can_view_registrations=True,
    )

    assert can(person, Right.HEALTH_DATA, province["a"]) is False
    assert can(other, Right.HEALTH_DATA, province["a"]) is True


def test_rights_of_two_teams_add_up(province):
    person = UserFactory()
    TeamFactory(organisation=province["organisation"], members=[person], all_events=True, can_run_rooms=True)
    TeamFactory(
        organisation=province["organisation"],
        members=[person],
        events=[province["b"]],
        can_approve_reports=True,
    )

    assert event_rights(person, province["b"]) == {Right.ROOMS, Right.REPORTS}
    assert event_rights(person, province["a"]) == {Right.ROOMS}


def test_a_platform_admin_holds_every_right_and_anonymous_none(province, client):
    admin = UserFactory()
    admin.groups.add(Group.objects.get_or_create(name=ORGANISER_GROUP)[0])
    anonymous = client.get("/").wsgi_request.user

    assert event_rights(admin, province["day"]) == set(Right.ALL)
    assert events_with_right(admin).count() == 3
    assert event_rights(anonymous, province["a"]) == frozenset()
    assert events_with_right(anonymous).count() == 0


def test_an_event_without_an_owner_belongs_to_the_programme():
    event = Event.objects.create(name="Los", slug="los", acronym="los2026", date=dt.date(2026, 9, 15))

    assert event.organisation == programme_organisation()
    assert event.organisation.kind == Organisation.Kind.PROGRAMME
    assert event.programme_published is False


@pytest.mark.parametrize("slug", ["zaal", "admin", "Kennisbank", "account", "schedule.json", "organisator"])
def test_a_slug_that_is_a_site_path_is_refused_with_a_clear_message(slug):
    event = Event(name="X", slug=slug, acronym="x2026", date=dt.date(2026, 9, 15))

    with pytest.raises(ValidationError) as refused:
        event.full_clean()

    assert "is al een adres van de site zelf" in str(refused.value.message_dict["slug"])


def test_sessions_of_a_multi_day_event_fall_on_one_of_its_days():
    event = EventFactory(date=dt.date(2026, 6, 17), end_date=dt.date(2026, 6, 18))
    second_day = SessionFactory.build(
        event=event, starts_at=at(10, date=dt.date(2026, 6, 18)), ends_at=at(11, date=dt.date(2026, 6, 18))
    )
    second_day.room.save()
    second_day.room_id = second_day.room.pk
    after = SessionFactory.build(
        event=event,
        room=second_day.room,
        starts_at=at(10, date=dt.date(2026, 6, 19)),
        ends_at=at(11, date=dt.date(2026, 6, 19)),
    )

    second_day.full_clean(exclude=["code"])
    with pytest.raises(ValidationError) as refused:
        after.full_clean(exclude=["code"])

    assert event.days == [dt.date(2026, 6, 17), dt.date(2026, 6, 18)]
    assert "17-06-2026 tot en met 18-06-2026" in str(refused.value.message_dict["starts_at"])
