"""
Seal the outbox: body, HTML body and attachments go into one Fernet token (OUTBOX_KEY).

Emails still waiting are sealed; the bodies of emails already sent are dropped,
because they can hold a working password-reset link or invitation link.
"""

import json

from django.conf import settings
from django.db import migrations, models


def seal_waiting(apps, schema_editor):
    from cryptography.fernet import Fernet

    key = Fernet(settings.OUTBOX_KEY.split(",")[0])
    OutgoingEmail = apps.get_model("accounts", "OutgoingEmail")
    for row in OutgoingEmail.objects.filter(sent_at__isnull=True):
        content = {"body": row.body, "html": row.html_body, "attachments": row.attachments}
        row.sealed = key.encrypt(json.dumps(content).encode()).decode()
        row.save(update_fields=["sealed"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_outbox"),
    ]

    operations = [
        migrations.AddField(
            model_name="outgoingemail",
            name="sealed",
            field=models.TextField(blank=True),
        ),
        migrations.RunPython(seal_waiting, migrations.RunPython.noop),
        migrations.RemoveField(model_name="outgoingemail", name="attachments"),
        migrations.RemoveField(model_name="outgoingemail", name="body"),
        migrations.RemoveField(model_name="outgoingemail", name="html_body"),
    ]
