import secrets

import events.models
from django.db import migrations, models


def give_every_event_its_own_salt(apps, schema_editor):
    # AddField with a callable default would give every existing event the same salt.
    Event = apps.get_model("events", "Event")
    for event in Event.objects.only("pk"):
        Event.objects.filter(pk=event.pk).update(vote_salt=secrets.token_hex(32))


class Migration(migrations.Migration):

    dependencies = [
        ('events', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='event',
            name='vote_salt',
            field=models.CharField(blank=True, default='', editable=False, max_length=64),
        ),
        migrations.RunPython(give_every_event_its_own_salt, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='event',
            name='vote_salt',
            field=models.CharField(blank=True, default=events.models.new_vote_salt, editable=False, max_length=64),
        ),
    ]
