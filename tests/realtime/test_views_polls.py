"""Polls on the live room pages and their plain-HTML POSTs, without JavaScript."""

import pytest
from django.urls import reverse

from realtime.models import LiveRoom, Poll, PollChoice, PollVote
from realtime.services import polls as poll_services
from realtime.services import votes

pytestmark = pytest.mark.django_db


def _url(name: str, room: LiveRoom) -> str:
    return reverse(f"realtime:{name}", args=[room.session.code])


@pytest.fixture
def moderator(live_room, make_moderator):
    return make_moderator(live_room)


@pytest.fixture
def scale_poll(live_room, moderator):
    """An open 5-point scale poll on a dilemma statement."""
    poll = poll_services.poll_create(
        user=moderator, room=live_room, text="Eenvoud gaat vóór maatwerk.", kind=Poll.Kind.SCALE
    )
    return poll_services.poll_open(user=moderator, poll=poll)


def _option(poll: Poll, value: int) -> int:
    return poll.options.get(value=value).pk


def test_vote_by_post_stores_one_vote(client, live_room, make_participant, scale_poll):
    """A plain form POST records the vote with the voter's perspective and says so on the page."""
    client.force_login(make_participant(live_room, "politiek"))

    response = client.post(
        _url("poll_vote", live_room), {"poll": scale_poll.pk, "choices": _option(scale_poll, 5)}, follow=True
    )

    assert list(PollVote.objects.values_list("poll_id", "perspective")) == [(scale_poll.pk, "politiek")]
    assert "Je stem is opgeslagen: Helemaal eens." in response.content.decode()


def test_changing_a_vote_does_not_double_count(client, live_room, make_participant, scale_poll):
    """Voting again replaces the choice: still one vote, now on the new option."""
    client.force_login(make_participant(live_room))
    client.post(_url("poll_vote", live_room), {"poll": scale_poll.pk, "choices": _option(scale_poll, 1)})

    client.post(_url("poll_vote", live_room), {"poll": scale_poll.pk, "choices": _option(scale_poll, 4)})

    assert PollVote.objects.count() == 1
    assert list(PollChoice.objects.values_list("option__value", flat=True)) == [4]


def test_vote_on_closed_poll_shows_clear_error(client, live_room, make_participant, moderator, scale_poll):
    poll_services.poll_close(user=moderator, poll=scale_poll)
    client.force_login(make_participant(live_room))

    response = client.post(
        _url("poll_vote", live_room), {"poll": scale_poll.pk, "choices": _option(scale_poll, 3)}, follow=True
    )

    assert PollVote.objects.count() == 0
    assert "Deze peiling is gesloten. Uw stem is niet opgeslagen." in response.content.decode()


def test_vote_without_a_choice_asks_for_one(client, live_room, make_participant, scale_poll):
    client.force_login(make_participant(live_room))

    response = client.post(_url("poll_vote", live_room), {"poll": scale_poll.pk}, follow=True)

    assert PollVote.objects.count() == 0
    assert "Kies een antwoord." in response.content.decode()


def test_vote_on_draft_poll_is_not_found(client, live_room, make_participant, moderator):
    """A prepared poll does not exist for the room until it is opened."""
    draft = poll_services.poll_create(user=moderator, room=live_room, text="Nog niet", kind=Poll.Kind.SCALE)
    client.force_login(make_participant(live_room))

    response = client.post(
        _url("poll_vote", live_room), {"poll": draft.pk, "choices": _option(draft, 3)}, follow=True
    )

    assert PollVote.objects.count() == 0
    assert "Die peiling bestaat niet (meer)." in response.content.decode()


def test_room_page_shows_open_poll_as_radio_fieldset(client, live_room, make_participant, scale_poll):
    client.force_login(make_participant(live_room))

    html = client.get(_url("room", live_room)).content.decode()

    assert "<fieldset" in html
    assert html.count('type="radio"') == 5
    assert "Eenvoud gaat vóór maatwerk." in html


def test_results_are_hidden_from_room_page_before_reveal(client, live_room, make_participant, scale_poll):
    """Before the reveal the participant page has no counts, no callout and no results table."""
    voter = make_participant(live_room, "politiek")
    votes.poll_vote(user=voter, poll=scale_poll, option_ids=[_option(scale_poll, 5)])
    client.force_login(make_participant(live_room, "beleid"))

    html = client.get(_url("room", live_room)).content.decode()

    page = html.split('<template id="poll-template">')[0]
    assert "Uitslag per perspectief" not in page
    assert "Consensus" not in page
    assert '"results": null' in html
    assert "De uitslag wordt getoond zodra de gespreksleider dat kiest." in html


def _votes(live_room, make_participant, poll, ballots: dict[str, list[int]]) -> None:
    for perspective, values in ballots.items():
        for value in values:
            votes.poll_vote(
                user=make_participant(live_room, perspective), poll=poll, option_ids=[_option(poll, value)]
            )


