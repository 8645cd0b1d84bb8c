"""axe-core in a real browser: the room page, the console and the projector have no serious or critical violations."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from realtime.models import LiveRoom, Question
from tests.browser.conftest import wait_until_live
from tests.factories import RegistrationFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

BLOCKING = {"serious", "critical"}


@pytest.fixture
def busy_room():
    """A room with questions in every state, a pinned one, names shown and a Kamerlid mark."""
    session = SessionFactory(title="Trialoog over vereenvoudiging")
    room = LiveRoom.objects.create(session=session, is_open=True, premoderation=True)
    attendee = UserFactory(perspective="uitvoering", name="Anna de Vries", organisation="DUO")
    RegistrationFactory(user=attendee, event=session.event)
    kamerlid = UserFactory(perspective="politiek", is_kamerlid=True)
    moderator = UserFactory(perspective="beleid")
    session.moderators.add(moderator)

    def ask(text, status, **fields):
        return Question.objects.create(
            room=room, text=text, status=status, perspective="uitvoering", **fields
        )

    pinned = ask("Wat vraagt dit van professionals?", "visible", author=attendee, show_name=True, upvotes=3)
    ask("Hoe merken burgers dit?", "visible", author=kamerlid, is_kamerlid=True, upvotes=1)
    ask("Is dit al beantwoord?", "answered", author=attendee)
    ask("Nog te beoordelen", "pending", author=attendee)
    ask("Niet passend", "hidden", author=attendee)
    LiveRoom.objects.filter(pk=room.pk).update(pinned_question=pinned)
    return room, attendee, moderator


def _blocking_violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{violation['id']} ({violation['impact']}): {[node['target'] for node in violation['nodes']]}"
        for violation in results.response["violations"]
        if violation["impact"] in BLOCKING
    ]


@pytest.mark.parametrize("page_name", ["room", "console", "projector"])
def test_live_pages_have_no_serious_axe_violations(open_page, busy_room, page_name):
    """After room.js has drawn the page from the live snapshot, axe finds nothing serious or critical."""
    room, attendee, moderator = busy_room
    code = room.session.code
    page = {
        "room": lambda: open_page(f"/zaal/{code}/", attendee),
        "console": lambda: open_page(f"/zaal/{code}/console/", moderator),
        "projector": lambda: open_page(f"/projector/{room.projector_token}/"),
    }[page_name]()
    wait_until_live(page)

    violations = _blocking_violations(page)

    assert violations == []
    assert page.js_errors == []
