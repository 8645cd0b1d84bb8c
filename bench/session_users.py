"""
Benchmark: the logins behind a crowd of session keys, batched or one by one through Django.

A crowd that reconnects to a live room at once sends one session cookie per
socket; realtime/services/joins.py resolves them together. This compares,
for `--keys` database sessions of distinct users, against a throwaway
PostgreSQL (or DATABASE_URL when set):

- batched: `accounts.selectors.users_for_session_keys` (one query for the
  sessions, one for the users);
- sessions batched: one query for the sessions, then Django's own
  `get_user` per key on the loaded data (one user query per key);
- per key: `SessionStore(key)` and `django.contrib.auth.get_user` on a
  request per key, as Channels' AuthMiddleware does (two queries per key).

Prints the median wall time of `--rounds` rounds and the queries per call.

    .venv/bin/python bench/session_users.py [--keys 2000] [--rounds 3]
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.export import setup_django  # noqa: E402 - a throwaway PostgreSQL, migrated, without Redis


def prepare(count: int) -> list[str]:
    """`count` users, each logged in with one database session; returns the session keys."""
    import datetime as dt

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from accounts.models import User

    password = make_password("een-lang-wachtwoord-42")
    users = User.objects.bulk_create(
        [User(email=f"bench-{index}@example.org", password=password) for index in range(count)]
    )
    store = SessionStore()
    expires = timezone.now() + dt.timedelta(hours=1)
    sessions = [
        Session(
            session_key=get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789"),
            session_data=store.encode(
                {
                    SESSION_KEY: str(user.pk),
                    BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
                    HASH_SESSION_KEY: user.get_session_auth_hash(),
                }
            ),
            expire_date=expires,
        )
        for user in users
    ]
    Session.objects.bulk_create(sessions)
    return [session.session_key for session in sessions]


def batched(keys: list[str]) -> dict:
    from accounts.selectors import users_for_session_keys

    return users_for_session_keys(keys)


class _Loaded(dict):
    """Session data already read, for get_user: it never writes back here."""

    def flush(self) -> None:
        self.clear()

    def cycle_key(self) -> None:
        pass


def sessions_batched(keys: list[str]) -> dict:
    from django.contrib.auth import get_user
    from django.contrib.sessions.backends.db import SessionStore
    from django.http import HttpRequest
    from django.utils import timezone

    store = SessionStore()
    rows = SessionStore.get_model_class().objects.filter(session_key__in=keys, expire_date__gt=timezone.now())
    found = {}
    for row in rows:
        request = HttpRequest()
        request.session = _Loaded(store.decode(row.session_data))
        user = get_user(request)
        if user.is_authenticated:
            found[row.session_key] = user
    return found


def per_key(keys: list[str]) -> dict:
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import get_user
    from django.http import HttpRequest

    engine = import_module(settings.SESSION_ENGINE)
    found = {}
    for key in keys:
        request = HttpRequest()
        request.session = engine.SessionStore(key)
        user = get_user(request)
        if user.is_authenticated:
            found[key] = user
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keys", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    server = setup_django()
    try:
        from django.db import connection

        keys = prepare(args.keys)
        print(f"{args.keys} session keys of {args.keys} users, PostgreSQL, median of {args.rounds} rounds")
        print(f"  {'how':<20}{'ms':>9}{'µs/key':>9}{'queries':>9}")
        queries = []

        def count(execute, sql, params, many, context):
            queries.append(sql)
            return execute(sql, params, many, context)

        for name, resolve in (
            ("batched", batched),
            ("sessions batched", sessions_batched),
            ("per key", per_key),
        ):
            times = []
            for _ in range(args.rounds):
                queries.clear()
                with connection.execute_wrapper(count):
                    started = time.perf_counter()
                    found = resolve(keys)
                    times.append(time.perf_counter() - started)
                assert len(found) == args.keys, (name, len(found))
            took = statistics.median(times)
            print(f"  {name:<20}{took * 1000:>9.1f}{took / args.keys * 1e6:>9.1f}{len(queries):>9}")
        connection.close()
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
