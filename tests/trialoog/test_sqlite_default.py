SMOKE = """
import asyncio, django
django.setup()
from django.conf import settings
from django.core.management import call_command
from django.test import Client
call_command("migrate", verbosity=0)
call_command("seed_demo", verbosity=0)
print("ENGINE", settings.DATABASES["default"]["ENGINE"])
print("LAYER", settings.CHANNEL_LAYERS["default"]["BACKEND"])
print("HEALTH", Client().get("/healthz", HTTP_HOST="localhost").status_code)
print("HOME", "17 juni 2026" in Client().get("/", HTTP_HOST="localhost").content.decode())
"""


def test_embedded_default_runs_on_sqlite_and_the_in_memory_layer(run_python, tmp_path):
    """Without DATABASE_URL and REDIS_URL the site runs on SQLite and the in-memory layer."""
    result = run_python(
        SMOKE,
        {
            "DJANGO_SETTINGS_MODULE": "trialoog.settings.local",
            "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
        },
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "ENGINE django.db.backends.sqlite3",
        "LAYER channels.layers.InMemoryChannelLayer",
        "HEALTH 200",
        "HOME True",
    ]


def test_default_database_is_sqlite_in_the_project_folder(run_python):
    """With no DATABASE_URL at all, the database is db.sqlite3 next to manage.py."""
    result = run_python(
        "import django; django.setup(); from django.conf import settings;"
        "print(settings.DATABASES['default']['NAME'], settings.BASE_DIR)",
        {"DJANGO_SETTINGS_MODULE": "trialoog.settings.local"},
    )

    name, base_dir = result.stdout.split()
    assert name == f"{base_dir}/db.sqlite3"
