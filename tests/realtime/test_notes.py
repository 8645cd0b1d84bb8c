import datetime as dt

import pytest
from channels.db import database_sync_to_async
from django.core.exceptions import PermissionDenied, ValidationError

from realtime import payloads, snapshots
from realtime.models import Action, LiveRoom, Note, NoteReaction, Phase
from realtime.services import notes as n
from tests.factories import SessionFactory, UserFactory
from tests.realtime.conftest import next_of_type


@pytest.fixture
def moderator(live_room, make_moderator):
    return make_moderator(live_room)


@pytest.fixture
def rapporteur(live_room):
    user = UserFactory(perspective="beleid")
    live_room.session.rapporteurs.add(user)
    return user


@pytest.mark.django_db
class TestPhases:
    def test_trialoog_gets_the_trialoog_template(self, live_room):
        """A trialoog follows: dilemma → round per perspective → explore together → what is needed."""
        phases = n.phases_ensure(room=live_room)

        assert [p.title for p in phases] == [
            "Dilemma gepresenteerd",
            "Ronde per perspectief",
            "Samen verkennen",
            "Wat is nodig / vervolg",
        ]

    def test_whole_system_gets_past_to_action_planning(self, db):
        """Whole system in the room: past → present → ideal future → common ground → action planning."""
        room = LiveRoom.objects.create(session=SessionFactory(kind="whole_system"))

        phases = n.phases_ensure(room=room)

        assert [p.title for p in phases] == [
            "Verleden",
            "Heden",
            "Ideale toekomst",
            "Gedeelde grond",
            "Actieplanning",
        ]

    def test_advance_walks_through_the_phases_and_stops_at_the_last(self, live_room, moderator):
        """Each advance moves one phase on; the last phase stays."""
        seen = [n.phase_advance(user=moderator, room=live_room).current_phase.title for _ in range(5)]

        assert seen == [
            "Dilemma gepresenteerd",
            "Ronde per perspectief",
            "Samen verkennen",
            "Wat is nodig / vervolg",
            "Wat is nodig / vervolg",
        ]

    def test_moderator_edits_a_phase_prompt(self, live_room, moderator):
        """The moderator can change a phase's title and prompt."""
        phase = n.phases_ensure(room=live_room)[1]

        n.phase_save(user=moderator, room=live_room, phase=phase, title="Ronde", prompt="Wat ziet u?")

        phase.refresh_from_db()
        assert (phase.title, phase.prompt) == ("Ronde", "Wat ziet u?")

    def test_attendee_cannot_move_the_phase(self, live_room, make_participant):
        """Phases belong to the moderator."""
        with pytest.raises(PermissionDenied):
            n.phase_advance(user=make_participant(live_room), room=live_room)


