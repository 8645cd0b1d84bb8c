"""A large room in a real browser: "Toon meer vragen" pages in older questions; a pin of an unloaded one shows."""

import pytest
from playwright.sync_api import expect

from realtime.models import LiveRoom, Question
from realtime.services.rooms import question_pin
from tests.browser.conftest import wait_until_live
from tests.factories import RegistrationFactory, SessionFactory, UserFactory
from tests.large_room import large_room_fill

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def crowded_room():
    """An open room with 400 questions (370 of them visible or answered) and 100 notes."""
    room = LiveRoom.objects.create(session=SessionFactory(title="Een lange dag"), is_open=True)
    attendee = UserFactory(perspective="uitvoering")
    RegistrationFactory(user=attendee, event=room.session.event)
    moderator = UserFactory(perspective="beleid")
    room.session.moderators.add(moderator)
    filled = large_room_fill(room=room, author=UserFactory(perspective="beleid"), questions=400, notes=100)
    return room, attendee, moderator, filled


def _shown_ids(page) -> list[int]:
    return [
        int(i)
        for i in page.locator("[data-list='questions'] li").evaluate_all(
            "items => items.map(item => item.dataset.question)"
        )
    ]


def test_meer_laden_shows_older_questions_once_each(open_page, crowded_room):
    """Each click adds older questions; at the end every visible question is on the page exactly once."""
    room, attendee, _moderator, filled = crowded_room
    oldest = Question.objects.get(pk=min(filled.visible_questions))
    page = open_page(f"/zaal/{room.session.code}/?sorteer=nieuw", attendee)
    wait_until_live(page)
    button = page.get_by_role("button", name="Toon meer vragen")
    expect(button).to_be_visible()
    before = len(_shown_ids(page))
    expect(page.locator("[data-list='questions'] li", has_text=oldest.text)).to_have_count(0)

    button.click()
    expect(page.locator("[data-list='questions'] li")).not_to_have_count(before)
    clicks = 1
    while button.is_visible() and clicks < 20:
        button.click()
        clicks += 1
        page.wait_for_function("() => !document.querySelector('[data-more=\"questions\"]').disabled")

    shown = _shown_ids(page)
    expect(page.locator("[data-list='questions'] li", has_text=oldest.text)).to_have_count(1)
    assert before < len(filled.visible_questions)
    assert sorted(shown) == sorted(filled.visible_questions)
    assert len(shown) == len(set(shown))
    assert page.js_errors == []


def test_pinning_a_question_the_page_has_not_loaded_shows_it(open_page, crowded_room):
    """The room asks for a fresh snapshot, which always carries the pinned question."""
    room, attendee, moderator, filled = crowded_room
    oldest = Question.objects.get(pk=min(filled.visible_questions))
    page = open_page(f"/zaal/{room.session.code}/", attendee)
    wait_until_live(page)

    question_pin(user=moderator, room=room, question=oldest)

    expect(page.locator("[data-pinned] [data-slot='pinned-text']")).to_have_text(oldest.text)
    assert page.js_errors == []
