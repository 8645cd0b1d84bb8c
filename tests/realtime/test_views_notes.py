"""Notes, phases, actions and the projector mode on the live room pages, as plain-HTML POSTs."""

import datetime as dt

import pytest
from django.urls import reverse

from realtime.hashing import voter_hash
from realtime.models import Action, LiveRoom, Note, NoteReaction, Phase
from realtime.services.notes import phases_ensure
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _url(name: str, room: LiveRoom) -> str:
    return reverse(f"realtime:{name}", args=[room.session.code])


@pytest.fixture
def rapporteur(live_room):
    user = UserFactory(perspective="beleid")
    live_room.session.rapporteurs.add(user)
    return user


@pytest.fixture
def note(live_room):
    return Note.objects.create(
        room=live_room, kind="dilemma", perspective="uitvoering", text="Te weinig mensen"
    )


def test_note_add_by_post_takes_phase_and_perspective(client, live_room, make_participant):
    """A note added with a plain form carries the author's perspective and the room's current phase."""
    phase = phases_ensure(room=live_room)[1]
    LiveRoom.objects.filter(pk=live_room.pk).update(current_phase=phase)
    client.force_login(make_participant(live_room, "politiek"))

    response = client.post(
        _url("note_add", live_room), {"kind": "execution", "text": "Loketten lopen vol."}, follow=True
    )

    assert list(Note.objects.values_list("kind", "perspective", "phase_id", "text", "status")) == [
        ("execution", "politiek", phase.pk, "Loketten lopen vol.", "visible")
    ]
    assert "Uw notitie is geplaatst." in response.content.decode()


def test_note_add_empty_is_refused_with_message(client, live_room, make_participant):
    client.force_login(make_participant(live_room))

    response = client.post(_url("note_add", live_room), {"kind": "dilemma", "text": ""}, follow=True)

    assert Note.objects.count() == 0
    assert "Typ eerst een tekst." in response.content.decode()


def test_note_shows_in_its_perspective_column(client, live_room, make_participant, note):
    client.force_login(make_participant(live_room))

    html = client.get(_url("room", live_room)).content.decode()

    column = html.split('data-notes="uitvoering"')[1].split("</ul>")[0]
    assert "Te weinig mensen" in column


def test_note_react_by_post_then_again_removes_it(client, live_room, make_participant, note):
    """'Herken ik' stores one reaction; the pressed button posts an empty reaction, which removes it."""
    user = make_participant(live_room, "politiek")
    client.force_login(user)

    client.post(_url("note_react", live_room), {"note": note.pk, "reaction": "recognise"})
    stored = list(NoteReaction.objects.values_list("voter_hash", "kind", "perspective"))
    html = client.get(_url("room", live_room)).content.decode()
    client.post(_url("note_react", live_room), {"note": note.pk, "reaction": ""})

    salt = live_room.session.event.vote_salt
    assert stored == [(voter_hash("note", user.pk, note.pk, salt=salt), "recognise", "politiek")]
    assert 'value="" data-reaction="recognise" aria-pressed="true"' in html
    assert NoteReaction.objects.count() == 0


CURATE_POSTS = [
    ("note_curate", {"action": "common_ground"}),
    ("note_edit", {"text": "Anders"}),
    ("note_merge", {"into": 0}),
    ("action_save", {"what": "Iets", "owner_name": "Piet", "status": "open"}),
    ("phase_next", {}),
    ("phase_set", {"phase": 0}),
    ("phase_save", {"title": "Nieuw"}),
    ("projector_mode", {"mode": "notes"}),
]


@pytest.mark.parametrize(("name", "data"), CURATE_POSTS)
def test_curation_posts_are_not_found_for_attendees(client, live_room, make_participant, note, name, data):
    """An attendee posting a moderator action gets 404 and nothing changes."""
    client.force_login(make_participant(live_room))

    response = client.post(_url(name, live_room), {"note": note.pk, **data})

    note.refresh_from_db()
    live_room.refresh_from_db()
    assert (response.status_code, note.mark, note.text, Action.objects.count(), Phase.objects.count()) == (
        404,
        "",
        "Te weinig mensen",
        0,
        0,
    )
    assert (live_room.projector_mode, live_room.current_phase_id) == ("questions", None)


def test_curation_posts_are_forbidden_for_unregistered(client, live_room, note):
    client.force_login(UserFactory())

    response = client.post(_url("note_curate", live_room), {"note": note.pk, "action": "hide"})

    assert response.status_code == 404


def test_rapporteur_marks_common_ground(client, live_room, rapporteur, note):
    client.force_login(rapporteur)

    response = client.post(_url("note_curate", live_room), {"note": note.pk, "action": "common_ground"})

    note.refresh_from_db()
    assert (response.status_code, note.mark) == (302, "common_ground")


