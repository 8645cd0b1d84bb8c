"""
No secret can be read from the database: the outbox stores email bodies sealed and deletes them once sent.

Before, a read of the outbox table gave a working password-reset link (an
account takeover) and the Kamerlid invitation token the model claims is
stored only hashed.
"""

import re
import secrets

import pytest
from cryptography.fernet import Fernet
from django.core import mail
from django.db import connection
from django.test import override_settings

from accounts.models import User
from accounts.services import kamerlid_invitation_create
from mail.models import OutgoingEmail
from mail.sealing import outbox_open, outbox_seal
from mail.services import mail_send, outbox_flush
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

RESET_LINK = re.compile(r"/account/password/reset/key/([0-9a-z]+-[0-9A-Za-z]+-[0-9a-f]+)/")
CODE = re.compile(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", re.MULTILINE)


def database_text() -> str:
    """Every row of every table in the database as JSON text: what anyone who can read the database sees."""
    tables = connection.introspection.table_names()
    with connection.cursor() as cursor:
        parts = []
        for table in tables:
            cursor.execute(f'SELECT row_to_json(t)::text FROM "{table}" t')  # noqa: S608 - names from the schema
            parts += [row[0] for row in cursor.fetchall()]
    return "\n".join(parts)


def outbox_text() -> str:
    return "\n".join(str(row) for row in OutgoingEmail.objects.values_list())


@pytest.fixture
def person(db):
    return UserFactory(email="anna@example.org", password="Oud-wachtwoord-2026")


def test_waiting_password_reset_email_reveals_no_reset_link(
    client, person, django_capture_on_commit_callbacks
):
    """
    While a reset email waits in the outbox, no table holds its link; once sent it arrives and works.
    """
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post("/account/password/reset/", {"email": person.email})
    readable_while_waiting = database_text()
    for callback in callbacks:
        callback()
    key = RESET_LINK.search(mail.outbox[0].body).group(1)

    assert OutgoingEmail.objects.get().sent_at is not None
    assert key not in readable_while_waiting
    assert key.split("-", 1)[1] not in readable_while_waiting
    response = client.get(f"/account/password/reset/key/{key}/", follow=True)
    response = client.post(
        response.redirect_chain[-1][0],
        {"password1": "Nieuw-wachtwoord-2026", "password2": "Nieuw-wachtwoord-2026"},
    )
    assert response.status_code == 302
    assert User.objects.get(pk=person.pk).check_password("Nieuw-wachtwoord-2026")


def test_waiting_login_code_email_reveals_no_code(client, person, django_capture_on_commit_callbacks):
    """A login code waiting in the outbox cannot be read from the outbox table."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post("/account/login/code/", {"email": person.email})
    readable_while_waiting = outbox_text()
    for callback in callbacks:
        callback()
    code = CODE.search(mail.outbox[0].body).group(1)

    assert OutgoingEmail.objects.count() == 1
    assert code not in readable_while_waiting
    assert code.replace("-", "") not in readable_while_waiting


def test_waiting_invitation_email_reveals_no_invitation_token(person, django_capture_on_commit_callbacks):
    """The invitation token is only in the email: no table holds it, not even while the email waits."""
    organiser = UserFactory(is_superuser=True)

    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = kamerlid_invitation_create(actor=organiser, email="kim@example.org")
    readable = database_text()

    assert invitation.token_hash in readable
    assert token not in readable
    assert f"/kamerlid/uitnodiging/{token}/" in mail.outbox[0].body


def test_waiting_invitation_email_is_sealed_until_it_is_sent(django_capture_on_commit_callbacks):
    """Before the send is attempted, the outbox row holds the invitation only sealed."""
    organiser = UserFactory(is_superuser=True)

    with django_capture_on_commit_callbacks(execute=False) as queue_steps:
        _invitation, token = kamerlid_invitation_create(actor=organiser, email="kim@example.org")
    with django_capture_on_commit_callbacks(execute=False):  # queue the email, hold back its sending
        for step in queue_steps:
            step()
    row = OutgoingEmail.objects.get()

    assert row.sent_at is None
    assert token not in database_text()
    assert token in outbox_open(row.sealed)["body"]


def test_sent_email_keeps_no_body(person, django_capture_on_commit_callbacks):
    """After sending, the outbox keeps address, subject and dates only: the sealed body is gone."""
    with django_capture_on_commit_callbacks(execute=True):
        mail_send(
            to=person.email,
            template="kamerlid_invitation",
            context={"token": "een-geheim-token", "expires_at": None},
            attachments=[("agenda.ics", "BEGIN:VCALENDAR", "text/calendar")],
        )
    row = OutgoingEmail.objects.get()

    assert row.sent_at is not None
    assert row.sealed == ""
    assert mail.outbox[0].attachments == [("agenda.ics", "BEGIN:VCALENDAR", "text/calendar")]
    assert "een-geheim-token" in mail.outbox[0].body
    assert "een-geheim-token" not in database_text()


def test_email_waiting_under_an_old_key_is_sent_after_key_rotation(
    person, django_capture_on_commit_callbacks
):
    """With OUTBOX_KEY "new,old", an email sealed under the old key still opens and is sent."""
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with override_settings(OUTBOX_KEY=old), django_capture_on_commit_callbacks(execute=False):
        mail_send(to=person.email, template="kamerlid_invitation", context={"token": "t", "expires_at": None})

    with override_settings(OUTBOX_KEY=f"{new},{old}"):
        sent, waiting = outbox_flush()
        resealed = outbox_seal({"body": "x"})

    assert (sent, waiting) == (1, 0)
    assert Fernet(new).decrypt(resealed.encode()) == b'{"body": "x"}'


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "OUTBOX_KEY must be set in production"),
        ("geen-sleutel", "OUTBOX_KEY holds a key that is not a Fernet key"),
    ],
)
def test_production_refuses_to_start_without_a_valid_outbox_key(run_python, value, message):
    """Production settings without OUTBOX_KEY, or with a malformed one, fail at start instead of deriving a key."""
    result = run_python(
        "import django; django.setup()",
        {
            "DJANGO_SETTINGS_MODULE": "trialoog.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "OUTBOX_KEY": value,
        },
    )

    assert result.returncode != 0
    assert message in result.stderr


@pytest.mark.django_db(transaction=True)
def test_migration_seals_waiting_emails_and_drops_the_bodies_of_sent_ones():
    """Upgrading a database whose outbox holds readable bodies: waiting ones are sealed, sent ones lose theirs."""
    from django.db.migrations.executor import MigrationExecutor
    from django.utils import timezone

    before = [("accounts", "0002_outbox")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("accounts", "OutgoingEmail")
    old.objects.create(to="anna@example.org", subject="wacht", body="link-die-wacht", attachments=[])
    old.objects.create(to="anna@example.org", subject="weg", body="link-al-weg", sent_at=timezone.now())

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    readable = database_text()
    assert "link-die-wacht" not in readable and "link-al-weg" not in readable
    assert outbox_open(OutgoingEmail.objects.get(subject="wacht").sealed)["body"] == "link-die-wacht"
    assert OutgoingEmail.objects.get(subject="weg").sealed == ""
