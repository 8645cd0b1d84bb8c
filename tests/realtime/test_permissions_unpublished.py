"""
The live room of a draft session, or of a session whose programme is unpublished, admits only the
event's team and the session's moderators and rapporteurs.
"""

import pytest
from django.test import Client

from accounts.roles import organiser_group_ensure
from events.models import SessionStatus
from realtime.models import LiveRoom
from realtime.permissions import role_in_room, roles_in_room
from tests.factories import EventFactory, RegistrationFactory, SessionFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def _room(**event_fields) -> LiveRoom:
    session = SessionFactory(event=EventFactory(**event_fields))
    room = LiveRoom.objects.create(session=session, is_open=True)
    return LiveRoom.objects.select_related("session__event").get(pk=room.pk)


def _people(room: LiveRoom) -> dict:
    """A registered attendee, a registered team member, a moderator, a rapporteur and a platform admin."""
    event = room.session.event
    people = {name: UserFactory() for name in ("attendee", "team", "moderator", "rapporteur", "admin")}
    for person in people.values():
        RegistrationFactory(user=person, event=event)
    TeamFactory(
        organisation=event.organisation, members=[people["team"]], events=[event], can_manage_programme=True
    )
    room.session.moderators.add(people["moderator"])
    room.session.rapporteurs.add(people["rapporteur"])
    people["admin"].groups.add(organiser_group_ensure())
    return people


def _roles(room: LiveRoom, people: dict) -> dict:
    return {name: role_in_room(person, room) for name, person in people.items()}


HIDDEN = {
    "attendee": None,
    "team": "participant",
    "moderator": "moderator",
    "rapporteur": "moderator",
    "admin": "moderator",
}


def test_a_room_of_an_unpublished_programme_admits_only_team_moderators_and_rapporteurs():
    room = _room(programme_published=False)

    assert _roles(room, _people(room)) == HIDDEN


def test_a_room_of_a_draft_session_admits_only_team_moderators_and_rapporteurs():
    room = _room()
    room.session.status = SessionStatus.DRAFT
    room.session.save()

    assert _roles(room, _people(room)) == HIDDEN


def test_a_public_room_admits_every_registered_attendee():
    room = _room()

    assert _roles(room, _people(room))["attendee"] == "participant"


def test_roles_in_room_agrees_with_role_in_room_for_a_hidden_room():
    """The batch version (used for many sockets at once) gives the same answer per person."""
    room = _room(programme_published=False)
    people = _people(room)

    roles = roles_in_room(list(people.values()), room)

    assert {name: roles.get(person.pk) for name, person in people.items()} == HIDDEN


@pytest.mark.parametrize("crowd", [3, 30])
def test_roles_in_room_of_a_hidden_room_uses_a_constant_number_of_queries(django_assert_num_queries, crowd):
    """Organisers, the event's room runners, moderators, rapporteurs, registrations, the session's room (for
    its access setting) and the team: seven queries for 3 or 30 people."""
    room = _room(programme_published=False)
    people = list(_people(room).values())
    for _ in range(crowd - len(people)):
        person = UserFactory()
        RegistrationFactory(user=person, event=room.session.event)
        people.append(person)

    with django_assert_num_queries(7):
        roles = roles_in_room(people, room)

    assert sorted(roles.values()).count("participant") == 1


def test_the_room_page_of_a_hidden_session_is_404_for_outsiders_and_open_to_the_team():
    """An attendee outside the team learns nothing, not even the title (404, not the 403 page that names it)."""
    room = _room(programme_published=False)
    people = _people(room)
    statuses = {}
    for name in ("attendee", "team"):
        client = Client()
        client.force_login(people[name])
        statuses[name] = client.get(f"/zaal/{room.session.code}/").status_code

    assert statuses == {"attendee": 404, "team": 200}
