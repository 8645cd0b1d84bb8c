"""A live room end to end in a real browser: ask, moderate, and see it arrive elsewhere without a reload."""

import pytest
from playwright.sync_api import expect

from realtime.models import LiveRoom, Question
from tests.browser.conftest import wait_until_live
from tests.factories import RegistrationFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

QUESTION = "Wat betekent deze regel voor de mensen aan het loket?"


@pytest.fixture
def room_with_people():
    """An open room with pre-moderation on, two registered attendees and a moderator."""
    session = SessionFactory(title="Trialoog over de toeslagen")
    room = LiveRoom.objects.create(session=session, is_open=True, premoderation=True)
    asker = UserFactory(perspective="uitvoering")
    watcher = UserFactory(perspective="politiek", is_kamerlid=True)
    for user in (asker, watcher):
        RegistrationFactory(user=user, event=session.event)
    moderator = UserFactory(perspective="beleid")
    session.moderators.add(moderator)
    return room, asker, watcher, moderator


def test_question_asked_approved_and_shown_live(open_page, room_with_people):
    """An attendee asks; the moderator approves; a second attendee and the projector show it, live."""
    room, asker, watcher, moderator = room_with_people
    code = room.session.code
    console = open_page(f"/zaal/{code}/console/", moderator)
    second = open_page(f"/zaal/{code}/", watcher)
    projector = open_page(f"/projector/{room.projector_token}/")
    first = open_page(f"/zaal/{code}/", asker)
    for page in (console, second, projector, first):
        wait_until_live(page)

    first.get_by_label("Uw vraag").fill(QUESTION)
    first.get_by_role("button", name="Vraag versturen").click()
    expect(first.locator("[data-feedback]")).to_have_text(
        "Uw vraag is verstuurd. De gespreksleider bekijkt hem eerst."
    )
    pending = console.locator("[data-list='pending'] li", has_text=QUESTION)
    expect(pending).to_be_visible()
    expect(second.get_by_text(QUESTION)).to_have_count(0)
    pending.get_by_role("button", name="Goedkeuren").click()

    expect(second.locator("[data-list='questions'] li", has_text=QUESTION)).to_be_visible()
    expect(projector.locator("[data-list='top'] li", has_text=QUESTION)).to_be_visible()
    expect(console.locator("[data-list='questions'] li", has_text=QUESTION)).to_be_visible()
    expect(console.locator("[data-list='pending'] li")).to_have_count(0)
    assert [p.js_errors for p in (console, second, projector, first)] == [[], [], [], []]


def test_upvote_and_pin_reach_the_projector(open_page, room_with_people):
    """An upvote toggles aria-pressed and the count on the projector; a pin shows there as 'Nu besproken'."""
    room, asker, watcher, moderator = room_with_people
    question = Question.objects.create(room=room, author=asker, text=QUESTION, perspective="uitvoering")
    code = room.session.code
    projector = open_page(f"/projector/{room.projector_token}/")
    console = open_page(f"/zaal/{code}/console/", moderator)
    voter = open_page(f"/zaal/{code}/", watcher)
    for page in (projector, console, voter):
        wait_until_live(page)

    button = voter.locator(f"[data-question='{question.pk}']").get_by_role("button", name="Steun deze vraag")
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(projector.locator(f"[data-question='{question.pk}'] [data-slot='upvotes']")).to_have_text("1")
    console.locator(f"[data-list='questions'] [data-question='{question.pk}']").get_by_role(
        "button", name="Vastzetten"
    ).click()

    expect(projector.locator("[data-pinned] [data-slot='pinned-text']")).to_have_text(QUESTION)
    expect(voter.locator("[data-pinned] [data-slot='pinned-text']")).to_have_text(QUESTION)
    expect(voter.locator("[data-live]")).to_have_text(f"Nu besproken: {QUESTION}")
    assert [p.js_errors for p in (projector, console, voter)] == [[], [], []]


def test_outbox_is_resent_after_reload_with_the_same_id(open_page, room_with_people):
    """An action left in the sessionStorage outbox is sent on connect; sending it again makes no second row."""
    room, asker, watcher, moderator = room_with_people
    LiveRoom.objects.filter(pk=room.pk).update(premoderation=False)
    code = room.session.code
    page = open_page(f"/zaal/{code}/", asker)
    wait_until_live(page)
    frame = {"action": "question.ask", "id": "outbox-1", "text": QUESTION, "show_name": False}
    page.evaluate(
        "([key, frame]) => sessionStorage.setItem(key, JSON.stringify([frame, frame]))",
        [f"trialoog-outbox:{code}", frame],
    )

    page.reload()
    wait_until_live(page)
    expect(page.locator("[data-list='questions'] li", has_text=QUESTION)).to_have_count(1)
    page.wait_for_function(f"sessionStorage.getItem('trialoog-outbox:{code}') === '[]'")

    assert list(Question.objects.filter(room=room).values_list("text", "client_id")) == [
        (QUESTION, "outbox-1")
    ]
    assert page.js_errors == []
