import datetime as dt
import json

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command

from accounts.models import AuditLog, KamerlidInvitation, User
from events.models import Event, Registration

pytestmark = pytest.mark.django_db


def test_data_download_holds_everything_about_the_person(client, make_user, event, reauthenticate):
    """The JSON export carries the profile, consents, needs, email addresses and registrations."""
    user = make_user(function="Adviseur", consent_photos=True, consent_needs=True, diet="vegetarisch")
    Registration.objects.create(user=user, event=event)
    client.force_login(user)
    reauthenticate(client)

    response = client.get("/mijn-gegevens/download/")

    data = json.loads(response.content)
    assert response["Content-Disposition"].startswith('attachment; filename="mijn-gegevens-')
    assert data["account"]["email"] == "anna@example.org"
    assert data["account"]["name"] == "Anna de Vries"
    assert data["account"]["function"] == "Adviseur"
    assert data["account"]["consent_photos"] is True
    assert data["account"]["diet"] == "vegetarisch"
    assert data["email_addresses"] == [{"email": "anna@example.org", "verified": True, "primary": True}]
    assert [(r["event"], r["status"]) for r in data["registrations"]] == [(event.name, "registered")]
    assert "password" not in data["account"]


@pytest.fixture
def room_of(event, make_user):
    """An open live room of the event, with its moderator as `room_of.moderator`."""
    from realtime.models import LiveRoom
    from tests.factories import SessionFactory

    room = LiveRoom.objects.create(
        session=SessionFactory(event=event, title="Trialoog Toeslagen"), is_open=True
    )
    room.moderator = make_user("mod@example.org")
    room.session.moderators.add(room.moderator)
    return room


def _take_part(room, make_user, email: str, perspective: str = "uitvoering") -> User:
    user = make_user(email, perspective=perspective)
    Registration.objects.create(user=user, event=room.session.event)
    return user


def _opinions_of(user, questions, notes, poll, choice_value: int) -> None:
    from realtime.services import notes as note_services
    from realtime.services import votes

    for question in questions:
        votes.question_upvote(user=user, question=question)
    for note in notes:
        note_services.note_react(user=user, note=note, kind="recognise")
    votes.poll_vote(user=user, poll=poll, option_ids=[poll.options.get(value=choice_value).pk])


def _room_content(room, author, count: int):
    from realtime.models import Poll
    from realtime.services import notes as note_services
    from realtime.services import polls as poll_services
    from realtime.services import questions as question_services

    questions = [
        question_services.question_ask(user=author, room=room, text=f"Vraag {i}")[0] for i in range(count)
    ]
    notes = [
        note_services.note_add(user=author, room=room, kind="dilemma", text=f"Notitie {i}")[0]
        for i in range(count)
    ]
    poll = poll_services.poll_create(
        user=room.moderator, room=room, text="Eenvoud eerst", kind=Poll.Kind.SCALE
    )
    return questions, notes, poll_services.poll_open(user=room.moderator, poll=poll)


def test_data_download_holds_own_votes_upvotes_reactions_questions_and_notes(
    client, make_user, room_of, reauthenticate
):
    """The export finds the person's own opinions by their keyed hash, and their questions and notes."""
    author = _take_part(room_of, make_user, "anna@example.org", "beleid")
    other = _take_part(room_of, make_user, "bob@example.org")
    questions, notes, poll = _room_content(room_of, author, 2)
    _opinions_of(author, questions[:1], notes[1:], poll, 5)
    _opinions_of(other, questions, notes, poll, 1)
    client.force_login(author)
    reauthenticate(client)

    data = json.loads(client.get("/mijn-gegevens/download/").content)

    session = "Trialoog Toeslagen"
    assert data["poll_votes"] == [{"session": session, "poll": "Eenvoud eerst", "choices": ["Helemaal eens"]}]
    assert data["upvotes"] == [{"session": session, "question": "Vraag 0"}]
    assert data["note_reactions"] == [{"session": session, "note": "Notitie 1", "reaction": "recognise"}]
    assert [(q["session"], q["text"], q["status"], q["perspective"]) for q in data["questions"]] == [
        (session, "Vraag 0", "visible", "beleid"),
        (session, "Vraag 1", "visible", "beleid"),
    ]
    assert [(n["text"], n["kind"], n["status"], n["perspective"]) for n in data["notes"]] == [
        ("Notitie 0", "dilemma", "visible", "beleid"),
        ("Notitie 1", "dilemma", "visible", "beleid"),
    ]


@pytest.mark.parametrize("count", [1, 3])
def test_data_download_finds_opinions_in_a_fixed_number_of_queries(
    make_user, room_of, django_assert_num_queries, count
):
    """However many votes a person gave, their export costs the same queries."""
    from accounts.selectors import user_data_export

    voter = _take_part(room_of, make_user, "anna@example.org")
    questions, notes, poll = _room_content(room_of, voter, count)
    _opinions_of(voter, questions, notes, poll, 3)

    with django_assert_num_queries(17):
        data = user_data_export(user=voter)

    assert (len(data["upvotes"]), len(data["note_reactions"]), len(data["poll_votes"])) == (count, count, 1)


