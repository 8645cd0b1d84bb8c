"""
Retention: the outbox, login sessions and needs do not outlive their purpose.

Before, sent emails stayed in the outbox for ever, a deleted person's
sessions on other devices stayed in the session table, and the event purge
kept the needs of people who never registered.
"""

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import timezone

from accounts.models import User
from events.services.retention import EventNotOver, personal_data_purge
from mail.models import OutgoingEmail
from mail.services import MAX_ATTEMPTS
from tests.factories import EventFactory, RegistrationFactory, UserFactory, at

pytestmark = pytest.mark.django_db

README = Path(__file__).resolve().parent.parent.parent / "README.md"


def _outbox_row(label: str, *, created_days_ago: int, sent_days_ago: int | None = None, attempts: int = 1):
    now = timezone.now()
    row = OutgoingEmail.objects.create(to="anna@example.org", subject=label, attempts=attempts)
    OutgoingEmail.objects.filter(pk=row.pk).update(
        created_at=now - dt.timedelta(days=created_days_ago),
        sent_at=None if sent_days_ago is None else now - dt.timedelta(days=sent_days_ago),
        next_attempt_at=now + dt.timedelta(hours=1),
    )


@pytest.fixture
def outbox(db):
    """Sent 31 and 29 days ago, given up 31 days ago, still retried after 40 days, and waiting now."""
    _outbox_row("sent-31", created_days_ago=31, sent_days_ago=31)
    _outbox_row("sent-29", created_days_ago=29, sent_days_ago=29)
    _outbox_row("failed-31", created_days_ago=31, attempts=MAX_ATTEMPTS)
    _outbox_row("retrying-40", created_days_ago=40, attempts=3)
    _outbox_row("waiting", created_days_ago=0, attempts=0)


def _subjects() -> list[str]:
    return sorted(OutgoingEmail.objects.values_list("subject", flat=True))


def test_send_queued_mail_deletes_sent_and_failed_emails_past_retention(outbox):
    """The every-minute mail job removes sent and given-up emails older than 30 days; retries and waiting stay."""
    call_command("send_queued_mail", stdout=io.StringIO())

    assert _subjects() == ["retrying-40", "sent-29", "waiting"]


@override_settings(OUTBOX_RETENTION_DAYS=7)
def test_outbox_retention_follows_the_setting(outbox):
    """OUTBOX_RETENTION_DAYS sets the period."""
    call_command("send_queued_mail", stdout=io.StringIO())

    assert _subjects() == ["retrying-40", "waiting"]


def test_event_purge_also_deletes_old_outbox_emails(outbox):
    """The purge after an event reports and removes the outbox rows past retention too."""
    event = EventFactory(date=timezone.localdate() - dt.timedelta(days=1))

    counts = personal_data_purge(event=event, now=timezone.now())

    assert counts["outbox"] == 2
    assert _subjects() == ["retrying-40", "sent-29", "waiting"]


def test_deleting_an_account_ends_its_sessions_on_every_device(reauthenticate):
    """Deleting the account from one browser removes the person's sessions in every other browser."""
    person, other = UserFactory(), UserFactory()
    phone, laptop, someone_else = Client(), Client(), Client()
    for client, user in ((phone, person), (laptop, person), (someone_else, other)):
        client.force_login(user)
    reauthenticate(laptop, "demo-trialoog")

    laptop.post("/mijn-gegevens/verwijderen/", {"confirm": "on"})

    owners = [s.get_decoded().get(SESSION_KEY) for s in Session.objects.all()]
    assert not User.objects.filter(pk=person.pk).exists()
    assert str(person.pk) not in owners
    assert str(other.pk) in owners
    assert phone.get("/mijn-gegevens/").status_code == 302


def test_purge_removes_needs_of_people_who_never_registered():
    """Needs of an account that never registered for any event go with the purge; later sign-ups keep theirs."""
    event = EventFactory()
    later = EventFactory(date=event.date + dt.timedelta(days=90))
    never = UserFactory(consent_needs=True, diet="Vegetarisch", access_needs="Rolstoel")
    User.objects.filter(pk=never.pk).update(date_joined=at(9, date=event.date - dt.timedelta(days=30)))
    upcoming = UserFactory(consent_needs=True, diet="Halal")
    RegistrationFactory(user=upcoming, event=later)
    after_the_day = UserFactory(consent_needs=True, diet="Glutenvrij")
    User.objects.filter(pk=after_the_day.pk).update(date_joined=at(9, date=event.date + dt.timedelta(days=2)))

    counts = personal_data_purge(event=event, now=at(12, date=event.date + dt.timedelta(days=3)))

    needs = {u.pk: (u.consent_needs, u.diet, u.access_needs) for u in User.objects.all()}
    assert counts["unregistered_needs"] == 1
    assert needs[never.pk] == (False, "", "")
    assert needs[upcoming.pk] == (True, "Halal", "")
    assert needs[after_the_day.pk] == (True, "Glutenvrij", "")


def test_clearsessions_is_in_the_documented_cron_jobs():
    """The README's cron jobs list clearsessions, so expired sessions do not pile up in the database."""
    block = README.read_text().split("Run these from cron", 1)[1].split("```", 2)[1]

    assert re.search(r"^python manage\.py clearsessions\s+# daily", block, re.MULTILINE)
    assert re.search(r"^python manage\.py send_queued_mail\s+# every minute", block, re.MULTILINE)


def test_the_purge_of_a_multi_day_event_waits_for_its_last_day():
    """An event of two days keeps its personal data on the second day; the day after, the purge runs."""
    event = EventFactory(date=dt.date(2026, 9, 15), end_date=dt.date(2026, 9, 16))
    RegistrationFactory(user=UserFactory(consent_needs=True, diet="vegan"), event=event)

    with pytest.raises(EventNotOver):
        personal_data_purge(event=event, now=at(12, date=dt.date(2026, 9, 16)))
    counts = personal_data_purge(event=event, now=at(12, date=dt.date(2026, 9, 17)))

    assert counts["needs"] == 1