@pytest.mark.django_db
class TestNotes:
    def test_note_carries_perspective_and_current_phase(self, live_room, moderator, make_participant):
        """A note takes the author's perspective and the phase the room is in."""
        room = n.phase_advance(user=moderator, room=live_room)
        room = n.phase_advance(user=moderator, room=room)

        note, _ = n.note_add(
            user=make_participant(live_room, "politiek"), room=room, kind="execution", text="Kost tijd"
        )

        assert (note.perspective, note.phase.title, note.status) == (
            "politiek",
            "Ronde per perspectief",
            "visible",
        )

    def test_notes_follow_premoderation_except_for_moderators(self, live_room, rapporteur, make_participant):
        """With pre-moderation on, an attendee's note waits; the rapporteur's does not."""
        LiveRoom.objects.filter(pk=live_room.pk).update(premoderation=True)
        live_room.refresh_from_db()

        attendee_note, _ = n.note_add(
            user=make_participant(live_room), room=live_room, kind="dilemma", text="A"
        )
        rapporteur_note, _ = n.note_add(user=rapporteur, room=live_room, kind="dilemma", text="B")

        assert (attendee_note.status, rapporteur_note.status) == ("pending", "visible")

    def test_one_reaction_per_person_changeable_and_unlinkable(self, live_room, make_participant):
        """Reacting again replaces the reaction; the row holds only a hash, the perspective and the kind."""
        note, _ = n.note_add(user=make_participant(live_room), room=live_room, kind="dilemma", text="Dilemma")
        reactor = make_participant(live_room, "beleid")

        n.note_react(user=reactor, note=note, kind="agree")
        n.note_react(user=reactor, note=note, kind="disagree")

        assert list(NoteReaction.objects.values_list("kind", "perspective")) == [("disagree", "beleid")]
        assert set(NoteReaction.objects.values().get()) == {
            "id",
            "note_id",
            "voter_hash",
            "perspective",
            "kind",
        }

    def test_note_lens_counts_recognise_and_agree_as_agreement(self, live_room, make_participant):
        """politiek: herken, eens, eens (3/3); beleid: oneens ×3 (0/3); uitvoering: herken, oneens ×2 (1/3)."""
        note, _ = n.note_add(user=make_participant(live_room), room=live_room, kind="dilemma", text="D")
        reactions = {
            "politiek": ["recognise", "agree", "agree"],
            "beleid": ["disagree"] * 3,
            "uitvoering": ["recognise", "disagree", "disagree"],
        }
        for perspective, kinds in reactions.items():
            for kind in kinds:
                n.note_react(user=make_participant(live_room, perspective), note=note, kind=kind)

        payload = snapshots.notes_payload([note])[0]

        shown = {p: (v["agree"], v["total"]) for p, v in payload["lens"]["perspectives"].items()}
        assert shown == {"politiek": (3, 3), "beleid": (0, 3), "uitvoering": (1, 3)}
        assert (payload["lens"]["verdict"], payload["lens"]["apart"]) == ("apart", ["politiek", "beleid"])
        assert payload["reactions"] == {"recognise": 2, "agree": 2, "disagree": 5}

    def test_note_reactions_of_a_lone_kamerlid_are_not_published(self, live_room, make_participant):
        """One politiek reaction among three beleid ones: politiek is withheld, and so is the remainder."""
        note, _ = n.note_add(user=make_participant(live_room), room=live_room, kind="dilemma", text="D")
        n.note_react(user=make_participant(live_room, "politiek"), note=note, kind="disagree")
        for _i in range(3):
            n.note_react(user=make_participant(live_room, "beleid"), note=note, kind="agree")

        payload = snapshots.notes_payload([note])[0]

        assert payload["reactions_by_perspective"]["disagree"]["politiek"] is None
        assert payload["reactions_by_perspective"]["agree"]["beleid"] is None
        assert payload["lens"]["perspectives"]["politiek"] == {"suppressed": True}
        assert payload["lens"]["verdict"] == "too_few"

    def test_merge_keeps_both_texts_and_moves_reactions(self, live_room, rapporteur, make_participant):
        """Merging a duplicate keeps its text in the kept note's history and moves its reactions."""
        first, _ = n.note_add(
            user=make_participant(live_room), room=live_room, kind="dilemma", text="Regels botsen"
        )
        duplicate, _ = n.note_add(
            user=make_participant(live_room), room=live_room, kind="dilemma", text="Regels conflicteren"
        )
        n.note_react(user=make_participant(live_room, "politiek"), note=duplicate, kind="recognise")

        kept = n.note_merge(user=rapporteur, note=duplicate, into=first)

        duplicate.refresh_from_db()
        assert kept.pk == first.pk
        assert (duplicate.status, duplicate.merged_into_id, duplicate.text) == (
            "merged",
            first.pk,
            "Regels conflicteren",
        )
        assert kept.history[-1]["text"] == "Regels conflicteren"
        assert NoteReaction.objects.get().note_id == first.pk

    def test_rapporteur_marks_common_ground_and_not_agreed(self, live_room, rapporteur, make_participant):
        """Curating sets the mark and records it in the history."""
        note, _ = n.note_add(user=make_participant(live_room), room=live_room, kind="consideration", text="X")

        n.note_curate(user=rapporteur, note=note, action="common_ground")
        n.note_curate(user=rapporteur, note=note, action="not_agreed")

        note.refresh_from_db()
        assert note.mark == "not_agreed"
        assert [h["action"] for h in note.history] == ["common_ground", "not_agreed"]

    def test_edit_keeps_the_earlier_text(self, live_room, moderator, make_participant):
        """An edit stores the previous text in the history."""
        note, _ = n.note_add(user=make_participant(live_room), room=live_room, kind="dilemma", text="Eerst")

        n.note_edit(user=moderator, note=note, text="Daarna")

        note.refresh_from_db()
        assert (note.text, note.history[-1]["before"]) == ("Daarna", "Eerst")

    def test_closed_room_refuses_notes(self, live_room, make_participant):
        """No notes in a closed room."""
        LiveRoom.objects.filter(pk=live_room.pk).update(is_open=False)
        live_room.refresh_from_db()

        with pytest.raises(ValidationError) as error:
            n.note_add(user=make_participant(live_room), room=live_room, kind="dilemma", text="Te laat")

        assert error.value.code == "room_closed"


CURATE = {
    "hide": lambda user, note, room: n.note_curate(user=user, note=note, action="hide"),
    "common_ground": lambda user, note, room: n.note_curate(user=user, note=note, action="common_ground"),
    "edit": lambda user, note, room: n.note_edit(user=user, note=note, text="Nieuw"),
    "action": lambda user, note, room: n.action_save(user=user, room=room, what="Doen", owner_name="Iemand"),
    "phase": lambda user, note, room: n.phase_advance(user=user, room=room),
}


@pytest.mark.django_db
@pytest.mark.parametrize("step", CURATE)
def test_who_may_curate(live_room, moderator, rapporteur, make_participant, make_moderator, step):
    """Moderators, rapporteurs and organisers curate; attendees, Kamerleden and other sessions' moderators do not."""
    from accounts.roles import organiser_group_ensure

    organiser = UserFactory()
    organiser.groups.add(organiser_group_ensure())
    elsewhere = make_moderator(LiveRoom.objects.create(session=SessionFactory(event=live_room.session.event)))
    users = {
        "attendee": make_participant(live_room),
        "kamerlid": make_participant(live_room, "politiek", is_kamerlid=True),
        "moderator": moderator,
        "rapporteur": rapporteur,
        "organiser": organiser,
        "moderator_elsewhere": elsewhere,
    }
    allowed = set()

    for role, user in users.items():
        note, _ = n.note_add(user=users["attendee"], room=live_room, kind="dilemma", text=f"Notitie {role}")
        try:
            CURATE[step](user, note, live_room)
            allowed.add(role)
        except PermissionDenied:
            pass

    assert allowed == {"moderator", "rapporteur", "organiser"}


