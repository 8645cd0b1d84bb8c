"""
The migrations that took times and ordered ids off the opinion rows and salted their hashes, run on a
database that already holds votes, on SQLite and on PostgreSQL.
"""

import secrets

import psycopg
import pytest
from django.db import connection

SCRIPT = r"""
import datetime as dt, hashlib, hmac
import django
django.setup()
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

call_command("migrate", "events", "0001", verbosity=0)
call_command("migrate", "realtime", "0003", verbosity=0)
old = MigrationExecutor(connection).loader.project_state(
    [("events", "0001_initial"), ("realtime", "0003_notes_phases_actions")]
).apps
model = old.get_model


def unsalted(kind, user_id, target_id):
    key = hashlib.sha256(f"trialoog-voter-hash:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, f"{kind}:{user_id}:{target_id}".encode(), hashlib.sha256).hexdigest()


expected = []
when = dt.datetime(2026, 6, 17, 10, tzinfo=dt.timezone.utc)
for e in range(2):
    event = model("events", "Event").objects.create(name=f"E{e}", slug=f"e{e}", acronym="e", date=when.date())
    session = model("events", "Session").objects.create(
        event=event, room=model("events", "Room").objects.create(event=event, name="Zaal", capacity=99),
        kind="trialoog", title=f"S{e}", code=f"CODE{e}", starts_at=when, ends_at=when + dt.timedelta(hours=1),
    )
    room = model("realtime", "LiveRoom").objects.create(session=session, projector_token=f"t{e}")
    question = model("realtime", "Question").objects.create(room=room, text="V", perspective="beleid")
    note = model("realtime", "Note").objects.create(room=room, kind="dilemma", perspective="beleid", text="N")
    poll = model("realtime", "Poll").objects.create(room=room, text="P", kind="multiple")
    options = [model("realtime", "PollOption").objects.create(poll=poll, label=f"o{i}", position=i) for i in range(3)]
    for user_id in range(100 * e, 100 * e + 12):
        model("realtime", "QuestionUpvote").objects.create(
            question=question, voter_hash=unsalted("question", user_id, question.pk), perspective="beleid"
        )
        model("realtime", "NoteReaction").objects.create(
            note=note, voter_hash=unsalted("note", user_id, note.pk), perspective="politiek", kind="agree"
        )
        vote = model("realtime", "PollVote").objects.create(
            poll=poll, voter_hash=unsalted("poll", user_id, poll.pk), perspective="uitvoering"
        )
        chosen = options[: 1 + user_id % 3]
        for option in chosen:
            model("realtime", "PollChoice").objects.create(vote=vote, option=option)
        expected.append((f"e{e}", user_id, question.pk, note.pk, poll.pk, sorted(o.pk for o in chosen)))

call_command("migrate", verbosity=0)

from events.models import Event
from realtime.hashing import voter_hash
from realtime.models import NoteReaction, PollVote, QuestionUpvote

salts = dict(Event.objects.values_list("slug", "vote_salt"))
assert len(set(salts.values())) == 2 and all(len(salt) == 64 for salt in salts.values()), salts
for slug, user_id, question, note, poll, chosen in expected:
    salt = salts[slug]
    assert QuestionUpvote.objects.filter(question_id=question, voter_hash=voter_hash("question", user_id, question, salt=salt)).exists()
    assert NoteReaction.objects.filter(note_id=note, voter_hash=voter_hash("note", user_id, note, salt=salt)).exists()
    vote = PollVote.objects.get(poll_id=poll, voter_hash=voter_hash("poll", user_id, poll, salt=salt))
    assert sorted(vote.choices.values_list("option_id", flat=True)) == chosen
assert min(QuestionUpvote.objects.values_list("pk", flat=True)) > 2**32
if connection.vendor == "postgresql":
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, is_identity FROM information_schema.columns WHERE column_name = 'id'"
            " AND table_name IN ('realtime_questionupvote', 'realtime_pollvote', 'realtime_pollchoice',"
            " 'realtime_notereaction') ORDER BY table_name"
        )
        assert [identity for _table, identity in cursor.fetchall()] == ["NO"] * 4
print("re-keyed", len(expected) * 3)
"""


def test_existing_votes_are_rekeyed_and_renumbered_on_sqlite(run_python, tmp_path):
    """On SQLite every old vote is still its voter's (choices kept), under a random id and the event's salt."""
    result = run_python(
        SCRIPT,
        {
            "DJANGO_SETTINGS_MODULE": "trialoog.settings.local",
            "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
        },
        timeout=120,
    )

    assert (result.returncode, result.stdout.strip()) == (0, "re-keyed 72"), result.stderr[-3000:]


@pytest.fixture
def scratch_postgres():
    """An empty database on the suite's PostgreSQL server, dropped afterwards; yields its URL."""
    db = connection.settings_dict
    name = f"migrations_{secrets.token_hex(4)}"
    server = {
        "host": db["HOST"],
        "port": db["PORT"],
        "user": db["USER"],
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**server) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{name}"
    with psycopg.connect(**server) as admin:
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def test_existing_votes_are_rekeyed_and_renumbered_on_postgresql(run_python, scratch_postgres):
    """The same on PostgreSQL, where the ids also lose their identity sequence."""
    result = run_python(
        SCRIPT,
        {"DJANGO_SETTINGS_MODULE": "trialoog.settings.local", "DATABASE_URL": scratch_postgres},
        timeout=120,
    )

    assert (result.returncode, result.stdout.strip()) == (0, "re-keyed 72"), result.stderr[-3000:]
