"""users_for_session_keys finds exactly the users django.contrib.auth.get_user finds, for many sessions at once."""

import datetime as dt
from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.auth import get_user
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from accounts.selectors import users_for_session_keys
from tests.factories import UserFactory


def _logged_in(client, user) -> str:
    client.force_login(user)
    return client.session.session_key


def _django_says(key: str):
    request = RequestFactory().get("/")
    request.session = import_module(settings.SESSION_ENGINE).SessionStore(key)
    user = get_user(request)
    return user if user.is_authenticated else None


@pytest.mark.django_db
def test_same_answer_as_django_for_every_kind_of_session():
    """Valid, password changed, deactivated, expired, logged out, unknown: as get_user decides."""
    from django.test import Client

    names = ("valid", "changed", "inactive", "expired", "logged_out")
    users = {name: UserFactory() for name in names}
    keys = {name: _logged_in(Client(), users[name]) for name in names}
    valid, changed, inactive = users["valid"], users["changed"], users["inactive"]
    changed.set_password("een-heel-nieuw-wachtwoord")
    changed.save()
    inactive.is_active = False
    inactive.save()
    Session.objects.filter(session_key=keys["expired"]).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    Session.objects.filter(session_key=keys["logged_out"]).delete()
    everything = [*keys.values(), "onbekend0000000000000000000000000", ""]

    found = users_for_session_keys(everything)

    assert found == {keys["valid"]: valid}
    expected = {key: _django_says(key) for key in everything if key}
    assert {key: user for key, user in expected.items() if user is not None} == found


@pytest.mark.django_db
def test_session_made_with_an_old_secret_still_counts(client):
    """After a key rotation with SECRET_KEY_FALLBACKS, people stay logged in, as in Django."""
    user = UserFactory()
    with override_settings(SECRET_KEY="oud-" + "x" * 60):
        key = _logged_in(client, user)
    with override_settings(SECRET_KEY_FALLBACKS=["oud-" + "x" * 60]):
        assert users_for_session_keys([key]) == {key: user}
    assert users_for_session_keys([key]) == {}


@pytest.mark.django_db
def test_two_queries_for_a_crowd():
    from django.test import Client

    users = [UserFactory() for _ in range(30)]
    keys = [_logged_in(Client(), user) for user in users]

    with CaptureQueriesContext(connection) as queries:
        found = users_for_session_keys(keys)

    assert len(found) == 30
    assert len(queries) == 2