@pytest.mark.django_db
def test_action_is_saved_with_owner_and_due_date(live_room, rapporteur):
    """An action has what, owner, organisation, perspective, due date and status."""
    action = n.action_save(
        user=rapporteur,
        room=live_room,
        what="Oplegger uitvoeringstoets herzien",
        owner_name="Sam",
        owner_organisation="BZK",
        perspective="beleid",
        due_date=dt.date(2026, 9, 1),
    )

    assert payloads.action_payload(action) == {
        "id": action.pk,
        "what": "Oplegger uitvoeringstoets herzien",
        "owner_name": "Sam",
        "owner_organisation": "BZK",
        "perspective": "beleid",
        "due_date": "2026-09-01",
        "status": "open",
    }


@pytest.mark.django_db(transaction=True)
class TestLive:
    async def test_phase_change_reaches_everyone(self, live_room, moderator, make_participant, room_socket):
        """When the moderator advances, every client gets room.updated with the phase and its prompt."""
        attendee = await database_sync_to_async(make_participant)(live_room)
        async with room_socket(live_room, moderator) as m, room_socket(live_room, attendee) as a:
            await m.send_json_to({"action": "phase.next", "id": "ph"})
            await next_of_type(m, "ack")
            event = await next_of_type(a, "room.updated")

        assert event["room"]["phase"]["title"] == "Dilemma gepresenteerd"
        assert event["room"]["phase"]["prompt"] == "Wat is het dilemma? Wat moet er besloten worden?"

    async def test_note_added_reaches_the_room_and_common_ground_follows(
        self, live_room, rapporteur, make_participant, room_socket
    ):
        """An attendee's note reaches others; the rapporteur's common-ground mark follows as note.updated."""
        author = await database_sync_to_async(make_participant)(live_room, "uitvoering")
        watcher = await database_sync_to_async(make_participant)(live_room, "politiek")
        async with (
            room_socket(live_room, author) as a,
            room_socket(live_room, watcher) as w,
            room_socket(live_room, rapporteur) as r,
        ):
            await a.send_json_to(
                {"action": "note.add", "id": "n1", "kind": "execution", "text": "Systemen lopen achter"}
            )
            ack = await next_of_type(a, "ack")
            added = await next_of_type(w, "note.added")
            await r.send_json_to({"action": "note.common_ground", "id": "cg", "note": ack["note"]})
            updated = await next_of_type(w, "note.updated")

        assert (added["note"]["text"], added["note"]["perspective"]) == (
            "Systemen lopen achter",
            "uitvoering",
        )
        assert "author" not in added["note"]
        assert updated["note"]["mark"] == "common_ground"

    async def test_same_note_id_twice_stores_one_note(self, live_room, make_participant, room_socket):
        """A resent note.add with the same id is stored once."""
        author = await database_sync_to_async(make_participant)(live_room)
        async with room_socket(live_room, author) as a:
            for _ in range(2):
                await a.send_json_to({"action": "note.add", "id": "same", "kind": "dilemma", "text": "Eén"})
                await next_of_type(a, "ack")

        assert await database_sync_to_async(Note.objects.count)() == 1

    async def test_attendee_cannot_curate_over_the_socket(self, live_room, make_participant, room_socket):
        """note.hide from an attendee is refused and changes nothing."""
        author = await database_sync_to_async(make_participant)(live_room)
        note, _ = await database_sync_to_async(n.note_add)(
            user=author, room=live_room, kind="dilemma", text="Blijft"
        )
        async with room_socket(live_room, author) as a:
            await a.send_json_to({"action": "note.hide", "id": "h", "note": note.pk})
            error = await next_of_type(a, "error")

        assert error["code"] == "forbidden"
        assert (await database_sync_to_async(Note.objects.get)(pk=note.pk)).status == "visible"

    async def test_action_saved_reaches_the_room(self, live_room, moderator, make_participant, room_socket):
        """Actions captured by the moderator are visible to the room at once."""
        attendee = await database_sync_to_async(make_participant)(live_room)
        async with room_socket(live_room, moderator) as m, room_socket(live_room, attendee) as a:
            await m.send_json_to(
                {
                    "action": "action.save",
                    "id": "a1",
                    "what": "Pilot starten",
                    "owner_name": "Noor",
                    "due_date": "2026-10-01",
                    "status": "open",
                }
            )
            await next_of_type(m, "ack")
            event = await next_of_type(a, "action.saved")

        assert (event["action"]["what"], event["action"]["due_date"]) == ("Pilot starten", "2026-10-01")
        assert await database_sync_to_async(Action.objects.count)() == 1
        assert await database_sync_to_async(Phase.objects.count)() == 0
