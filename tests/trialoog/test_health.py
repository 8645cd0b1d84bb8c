import json

import pytest
from django.test import override_settings

from trialoog.env import channel_layers

pytestmark = pytest.mark.django_db(transaction=True)

DEAD_REDIS = "redis://127.0.0.1:1/0"


def test_healthz_reports_both_parts_ok(client):
    """With the real PostgreSQL and Redis up, /healthz answers 200 and names both parts ok."""
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"database": "ok", "channel_layer": "ok"}


def test_healthz_names_the_channel_layer_when_redis_is_down(client):
    """A channel layer that cannot be reached makes /healthz answer 503 with that part named."""
    with override_settings(CHANNEL_LAYERS=channel_layers(DEAD_REDIS)):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"database": "ok", "channel_layer": "error"}


def test_healthz_names_the_database_when_it_is_down(run_python):
    """A database that cannot be reached makes /healthz answer 503 with that part named."""
    code = (
        "import django, json; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz');"
        "print(r.status_code, json.dumps(r.json()))"
    )

    result = run_python(
        code,
        {
            "DJANGO_SETTINGS_MODULE": "trialoog.settings.test",
            "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
        },
    )

    assert result.returncode == 0, result.stderr
    status, body = result.stdout.strip().split(" ", 1)
    assert status == "503"
    assert json.loads(body) == {"database": "error", "channel_layer": "ok"}
