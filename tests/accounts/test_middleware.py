import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.middleware import LAST_SEEN_KEY
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _session_writes(queries) -> list[str]:
    return [q["sql"] for q in queries if "django_session" in q["sql"] and not q["sql"].startswith("SELECT")]


def test_a_request_soon_after_the_last_writes_no_session(client):
    """Within the refresh interval a page view writes no session row; the cost is not one write per request."""
    client.force_login(UserFactory())
    client.get("/privacy/")

    with CaptureQueriesContext(connection) as queries:
        client.get("/privacy/")

    assert _session_writes(queries) == []


def test_login_notes_the_time_so_the_idle_clock_starts_at_login(client):
    """The login itself stores the last-seen time in the session."""
    client.force_login(UserFactory())

    assert abs(client.session[LAST_SEEN_KEY] - time.time()) < 5


def test_a_request_after_the_refresh_interval_writes_the_session_once(client, settings):
    """Past a tenth of the timeout (at most five minutes), one request stores the session again."""
    client.force_login(UserFactory())
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - 301
    session.save()

    with CaptureQueriesContext(connection) as queries:
        client.get("/privacy/")

    assert len([sql for sql in _session_writes(queries) if sql.startswith("UPDATE")]) == 1
