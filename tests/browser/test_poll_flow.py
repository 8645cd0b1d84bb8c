"""Issue 6 in a real browser: three perspectives vote, the moderator reveals, the projector shows the split live."""

import pytest
from playwright.sync_api import expect

from realtime.models import LiveRoom, Poll, PollVote
from realtime.services import polls as poll_services
from realtime.services import votes
from tests.browser.conftest import wait_until_live
from tests.factories import RegistrationFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

STATEMENT = "Eenvoud van regels gaat vóór maatwerk."


@pytest.fixture
def poll_room():
    """An open room on the projector's poll mode with an open scale poll, three voters and a moderator."""
    session = SessionFactory(title="Trialoog over eenvoud")
    room = LiveRoom.objects.create(session=session, is_open=True, projector_mode="poll")
    voters = {}
    for perspective in ("politiek", "beleid", "uitvoering"):
        voters[perspective] = UserFactory(perspective=perspective)
        RegistrationFactory(user=voters[perspective], event=session.event)
    moderator = UserFactory(perspective="beleid")
    session.moderators.add(moderator)
    poll = poll_services.poll_create(user=moderator, room=room, text=STATEMENT, kind=Poll.Kind.SCALE)
    poll_services.poll_open(user=moderator, poll=poll)
    return room, poll, voters, moderator


def _open_live(open_page, room, voters, moderator):
    """The projector, the moderator's console and one room page per voter, all connected."""
    code = room.session.code
    projector = open_page(f"/projector/{room.projector_token}/")
    console = open_page(f"/zaal/{code}/console/", moderator)
    pages = {p: open_page(f"/zaal/{code}/", user) for p, user in voters.items()}
    for page in (projector, console, *pages.values()):
        wait_until_live(page)
    return projector, console, pages


def _vote_in_browser(pages: dict, answers: dict) -> None:
    for perspective, page in pages.items():
        page.get_by_role("group", name="Kies een antwoord").get_by_label(
            answers[perspective], exact=True
        ).check()
        page.get_by_role("button", name="Stem opslaan").click()
        expect(page.locator("[data-slot='poll-voted']")).to_have_text(
            f"Je stem is opgeslagen: {answers[perspective]}."
        )


def test_one_vote_each_shows_totals_while_open_and_too_few_once_closed(open_page, poll_room):
    """Three perspectives vote once each: totals only while open, then "too few votes" for every
    perspective on the projector, and no per-perspective count anywhere."""
    room, poll, voters, moderator = poll_room
    projector, console, pages = _open_live(open_page, room, voters, moderator)

    _vote_in_browser(pages, {"politiek": "Helemaal eens", "beleid": "Eens", "uitvoering": "Helemaal oneens"})
    expect(console.locator("[data-poll-list='console'] caption")).to_have_text(
        "Uitslag tot nu toe (3 stemmen)"
    )
    expect(projector.locator("[data-chart]")).to_have_count(0)
    console.get_by_role("button", name="Uitslag tonen aan de zaal").click()

    helemaal_eens = poll.options.get(value=5).pk
    expect(projector.locator(f"[data-bar='{helemaal_eens}-all']")).to_have_text("1 (33 %)")
    expect(projector.locator("[data-bar$='-politiek']")).to_have_count(0)
    console.get_by_role("button", name="Peiling sluiten").click()
    expect(projector.locator("[data-slot='callout']")).to_have_text(
        "Nog te weinig stemmen van politiek, beleid en uitvoering."
    )
    expect(projector.locator("[data-bar='agree-politiek']")).to_have_text("minder dan 3 stemmen")
    expect(pages["beleid"].locator("[data-slot='callout']")).to_have_text(
        "Nog te weinig stemmen van politiek, beleid en uitvoering."
    )
    assert "1 van 1" not in projector.content()
    assert PollVote.objects.filter(poll=poll).count() == 3
    assert [p.js_errors for p in (projector, console, *pages.values())] == [[], [], [], [], []]


def test_three_each_agreeing_reads_as_agreement_on_the_projector(open_page, poll_room):
    """Three voters per perspective all choose "Helemaal eens" (two each by form, one each in the browser):
    once the poll is closed the projector says the three agree, with a bar and band per perspective."""
    room, poll, voters, moderator = poll_room
    helemaal_eens = poll.options.get(value=5).pk
    for perspective in voters:
        for _i in range(2):
            user = UserFactory(perspective=perspective)
            RegistrationFactory(user=user, event=room.session.event)
            votes.poll_vote(user=user, poll=poll, option_ids=[helemaal_eens])
    projector, console, pages = _open_live(open_page, room, voters, moderator)

    _vote_in_browser(pages, dict.fromkeys(voters, "Helemaal eens"))
    console.get_by_role("button", name="Peiling sluiten").click()
    console.get_by_role("button", name="Uitslag tonen aan de zaal").click()

    expect(projector.locator("[data-slot='callout']")).to_have_text(
        "Politiek, beleid en uitvoering zijn het hierover eens."
    )
    for perspective in voters:
        expect(projector.locator(f"[data-bar='agree-{perspective}']")).to_have_text("100 %")
    expect(projector.locator("[data-band]")).to_have_count(3)
    expect(console.locator("[data-slot='shares']").first).to_contain_text("3 van 3 eens (100 %)")
    assert [p.js_errors for p in (projector, console, *pages.values())] == [[], [], [], [], []]


def test_changing_a_vote_in_the_browser_keeps_one_vote(open_page, poll_room):
    """Voting twice replaces the answer: the page says which, and the database holds one vote."""
    room, poll, voters, moderator = poll_room
    page = open_page(f"/zaal/{room.session.code}/", voters["beleid"])
    wait_until_live(page)

    for answer in ("Oneens", "Neutraal"):
        page.get_by_label(answer, exact=True).check()
        page.get_by_role("button", name="Stem opslaan").click()
        expect(page.locator("[data-slot='poll-voted']")).to_have_text(f"Je stem is opgeslagen: {answer}.")

    assert list(PollVote.objects.filter(poll=poll).values_list("choices__option__value", flat=True)) == [3]
    assert page.js_errors == []
