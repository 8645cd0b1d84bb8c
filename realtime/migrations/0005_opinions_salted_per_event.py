"""
Hashes of votes, upvotes and reactions get their event's salt (realtime/hashing.py).

Existing rows are re-keyed without knowing whose they are: the stored hash is
exactly the inner hash of realtime/hashing.py, so the salted hash is one HMAC
over it.
"""

import hmac

from django.db import migrations


def _salted(salt: str, inner: str) -> str:
    return hmac.digest(bytes.fromhex(salt), inner.encode(), "sha256").hex()


def rekey(apps, schema_editor):
    Event = apps.get_model("events", "Event")
    targets = [
        (apps.get_model("realtime", "QuestionUpvote"), "question__room__session__event_id"),
        (apps.get_model("realtime", "NoteReaction"), "note__room__session__event_id"),
        (apps.get_model("realtime", "PollVote"), "poll__room__session__event_id"),
    ]
    for event_id, salt in Event.objects.values_list("pk", "vote_salt"):
        for model, path in targets:
            rows = list(model.objects.filter(**{path: event_id}).only("pk", "voter_hash"))
            for row in rows:
                row.voter_hash = _salted(salt, row.voter_hash)
            model.objects.bulk_update(rows, ["voter_hash"], batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ('events', '0002_event_vote_salt'),
        ('realtime', '0004_opinions_without_time_or_order'),
    ]

    operations = [
        migrations.RunPython(rekey, migrations.RunPython.noop),
    ]