def test_closed_poll_shows_agreement_in_words_on_the_room_page(
    client, live_room, make_participant, moderator, scale_poll
):
    """Three voters per perspective all "helemaal eens": the room reads that the three agree."""
    _votes(
        live_room, make_participant, scale_poll, dict.fromkeys(["politiek", "beleid", "uitvoering"], [5] * 3)
    )
    poll_services.poll_close(user=moderator, poll=scale_poll)
    poll_services.poll_reveal(user=moderator, poll=scale_poll)
    client.force_login(make_participant(live_room))

    html = client.get(_url("room", live_room)).content.decode()

    assert "Uitslag per perspectief (9 stemmen)" in html
    assert "Politiek, beleid en uitvoering zijn het hierover eens." in html
    assert "3 van 3 eens (100 %)" in html
    assert "onsensus" not in html
    assert "procentpunt" not in html


def test_projector_says_too_few_for_one_vote_each(client, live_room, make_participant, moderator, scale_poll):
    """One "helemaal eens" per perspective: too few votes of every perspective, and no per-perspective bar."""
    _votes(live_room, make_participant, scale_poll, dict.fromkeys(["politiek", "beleid", "uitvoering"], [5]))
    poll_services.poll_close(user=moderator, poll=scale_poll)
    poll_services.poll_reveal(user=moderator, poll=scale_poll)
    LiveRoom.objects.filter(pk=live_room.pk).update(projector_mode="poll")

    html = client.get(reverse("realtime:projector_token", args=[live_room.projector_token])).content.decode()

    projector = html.split("<template")[0]
    assert "Nog te weinig stemmen van politiek, beleid en uitvoering." in projector
    assert 'data-bar="agree-politiek">minder dan 3 stemmen' in projector
    assert "chart__bar--politiek" not in projector


def test_projector_shows_the_verdict_above_bars_with_interval_bands(
    client, live_room, make_participant, moderator, scale_poll
):
    """Politiek 3/3 eens, beleid 0/3, uitvoering 0/3: apart; one bar per perspective with the share that
    agrees (4 or 5) and its interval as a light band."""
    _votes(
        live_room,
        make_participant,
        scale_poll,
        {"politiek": [5, 5, 5], "beleid": [1, 1, 1], "uitvoering": [1, 1, 1]},
    )
    poll_services.poll_close(user=moderator, poll=scale_poll)
    poll_services.poll_reveal(user=moderator, poll=scale_poll)
    LiveRoom.objects.filter(pk=live_room.pk).update(projector_mode="poll")

    html = client.get(reverse("realtime:projector_token", args=[live_room.projector_token])).content.decode()

    projector = html.split("<template")[0]
    sentence = "Politiek en beleid denken hier verschillend over."
    assert sentence in projector
    assert projector.index(sentence) < projector.index("data-chart")
    assert 'data-bar="agree-politiek">100 %' in projector
    assert 'data-bar="agree-beleid">0 %' in projector
    # 3/3: Wilson low 0.5258 → the band runs from 53 % to 100 %.
    assert '<rect class="chart__band" x="53%" width="47%"' in projector
    assert 'style="' not in html


def test_moderator_creates_and_opens_poll_by_post(client, live_room, moderator):
    client.force_login(moderator)

    client.post(
        _url("poll_create", live_room),
        {"text": "Welke regel eerst?", "kind": "single", "options": "Regel A\nRegel B"},
    )
    poll = Poll.objects.get(room=live_room)
    client.post(_url("poll_step", live_room), {"poll": poll.pk, "step": "open"})

    poll.refresh_from_db()
    assert (poll.kind, poll.state, list(poll.options.values_list("label", flat=True))) == (
        "single",
        "open",
        ["Regel A", "Regel B"],
    )


@pytest.mark.parametrize(
    ("step", "field", "value"),
    [("close", "state", "closed"), ("reveal", "revealed", True), ("show_live", "show_live", True)],
)
def test_poll_steps_by_post(client, live_room, moderator, scale_poll, step, field, value):
    client.force_login(moderator)

    client.post(_url("poll_step", live_room), {"poll": scale_poll.pk, "step": step})

    scale_poll.refresh_from_db()
    assert getattr(scale_poll, field) == value


@pytest.mark.parametrize("name", ["poll_create", "poll_step"])
def test_poll_moderation_is_not_found_for_attendees(client, live_room, make_participant, scale_poll, name):
    client.force_login(make_participant(live_room))

    response = client.post(
        _url(name, live_room), {"poll": scale_poll.pk, "step": "reveal", "text": "x", "kind": "scale"}
    )

    scale_poll.refresh_from_db()
    assert (response.status_code, scale_poll.revealed, Poll.objects.count()) == (404, False, 1)


def test_console_shows_only_totals_while_the_poll_is_open(
    client, live_room, make_participant, moderator, scale_poll
):
    """The moderator sees what the room would see: totals so far (in steps of three votes: the fourth
    is not in them yet), the split only once the poll is closed."""
    _votes(live_room, make_participant, scale_poll, {"politiek": [4], "beleid": [4, 5], "uitvoering": [1]})
    client.force_login(moderator)

    html = client.get(_url("console", live_room)).content.decode()

    console = html.split("<template")[0]
    assert "Uitslag tot nu toe (3 stemmen)" in console
    assert (
        "Nieuwe stemmen tellen mee per 3; de uitslag per perspectief komt als de peiling gesloten is."
        in console
    )
    assert "Uitslag per perspectief" not in console
    assert "van 1 eens" not in console
