"""Issue 7 in a real browser: a note added in phase 2 is marked common ground and shows in its column on the projector."""

import pytest
from playwright.sync_api import expect

from events.models import SessionKind
from realtime.models import LiveRoom, Note
from realtime.services.notes import phases_ensure
from tests.browser.conftest import wait_until_live
from tests.factories import RegistrationFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

NOTE = "Bij de uitvoering lopen de wachtrijen nu al op."


@pytest.fixture
def whole_system_room():
    """A whole-system session in its second phase, with an attendee from uitvoering and a rapporteur."""
    session = SessionFactory(title="Het hele systeem in de zaal", kind=SessionKind.WHOLE_SYSTEM)
    room = LiveRoom.objects.create(session=session, is_open=True, projector_mode="notes")
    phases = phases_ensure(room=room)
    LiveRoom.objects.filter(pk=room.pk).update(current_phase=phases[1])
    attendee = UserFactory(perspective="uitvoering")
    RegistrationFactory(user=attendee, event=session.event)
    rapporteur = UserFactory(perspective="beleid")
    session.rapporteurs.add(rapporteur)
    return room, phases, attendee, rapporteur


def test_note_in_phase_two_marked_common_ground_reaches_projector_column(open_page, whole_system_room):
    room, phases, attendee, rapporteur = whole_system_room
    code = room.session.code
    projector = open_page(f"/projector/{room.projector_token}/")
    console = open_page(f"/zaal/{code}/console/", rapporteur)
    page = open_page(f"/zaal/{code}/", attendee)
    for p in (projector, console, page):
        wait_until_live(p)
    expect(page.locator("[data-phase-box] [data-slot='phase-title']")).to_have_text(phases[1].title)

    page.get_by_label("Soort notitie").select_option("execution")
    page.get_by_label("Notitie", exact=True).fill(NOTE)
    page.get_by_role("button", name="Notitie plaatsen").click()
    expect(page.locator("[data-status]").first).to_have_text("Uw notitie is geplaatst.")
    console_note = console.locator("[data-note-list='visible'] li", has_text=NOTE)
    expect(console_note).to_contain_text(phases[1].title)
    console_note.get_by_role("button", name="Gedeelde grond").click()

    column = projector.locator("[data-notes='uitvoering'] li", has_text=NOTE)
    expect(column).to_have_class("note note--common_ground")
    expect(column.locator("[data-slot='note-mark']")).to_have_text("Gedeelde grond")
    expect(projector.locator("[data-notes='politiek'] li")).to_have_count(0)
    assert Note.objects.get().phase_id == phases[1].pk
    assert [p.js_errors for p in (projector, console, page)] == [[], [], []]


def test_reaction_toggles_with_aria_pressed_and_phase_change_is_announced(open_page, whole_system_room):
    """'Herken ik' presses; one reaction is no count to show (fewer than the minimum group), so the page
    says from when counts appear; pressing again takes it back; the next phase is announced live."""
    room, phases, attendee, rapporteur = whole_system_room
    Note.objects.create(room=room, kind="dilemma", perspective="beleid", text=NOTE, phase=phases[1])
    code = room.session.code
    console = open_page(f"/zaal/{code}/console/", rapporteur)
    page = open_page(f"/zaal/{code}/", attendee)
    for p in (console, page):
        wait_until_live(p)
    button = page.locator("[data-notes='beleid'] li", has_text=NOTE).get_by_role("button", name="Herken ik")

    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(button.locator("[data-slot='count-recognise']")).to_have_text("")
    note = page.locator("[data-notes='beleid'] li", has_text=NOTE)
    expect(note.locator("[data-slot='counts-hint']")).to_have_text("Aantallen verschijnen vanaf 3 reacties.")
    button.click()
    expect(button).to_have_attribute("aria-pressed", "false")
    expect(button.locator("[data-slot='count-recognise']")).to_have_text("0")
    expect(note.locator("[data-slot='counts-hint']")).to_be_hidden()
    console.get_by_role("button", name="Volgende fase").click()

    expect(page.locator("[data-live]")).to_have_text(f"Nieuwe fase: {phases[2].title}. {phases[2].prompt}")
    assert [p.js_errors for p in (console, page)] == [[], []]
