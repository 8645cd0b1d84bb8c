"""users_for_session_keys finds exactly the users django.contrib.auth.get_user finds, for many sessions at once."""

import datetime as dt
from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user
from django.contrib.auth.backends import ModelBackend
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from accounts.selectors import users_for_session_keys
from tests.factories import UserFactory

REFUSING_BACKEND = "tests.accounts.test_session_users.RefusingBackend"


class RefusingBackend(ModelBackend):
    """A backend with its own get_user, which knows nobody."""

    def get_user(self, user_id):
        return None


def _logged_in(user) -> str:
    client = Client()
    client.force_login(user)
    return client.session.session_key


def _edit_session(key: str, **changes) -> None:
    """Rewrite some values of a stored session (None removes the value)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore(key)
    for name, value in changes.items():
        if value is None:
            del store[name]
        else:
            store[name] = value
    store.save()


def _valid(user):
    return _logged_in(user)


def _password_changed(user):
    key = _logged_in(user)
    user.set_password("een-heel-nieuw-wachtwoord")
    user.save()
    return key


def _inactive(user):
    key = _logged_in(user)
    user.is_active = False
    user.save()
    return key


def _unknown_backend(user):
    key = _logged_in(user)
    _edit_session(key, **{BACKEND_SESSION_KEY: "weg.backends.OudeBackend"})
    return key


def _backend_with_its_own_get_user(user):
    key = _logged_in(user)
    _edit_session(key, **{BACKEND_SESSION_KEY: REFUSING_BACKEND})
    return key


def _expired(user):
    key = _logged_in(user)
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    return key


def _no_session_row(user):
    key = _logged_in(user)
    Session.objects.filter(session_key=key).delete()
    return key


def _no_user_in_session(user):
    key = _logged_in(user)
    _edit_session(key, **{SESSION_KEY: None})
    return key


def _no_hash_in_session(user):
    key = _logged_in(user)
    _edit_session(key, **{HASH_SESSION_KEY: None})
    return key


def _user_deleted(user):
    key = _logged_in(user)
    user.delete()
    return key


def _django_says(key: str):
    request = RequestFactory().get("/")
    request.session = import_module(settings.SESSION_ENGINE).SessionStore(key)
    user = get_user(request)
    return user if user.is_authenticated else None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("make_session", "found"),
    [
        (_valid, True),
        (_password_changed, False),
        (_inactive, False),
        (_unknown_backend, False),
        (_backend_with_its_own_get_user, False),
        (_expired, False),
        (_no_session_row, False),
        (_no_user_in_session, False),
        (_no_hash_in_session, False),
        (_user_deleted, False),
    ],
)
def test_same_answer_as_get_user(make_session, found):
    """For each kind of session: the user get_user finds, or nobody where get_user finds nobody."""
    user = UserFactory()
    with override_settings(AUTHENTICATION_BACKENDS=[*settings.AUTHENTICATION_BACKENDS, REFUSING_BACKEND]):
        key = make_session(user)

        ours = users_for_session_keys([key])
        djangos = _django_says(key)  # last: get_user flushes a session that fails its checks

    assert ours == ({key: user} if found else {})
    assert ours == ({key: djangos} if djangos is not None else {})


@pytest.mark.django_db
def test_a_crowd_of_mixed_sessions_gets_each_its_own_answer():
    """Valid sessions among invalid and malformed keys: exactly the valid ones, each with its user."""
    users = [UserFactory() for _ in range(3)]
    valid = [_logged_in(user) for user in users]
    invalid = [_password_changed(UserFactory()), _expired(UserFactory()), _inactive(UserFactory())]

    found = users_for_session_keys(
        [*valid, *invalid, "onbekend0000000000000000000000000", "", "nul\x00byte0", None]
    )

    assert found == dict(zip(valid, users, strict=True))


@pytest.mark.django_db
def test_session_made_with_an_old_secret_still_counts():
    """After a key rotation with SECRET_KEY_FALLBACKS, people stay logged in, as in Django."""
    user = UserFactory()
    with override_settings(SECRET_KEY="oud-" + "x" * 60):
        key = _logged_in(user)
    with override_settings(SECRET_KEY_FALLBACKS=["oud-" + "x" * 60]):
        assert users_for_session_keys([key]) == {key: user}
    assert users_for_session_keys([key]) == {}


@pytest.mark.django_db
def test_two_queries_for_a_crowd():
    users = [UserFactory() for _ in range(30)]
    keys = [_logged_in(user) for user in users]

    with CaptureQueriesContext(connection) as queries:
        found = users_for_session_keys(keys)

    assert len(found) == 30
    assert len(queries) == 2
