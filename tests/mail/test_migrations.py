"""
The outbox moved from `accounts` to `mail`: a database with emails in it keeps every one of them.

Each test migrates the real test database back to before the move
(accounts 0003), writes rows through the historical model, and migrates
forward again, as a deploy of this change does.
"""

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from mail.models import OutgoingEmail
from mail.sealing import outbox_open, outbox_seal
from mail.services import outbox_flush

BEFORE_THE_MOVE = [("accounts", "0003_outbox_sealed")]

pytestmark = pytest.mark.django_db(transaction=True)


def migrate(targets):
    """Migrate the test database to `targets`; return the app registry of that state."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def migrate_to_latest():
    executor = MigrationExecutor(connection)
    migrate(executor.loader.graph.leaf_nodes())


@pytest.fixture(autouse=True)
def _latest_schema_after():
    """Leave the database fully migrated for the next test, whatever this one did."""
    yield
    migrate_to_latest()


def table_names() -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))


def test_moving_the_outbox_keeps_waiting_failed_and_sent_emails():
    """Rows written before the move are there after it, field for field, and a waiting one is still sent."""
    old_apps = migrate(BEFORE_THE_MOVE)
    old = old_apps.get_model("accounts", "OutgoingEmail")
    sent_at = timezone.now()
    waiting = old.objects.create(
        to="anna@example.org",
        subject="wacht",
        sealed=outbox_seal({"body": "code", "html": "", "attachments": []}),
    )
    failed = old.objects.create(
        to="bert@example.org",
        subject="mislukt",
        sealed=outbox_seal({"body": "link", "html": "", "attachments": []}),
        attempts=3,
        last_error="ConnectionRefusedError: [Errno 111] Connection refused",
        next_attempt_at=sent_at,
    )
    sent = old.objects.create(to="carla@example.org", subject="weg", sealed="", attempts=1, sent_at=sent_at)
    fields = [
        "pk",
        "to",
        "subject",
        "sealed",
        "created_at",
        "sent_at",
        "attempts",
        "next_attempt_at",
        "last_error",
    ]
    before = list(old.objects.order_by("pk").values_list(*fields))

    migrate_to_latest()

    assert list(OutgoingEmail.objects.order_by("pk").values_list(*fields)) == before
    assert [row[0] for row in before] == [waiting.pk, failed.pk, sent.pk]
    assert outbox_open(OutgoingEmail.objects.get(pk=waiting.pk).sealed)["body"] == "code"
    assert outbox_flush() == (2, 0)
    assert sorted(m.to[0] for m in mail.outbox) == ["anna@example.org", "bert@example.org"]


def test_moving_the_outbox_renames_the_table_and_its_index_in_place():
    """The table and the due-emails index carry the new app's names; new rows continue the old ids."""
    old = migrate(BEFORE_THE_MOVE).get_model("accounts", "OutgoingEmail")
    last_old = old.objects.create(to="anna@example.org", subject="oud")

    migrate_to_latest()
    new = OutgoingEmail.objects.create(to="anna@example.org", subject="nieuw")

    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "mail_outgoingemail")
    assert "mail_outgoingemail" in table_names()
    assert "accounts_outgoingemail" not in table_names()
    assert constraints["mail_outbox_due_idx"]["columns"] == ["sent_at", "next_attempt_at"]
    assert new.pk > last_old.pk


def test_moving_the_outbox_keeps_permissions_granted_on_it():
    """A group holding a permission on the outbox holds it afterwards, under the mail app."""
    old_apps = migrate(BEFORE_THE_MOVE)
    content_type, _ = old_apps.get_model("contenttypes", "ContentType").objects.get_or_create(
        app_label="accounts", model="outgoingemail"
    )
    permission, _ = old_apps.get_model("auth", "Permission").objects.get_or_create(
        content_type=content_type,
        codename="view_outgoingemail",
        defaults={"name": "Can view uitgaande e-mail"},
    )
    group = old_apps.get_model("auth", "Group").objects.create(name="mailbeheer")
    group.permissions.add(permission)

    migrate_to_latest()

    ContentType.objects.clear_cache()
    assert list(
        Group.objects.get(name="mailbeheer").permissions.values_list("content_type__app_label", "codename")
    ) == [("mail", "view_outgoingemail")]
    assert ContentType.objects.get_for_model(OutgoingEmail).pk == content_type.pk


def test_the_move_can_be_undone_without_losing_rows():
    """Migrating back to before the move puts the rows in the accounts table again."""
    migrate_to_latest()
    row = OutgoingEmail.objects.create(to="anna@example.org", subject="terug")

    old = migrate(BEFORE_THE_MOVE).get_model("accounts", "OutgoingEmail")

    assert list(old.objects.values_list("pk", "subject")) == [(row.pk, "terug")]
    assert "accounts_outgoingemail" in table_names()