def test_delete_account_removes_every_personal_field(client, make_user, event, reauthenticate):
    """After deletion no row holds the person's email, name or needs; an anonymous audit line remains."""
    user = make_user(consent_needs=True, diet="halal")
    pk = user.pk
    Registration.objects.create(user=user, event=event)
    client.force_login(user)
    reauthenticate(client)

    response = client.post("/mijn-gegevens/verwijderen/", {"confirm": "on"})

    assert response.status_code == 302
    assert not User.objects.filter(pk=pk).exists()
    assert not EmailAddress.objects.filter(email="anna@example.org").exists()
    assert not Registration.objects.filter(event=event).exists()
    line = AuditLog.objects.get(action="account.deleted")
    assert line.target == f"user:{pk}"
    assert "anna" not in json.dumps(line.detail)


def test_delete_account_needs_explicit_confirmation(client, make_user, reauthenticate):
    """Without ticking the confirmation nothing is deleted and the error is shown."""
    user = make_user()
    client.force_login(user)
    reauthenticate(client)

    response = client.post("/mijn-gegevens/verwijderen/", {})

    assert response.status_code == 200
    assert User.objects.filter(pk=user.pk).exists()


def test_purge_removes_needs_after_the_event_and_is_idempotent(make_user, event, capsys):
    """The purge clears needs and cancelled rows once, then finds nothing more."""
    with_needs = make_user("a@example.org", consent_needs=True, diet="glutenvrij", access_needs="rolstoel")
    Registration.objects.create(user=with_needs, event=event)
    cancelled = make_user("b@example.org")
    Registration.objects.create(user=cancelled, event=event, status=Registration.Status.CANCELLED)

    call_command("purge_personal_data", "--event", event.slug)
    first = capsys.readouterr().out
    call_command("purge_personal_data", "--event", event.slug)
    second = capsys.readouterr().out

    with_needs.refresh_from_db()
    assert (with_needs.diet, with_needs.access_needs, with_needs.consent_needs) == ("", "", False)
    assert Registration.objects.filter(event=event).count() == 1
    assert "    1  wensen (dieet, toegankelijkheid) van deelnemers" in first
    assert "    1  afgemelde aanmeldingen" in first
    assert "Klaar: 0 verwijderd" in second


def test_purge_keeps_needs_of_people_registered_for_a_later_event(make_user, event):
    """Someone registered for a later event keeps their needs for that event."""
    later = Event.objects.create(
        name="DvdPD 2027", slug="dvdpd-2027", acronym="dvdpd2027", date=dt.date(2027, 6, 16)
    )
    user = make_user(consent_needs=True, diet="vegan")
    Registration.objects.create(user=user, event=event)
    Registration.objects.create(user=user, event=later)

    call_command("purge_personal_data", "--event", event.slug, verbosity=0)

    user.refresh_from_db()
    assert user.diet == "vegan"


def test_purge_refuses_before_the_event_is_over(make_user):
    """Before the event day has passed, the purge removes nothing."""
    future = Event.objects.create(
        name="Toekomst", slug="toekomst", acronym="toekomst", date=dt.date(2099, 1, 1)
    )
    user = make_user(consent_needs=True, diet="vegan")
    Registration.objects.create(user=user, event=future)

    with pytest.raises(CommandError, match="nog niet voorbij"):
        call_command("purge_personal_data", "--event", future.slug)

    user.refresh_from_db()
    assert user.diet == "vegan"


def test_purge_removes_used_kamerlid_invitations(make_user, event):
    """Used invitations hold an email address that is no longer needed."""
    from accounts import services

    organiser = make_user("org@example.org", organiser=True)
    _invitation, token = services.kamerlid_invitation_create(
        actor=organiser, email="kl@example.org", send=False
    )
    services.kamerlid_invitation_accept(user=make_user("kl@example.org"), token=token)

    call_command("purge_personal_data", "--event", event.slug, verbosity=0)

    assert not KamerlidInvitation.objects.exists()


def test_no_tracking_cookies_on_public_pages(client, event):
    """Anonymous visitors get no cookies at all on the home and statement pages."""
    for page in ["/", "/privacy/", "/toegankelijkheid/"]:
        response = client.get(page)

        assert response.status_code == 200
        assert [name for name in response.cookies if name != "csrftoken"] == []


def test_footer_links_to_privacy_and_accessibility_statements(client, event):
    """Every page's footer links both statements."""
    content = client.get("/").content.decode()

    assert 'href="/privacy/"' in content
    assert 'href="/toegankelijkheid/"' in content


def test_language_switch_works_without_javascript(client, event):
    """Posting the language form switches the site to English."""
    response = client.post("/taal/", {"language": "en", "next": "/"}, follow=True)

    assert '<html lang="en">' in response.content.decode()
