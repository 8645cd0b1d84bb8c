"""
"Download my data" is complete (AVG art. 15): every kind of data held about the person appears.

Before, the export left out the emails sent to the person, the audit lines
of their own actions and of failed logins on their address, their consents
as the form words them, and the actions they wrote down.
"""

import json

import pytest
from django.contrib.auth import authenticate
from django.test import RequestFactory

from accounts.models import AuditLog
from accounts.roles import organiser_group_ensure
from accounts.services import kamerlid_set, profile_update
from events.services.registration import registration_create
from events.services.signup import signup_create
from mail.models import OutgoingEmail
from realtime.models import LiveRoom, Poll
from realtime.services import notes as note_services
from realtime.services import polls as poll_services
from realtime.services import questions as question_services
from realtime.services import votes
from tests.factories import EventFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.django_db

SESSION = "Trialoog Toeslagen"


@pytest.fixture
def person(django_capture_on_commit_callbacks):
    """A person who registered, signed up, asked, noted, voted, upvoted, reacted and changed a consent."""
    event = EventFactory()
    session = SessionFactory(event=event, room__event=event, title=SESSION)
    room = LiveRoom.objects.create(session=session, is_open=True)
    moderator = UserFactory(perspective="beleid")
    session.moderators.add(moderator)
    user = UserFactory(email="anna@example.org", name="Anna de Vries", perspective="politiek")
    with django_capture_on_commit_callbacks(execute=True):
        registration_create(user=user, event=event)
        signup_create(user=user, session=session)
    profile_update(user=user, data={"consent_photos": True})
    question, _ = question_services.question_ask(user=user, room=room, text="Mijn eigen vraag")
    other_question, _ = question_services.question_ask(user=moderator, room=room, text="Vraag van een ander")
    votes.question_upvote(user=user, question=other_question)
    note, _ = note_services.note_add(user=moderator, room=room, kind="dilemma", text="Notitie van een ander")
    note_services.note_add(user=user, room=room, kind="dilemma", text="Mijn eigen notitie")
    note_services.note_react(user=user, note=note, kind="agree")
    poll = poll_services.poll_create(user=moderator, room=room, text="Eenvoud eerst", kind=Poll.Kind.SCALE)
    poll = poll_services.poll_open(user=moderator, poll=poll)
    votes.poll_vote(user=user, poll=poll, option_ids=[poll.options.get(value=4).pk])
    session.moderators.add(user)
    note_services.action_save(user=user, room=room, what="Pilot starten", owner_name="Team Pilot")
    organiser = UserFactory(is_staff=True)
    organiser.groups.add(organiser_group_ensure())
    kamerlid_set(actor=organiser, user=user, value=True)
    authenticate(RequestFactory().post("/account/login/"), email="Anna@Example.org ", password="fout")
    return user


@pytest.fixture
def export(client, person, reauthenticate):
    client.force_login(person)
    reauthenticate(client, "demo-trialoog")
    response = client.get("/mijn-gegevens/download/")
    assert response.status_code == 200
    return json.loads(response.content)


def test_export_holds_the_account_and_profile(export):
    """The account row with every profile field, and the email addresses."""
    assert {
        k: export["account"][k] for k in ("email", "name", "organisation", "function", "perspective")
    } == {
        "email": "anna@example.org",
        "name": "Anna de Vries",
        "organisation": "UWV",
        "function": "Adviseur",
        "perspective": "politiek",
    }
    assert export["account"]["is_kamerlid"] is True
    assert export["email_addresses"] == [{"email": "anna@example.org", "verified": True, "primary": True}]


def test_export_holds_every_consent_with_its_name(export):
    """Each consent with its name on the account and whether it is given."""
    assert export["consents"] == [
        {"consent": "consent_photos", "label": "toestemming voor foto's", "given": True},
        {"consent": "consent_contact", "label": "contact na het evenement", "given": False},
        {"consent": "consent_listed", "label": "naam op de deelnemerslijst", "given": False},
        {"consent": "consent_needs", "label": "toestemming voor wensen en behoeften", "given": False},
    ]


def test_export_holds_registrations_and_signups(export):
    """The event registration and the session sign-up with its status."""
    assert [r["status"] for r in export["registrations"]] == ["registered"]
    assert [(s["session"], s["status"]) for s in export["session_signups"]] == [(SESSION, "confirmed")]


def test_export_holds_own_questions_notes_and_actions(export):
    """Only the person's own questions and notes, and the actions they wrote down."""
    assert [q["text"] for q in export["questions"]] == ["Mijn eigen vraag"]
    assert [n["text"] for n in export["notes"]] == ["Mijn eigen notitie"]
    assert [(a["session"], a["what"], a["owner_name"]) for a in export["actions"]] == [
        (SESSION, "Pilot starten", "Team Pilot")
    ]


def test_export_holds_votes_upvotes_and_reactions(export):
    """Poll votes, upvotes and note reactions, found through the keyed hash."""
    assert export["poll_votes"] == [{"session": SESSION, "poll": "Eenvoud eerst", "choices": ["Eens"]}]
    assert export["upvotes"] == [{"session": SESSION, "question": "Vraag van een ander"}]
    assert export["note_reactions"] == [
        {"session": SESSION, "note": "Notitie van een ander", "reaction": "agree"}
    ]


def test_export_holds_the_emails_sent_with_subject_and_dates_but_no_body(export):
    """Every email to the person's address: subject, created and sent times; never the body."""
    subjects = list(OutgoingEmail.objects.filter(to="anna@example.org").values_list("subject", flat=True))

    assert [mail["subject"] for mail in export["emails"]] == subjects
    assert len(subjects) == 2
    assert {tuple(sorted(mail)) for mail in export["emails"]} == {("created_at", "sent_at", "subject")}


def test_export_holds_audit_lines_about_and_by_the_person(export, person):
    """Role changes, consent changes, failed logins on their address, their own actions, logins and this download."""
    lines = [(line["action"], line["by_you"], line["about_you"]) for line in export["audit_log"]]

    assert lines == [
        ("consent.changed", True, True),
        ("room.action.saved", True, False),
        ("role.kamerlid.granted", False, True),
        ("login.failed", False, True),
        ("login.succeeded", True, True),
        ("privacy.data_downloaded", True, True),
    ]
    assert AuditLog.objects.filter(target_user=person).count() == 5
