"""
pytest plugin: start a real PostgreSQL and Redis before Django loads its settings.

pytest-django reads the settings while pytest loads the initial conftests, so
the servers must be up (and DATABASE_URL / REDIS_URL set) before that: this
plugin wraps that hook. When TEST_DATABASE_URL and TEST_REDIS_URL are both set,
those servers are used instead.
"""

import os

import pytest

from scripts.services import Postgres, Redis

_started: dict = {}


@pytest.hookimpl(wrapper=True)
def pytest_load_initial_conftests(early_config, parser, args):
    if os.environ.get("TEST_DATABASE_URL") and os.environ.get("TEST_REDIS_URL"):
        os.environ["DATABASE_URL"] = os.environ["TEST_DATABASE_URL"]
        os.environ["REDIS_URL"] = os.environ["TEST_REDIS_URL"]
    else:
        _started["postgres"] = Postgres().start()
        _started["redis"] = Redis().start()
        os.environ["DATABASE_URL"] = _started["postgres"].url
        os.environ["REDIS_URL"] = _started["redis"].url
    return (yield)


def pytest_unconfigure(config):
    for server in reversed(list(_started.values())):
        server.stop()
    _started.clear()


def started_server(name: str):
    """Return the Postgres or Redis server this plugin started (None when external)."""
    return _started.get(name)
