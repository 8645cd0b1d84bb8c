"""
Votes, upvotes and reactions lose their times and their ordered ids.

Existing rows are written again with random ids, in the order of their
hashes, so neither the ids nor the order of rows in the table still follow
the order of voting.
"""

import secrets

import realtime.models.questions
from django.db import migrations, models


def _random_id() -> int:
    return secrets.randbelow(2**63 - 1) + 1


def shuffle(apps, schema_editor):
    QuestionUpvote = apps.get_model("realtime", "QuestionUpvote")
    NoteReaction = apps.get_model("realtime", "NoteReaction")
    PollVote = apps.get_model("realtime", "PollVote")
    PollChoice = apps.get_model("realtime", "PollChoice")

    rows = [
        QuestionUpvote(id=_random_id(), question_id=question, voter_hash=key, perspective=p)
        for question, key, p in QuestionUpvote.objects.values_list("question_id", "voter_hash", "perspective")
    ]
    QuestionUpvote.objects.all().delete()
    QuestionUpvote.objects.bulk_create(sorted(rows, key=lambda r: r.voter_hash), batch_size=1000)

    rows = [
        NoteReaction(id=_random_id(), note_id=note, voter_hash=key, perspective=p, kind=kind)
        for note, key, p, kind in NoteReaction.objects.values_list("note_id", "voter_hash", "perspective", "kind")
    ]
    NoteReaction.objects.all().delete()
    NoteReaction.objects.bulk_create(sorted(rows, key=lambda r: r.voter_hash), batch_size=1000)

    old = list(PollVote.objects.values_list("pk", "poll_id", "voter_hash", "perspective"))
    new_ids = {pk: _random_id() for pk, _poll, _key, _p in old}
    choices = list(PollChoice.objects.values_list("vote_id", "option_id"))
    rows = [PollVote(id=new_ids[pk], poll_id=poll, voter_hash=key, perspective=p) for pk, poll, key, p in old]
    PollChoice.objects.all().delete()
    PollVote.objects.all().delete()
    PollVote.objects.bulk_create(sorted(rows, key=lambda r: r.voter_hash), batch_size=1000)
    PollChoice.objects.bulk_create(
        sorted(
            (PollChoice(id=_random_id(), vote_id=new_ids[vote], option_id=option) for vote, option in choices),
            key=lambda c: c.id,
        ),
        batch_size=1000,
    )


class Migration(migrations.Migration):

    dependencies = [
        ('realtime', '0003_notes_phases_actions'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='notereaction',
            name='created_at',
        ),
        migrations.RemoveField(
            model_name='pollvote',
            name='created_at',
        ),
        migrations.RemoveField(
            model_name='pollvote',
            name='updated_at',
        ),
        migrations.RemoveField(
            model_name='questionupvote',
            name='created_at',
        ),
        migrations.AlterField(
            model_name='notereaction',
            name='id',
            field=models.BigIntegerField(default=realtime.models.questions.unordered_id, editable=False, primary_key=True, serialize=False),
        ),
        migrations.AlterField(
            model_name='pollchoice',
            name='id',
            field=models.BigIntegerField(default=realtime.models.questions.unordered_id, editable=False, primary_key=True, serialize=False),
        ),
        migrations.AlterField(
            model_name='pollvote',
            name='id',
            field=models.BigIntegerField(default=realtime.models.questions.unordered_id, editable=False, primary_key=True, serialize=False),
        ),
        migrations.AlterField(
            model_name='questionupvote',
            name='id',
            field=models.BigIntegerField(default=realtime.models.questions.unordered_id, editable=False, primary_key=True, serialize=False),
        ),
        migrations.RunPython(shuffle, migrations.RunPython.noop),
    ]
