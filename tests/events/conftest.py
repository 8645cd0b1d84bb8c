import pytest
from django.test import Client

from tests.factories import RegistrationFactory, TeamFactory, UserFactory


def team_member(event):
    """A person on a team of the event's organisation with one right (managing the programme) in this event."""
    person = UserFactory()
    TeamFactory(organisation=event.organisation, members=[person], events=[event], can_manage_programme=True)
    return person


def logged_in(person) -> Client:
    """A test client logged in as this person."""
    client = Client()
    client.force_login(person)
    return client


@pytest.fixture
def attendee():
    """Make a user with a verified address and an active registration for the event."""

    def make(event, **user_fields):
        user = UserFactory(**user_fields)
        RegistrationFactory(user=user, event=event)
        return user

    return make


@pytest.fixture
def programme_team():
    """Make a member of the event organisation's team with the right to build the event's programme."""

    def make(event):
        user = UserFactory()
        TeamFactory(
            organisation=event.organisation, members=[user], events=[event], can_manage_programme=True
        )
        return user

    return make