def test_rapporteur_merges_duplicate_keeping_both_texts(client, live_room, rapporteur, note):
    duplicate = Note.objects.create(
        room=live_room, kind="dilemma", perspective="beleid", text="Personeelstekort"
    )
    client.force_login(rapporteur)

    client.post(_url("note_merge", live_room), {"note": duplicate.pk, "into": note.pk})

    duplicate.refresh_from_db()
    note.refresh_from_db()
    assert (duplicate.status, duplicate.merged_into_id, note.history[-1]["text"]) == (
        "merged",
        note.pk,
        "Personeelstekort",
    )


def test_action_save_by_rapporteur_then_update(client, live_room, rapporteur):
    """The rapporteur captures an action; posting it again with action_id updates the same row."""
    client.force_login(rapporteur)
    data = {
        "what": "Sneltoets uitproberen",
        "owner_name": "An Jansen",
        "owner_organisation": "UWV",
        "perspective": "uitvoering",
        "due_date": "2026-09-01",
        "status": "open",
    }

    client.post(_url("action_save", live_room), data)
    action = Action.objects.get()
    response = client.post(
        _url("action_save", live_room), {**data, "action_id": action.pk, "status": "started"}
    )

    action.refresh_from_db()
    assert (Action.objects.count(), action.status, action.due_date, action.owner_organisation) == (
        1,
        "started",
        dt.date(2026, 9, 1),
        "UWV",
    )
    assert response.url == _url("console", live_room) + "#acties"


def test_actions_show_on_room_page(client, live_room, make_participant):
    Action.objects.create(room=live_room, what="Pilot starten", owner_name="Ria", owner_organisation="SVB")
    client.force_login(make_participant(live_room))

    html = client.get(_url("room", live_room)).content.decode()

    assert '<td data-slot="what">Pilot starten</td>' in html
    assert '<td data-slot="organisation">SVB</td>' in html


def test_phase_next_and_set_by_post(client, live_room, rapporteur):
    """'Volgende fase' starts at the first phase; jumping sets any phase of the room."""
    phases = phases_ensure(room=live_room)
    live_room.session.moderators.add(rapporteur)
    client.force_login(rapporteur)

    client.post(_url("phase_next", live_room))
    first = LiveRoom.objects.get(pk=live_room.pk).current_phase_id
    client.post(_url("phase_set", live_room), {"phase": phases[2].pk})

    assert (first, LiveRoom.objects.get(pk=live_room.pk).current_phase_id) == (phases[0].pk, phases[2].pk)


def test_phase_save_edits_and_adds(client, live_room, rapporteur):
    phase = phases_ensure(room=live_room)[0]
    client.force_login(rapporteur)

    client.post(
        _url("phase_save", live_room), {"phase": phase.pk, "title": "Start", "prompt": "Wat speelt er?"}
    )
    client.post(_url("phase_save", live_room), {"title": "Extra ronde", "prompt": ""})

    phase.refresh_from_db()
    assert (phase.title, phase.prompt) == ("Start", "Wat speelt er?")
    assert list(Phase.objects.filter(room=live_room).values_list("title", flat=True))[-1] == "Extra ronde"


def test_current_phase_shows_on_room_page(client, live_room, make_participant):
    phase = phases_ensure(room=live_room)[1]
    LiveRoom.objects.filter(pk=live_room.pk).update(current_phase=phase)
    client.force_login(make_participant(live_room))

    html = client.get(_url("room", live_room)).content.decode()

    assert f'<span data-slot="phase-title">{phase.title}</span>' in html
    assert f'<p class="phase__prompt" data-slot="phase-prompt">{phase.prompt}</p>' in html


def test_projector_mode_by_post_switches_projector_section(client, live_room, rapporteur, note):
    client.force_login(rapporteur)

    client.post(_url("projector_mode", live_room), {"mode": "notes"})
    html = client.get(reverse("realtime:projector_token", args=[live_room.projector_token])).content.decode()

    assert '<section data-mode-section="notes" aria-labelledby="notes-title">' in html
    assert '<div data-mode-section="questions" hidden>' in html


def test_console_lists_pending_notes_and_actions(client, live_room, rapporteur):
    Note.objects.create(room=live_room, kind="dilemma", perspective="beleid", text="Wacht", status="pending")
    Action.objects.create(room=live_room, what="Rapport schrijven", owner_name="Ria")
    client.force_login(rapporteur)

    html = client.get(_url("console", live_room)).content.decode()

    pending = html.split('data-note-list="pending"')[1].split("</ul>")[0]
    assert "Wacht" in pending
    assert "Rapport schrijven" in html
