import pytest

from tests.factories import RegistrationFactory, UserFactory


@pytest.fixture
def attendee():
    """Make a user with a verified address and an active registration for the event."""

    def make(event, **user_fields):
        user = UserFactory(**user_fields)
        RegistrationFactory(user=user, event=event)
        return user

    return make
