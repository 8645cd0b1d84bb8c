"""
Take over the outbox model from `accounts` (accounts 0004 renamed its table and index).

Only the migration state changes here; the rows stay where they are. The
content type moves too, so permissions and admin log lines that name the
outbox keep pointing at it.
"""

from django.db import migrations, models


def _content_type_move(apps, source: str, target: str) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    if content_type.objects.filter(app_label=target, model="outgoingemail").exists():
        return
    content_type.objects.filter(app_label=source, model="outgoingemail").update(app_label=target)


def content_type_to_mail(apps, schema_editor):
    _content_type_move(apps, "accounts", "mail")


def content_type_to_accounts(apps, schema_editor):
    _content_type_move(apps, "mail", "accounts")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0004_outbox_moves_to_mail"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="OutgoingEmail",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("to", models.EmailField(max_length=254)),
                        ("subject", models.CharField(max_length=300)),
                        ("sealed", models.TextField(blank=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("sent_at", models.DateTimeField(blank=True, null=True)),
                        ("attempts", models.PositiveSmallIntegerField(default=0)),
                        ("next_attempt_at", models.DateTimeField(blank=True, null=True)),
                        ("last_error", models.CharField(blank=True, max_length=500)),
                    ],
                    options={
                        "verbose_name": "uitgaande e-mail",
                        "verbose_name_plural": "uitgaande e-mails",
                        "ordering": ["created_at", "id"],
                        "indexes": [
                            models.Index(fields=["sent_at", "next_attempt_at"], name="mail_outbox_due_idx")
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_type_to_mail, content_type_to_accounts),
    ]
