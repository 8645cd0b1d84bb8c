import datetime as dt

import pytest
from allauth.account.models import EmailAddress

from accounts.models import Perspective, User
from accounts.roles import organiser_group_ensure
from events.models import Event


@pytest.fixture
def make_user(db):
    """Create a user with a verified email address and a complete profile."""

    def make(email="anna@example.org", *, verified=True, complete=True, organiser=False, **fields):
        profile = (
            {"name": "Anna de Vries", "organisation": "DUO", "perspective": Perspective.UITVOERING}
            if complete
            else {}
        )
        user = User.objects.create_user(
            email=email, password="een-lang-wachtwoord-42", **{**profile, **fields}
        )
        EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
        if organiser:
            user.groups.add(organiser_group_ensure())
            user.is_staff = True
            user.save()
        return user

    return make


@pytest.fixture
def event(db):
    return Event.objects.create(
        name="Dag van de Publieke Dienstverlening 2026",
        slug="dvdpd-2026",
        acronym="dvdpd2026",
        date=dt.date(2026, 6, 17),
        programme_published=True,
    )
