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
    """After the live client has drawn the page from the live snapshot, axe finds nothing serious or critical."""
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


@pytest.fixture
def room_with_substance(busy_room):
    """The busy room plus an open scale poll with revealed votes, a closed choice poll, notes and an action."""
    from realtime.models import Action, Note
    from realtime.services import polls as poll_services
    from realtime.services import votes
    from realtime.services.notes import phases_ensure

    room, attendee, moderator = busy_room
    phases = phases_ensure(room=room)
    LiveRoom.objects.filter(pk=room.pk).update(current_phase=phases[1])
    choice = poll_services.poll_create(
        user=moderator, room=room, text="Welke regel eerst?", kind="single", options=["Regel A", "Regel B"]
    )
    poll_services.poll_open(user=moderator, poll=choice)
    poll_services.poll_close(user=moderator, poll=choice)
    scale = poll_services.poll_create(
        user=moderator, room=room, text="Eenvoud gaat vóór maatwerk.", kind="scale"
    )
    poll_services.poll_open(user=moderator, poll=scale)
    for perspective, value in (("politiek", 5), ("uitvoering", 1)):
        voter = UserFactory(perspective=perspective)
        RegistrationFactory(user=voter, event=room.session.event)
        votes.poll_vote(user=voter, poll=scale, option_ids=[scale.options.get(value=value).pk])
    poll_services.poll_reveal(user=moderator, poll=scale)
    for perspective, status, mark in (
        ("politiek", "visible", "common_ground"),
        ("beleid", "visible", "not_agreed"),
        ("uitvoering", "visible", ""),
        ("anders", "visible", ""),
        ("uitvoering", "pending", ""),
        ("beleid", "hidden", ""),
    ):
        Note.objects.create(
            room=room,
            kind="dilemma",
            perspective=perspective,
            text=f"Notitie {perspective} {status}",
            status=status,
            mark=mark,
            phase=phases[1],
        )
    Action.objects.create(room=room, what="Sneltoets proberen", owner_name="An", owner_organisation="UWV")
    return room, attendee, moderator


@pytest.mark.parametrize(
    "page_name", ["room", "console", "projector-poll", "projector-notes", "projector-actions"]
)
def test_poll_notes_and_actions_have_no_serious_axe_violations(open_page, room_with_substance, page_name):
    """With an open poll, revealed results, notes in every column and an action, axe finds nothing serious."""
    room, attendee, moderator = room_with_substance
    code = room.session.code
    if page_name.startswith("projector-"):
        LiveRoom.objects.filter(pk=room.pk).update(projector_mode=page_name.removeprefix("projector-"))
    page = {
        "room": lambda: open_page(f"/zaal/{code}/", attendee),
        "console": lambda: open_page(f"/zaal/{code}/console/", moderator),
    }.get(page_name, lambda: open_page(f"/projector/{room.projector_token}/"))()
    wait_until_live(page)

    violations = _blocking_violations(page)

    assert violations == []
    assert page.js_errors == []
