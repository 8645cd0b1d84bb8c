"""
The outbox model moves to the `mail` app, its rows kept in place.

The table and its index are renamed (nothing is copied or dropped), and
`accounts` forgets the model; `mail` 0001 then takes it over without
touching the database. A deploy with emails still waiting sends them
afterwards as before.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_outbox_sealed"),
    ]

    operations = [
        migrations.RenameIndex(
            model_name="outgoingemail",
            new_name="mail_outbox_due_idx",
            old_name="accounts_ou_sent_at_37621b_idx",
        ),
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable(name="outgoingemail", table="mail_outgoingemail"),
            ],
            state_operations=[
                migrations.DeleteModel(name="OutgoingEmail"),
            ],
        ),
    ]
