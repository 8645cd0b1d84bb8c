"""Issue 6 in a real browser: three perspectives vote, the moderator reveals, the projector shows the split live."""

import pytest
from playwright.sync_api import expect

from realtime.models import LiveRoom, Poll, PollVote
from realtime.services import polls as poll_services
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


def test_three_perspectives_vote_and_projector_shows_split_after_reveal(open_page, poll_room):
    room, poll, voters, moderator = poll_room
    code = room.session.code
    projector = open_page(f"/projector/{room.projector_token}/")
    console = open_page(f"/zaal/{code}/console/", moderator)
    pages = {p: open_page(f"/zaal/{code}/", user) for p, user in voters.items()}
    for page in (projector, console, *pages.values()):
        wait_until_live(page)
    answers = {"politiek": "Helemaal eens", "beleid": "Eens", "uitvoering": "Helemaal oneens"}

    for perspective, page in pages.items():
        page.get_by_role("group", name="Kies een antwoord").get_by_label(
            answers[perspective], exact=True
        ).check()
        page.get_by_role("button", name="Stem opslaan").click()
        expect(page.locator("[data-slot='poll-voted']")).to_have_text(
            f"Je stem is opgeslagen: {answers[perspective]}."
        )
    expect(console.locator("[data-poll-list='console'] caption")).to_contain_text("3 stemmen")
    expect(projector.locator("[data-chart]")).to_have_count(0)
    console.get_by_role("button", name="Uitslag tonen aan de zaal").click()

    helemaal_eens = poll.options.get(value=5).pk
    oneens_helemaal = poll.options.get(value=1).pk
    expect(projector.locator(f"[data-bar='{helemaal_eens}-politiek']")).to_have_text("1 (100%)")
    expect(projector.locator(f"[data-bar='{oneens_helemaal}-uitvoering']")).to_have_text("1 (100%)")
    expect(projector.locator(f"[data-bar='{helemaal_eens}-beleid']")).to_have_text("0 (0%)")
    expect(projector.locator("[data-slot='callout']")).to_have_text(
        f"Politiek en uitvoering verschillen het meest over “{STATEMENT}”."
    )
    expect(projector.locator(".projector-poll__numbers")).to_contain_text(
        "Verschil tussen de perspectieven: 100 procentpunt"
    )
    expect(pages["beleid"].locator("[data-slot='callout']")).to_be_visible()
    assert PollVote.objects.filter(poll=poll).count() == 3
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
