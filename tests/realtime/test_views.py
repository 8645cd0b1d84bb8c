"""The live room pages and their plain-HTML POSTs, on PostgreSQL, without JavaScript."""

import json

import pytest
from django.urls import reverse

from accounts.roles import organiser_group_ensure
from realtime.hashing import voter_hash
from realtime.models import LiveRoom, Question, QuestionUpvote
from tests.factories import SessionFactory, UserFactory

pytestmark = pytest.mark.django_db


def _url(name: str, room: LiveRoom, **kwargs) -> str:
    return reverse(f"realtime:{name}", args=[room.session.code], **kwargs)


def _question(room: LiveRoom, *, status=Question.Status.VISIBLE, text="Hoe merkt de burger dit?", **fields):
    return Question.objects.create(room=room, text=text, perspective="beleid", status=status, **fields)


def _room_data(response) -> dict:
    html = response.content.decode()
    start = html.index('<script id="room-data" type="application/json">') + len(
        '<script id="room-data" type="application/json">'
    )
    return json.loads(html[start : html.index("</script>", start)])


@pytest.fixture
def organiser():
    user = UserFactory(perspective="anders")
    user.groups.add(organiser_group_ensure())
    return user


@pytest.fixture
def people(live_room, make_participant, make_moderator, organiser):
    """One person per role, keyed by the name the permission tables use."""
    return {
        "anonymous": None,
        "unregistered": UserFactory(),
        "participant": make_participant(live_room),
        "moderator": make_moderator(live_room),
        "organiser": organiser,
    }


def _client_as(client, people, who):
    if people[who] is not None:
        client.force_login(people[who])
    return client


# --- Permission matrix --------------------------------------------------------------------------------


PAGE_MATRIX = [
    ("room", "anonymous", 302),
    ("room", "unregistered", 403),
    ("room", "participant", 200),
    ("room", "moderator", 200),
    ("room", "organiser", 200),
    ("console", "anonymous", 302),
    ("console", "unregistered", 404),
    ("console", "participant", 404),
    ("console", "moderator", 200),
    ("console", "organiser", 200),
    ("projector", "anonymous", 302),
    ("projector", "unregistered", 404),
    ("projector", "participant", 404),
    ("projector", "moderator", 200),
    ("projector", "organiser", 200),
]


@pytest.mark.parametrize(("page", "who", "status"), PAGE_MATRIX)
def test_page_status_per_role(client, live_room, people, page, who, status):
    """Each role gets exactly the status code the table says for each room page."""
    client = _client_as(client, people, who)

    response = client.get(_url(page, live_room))

    assert response.status_code == status


@pytest.mark.parametrize("who", ["anonymous", "unregistered", "participant", "moderator", "organiser"])
def test_projector_token_page_is_open_to_everyone(client, live_room, people, who):
    """The secret projector link works for anyone who has it, logged in or not."""
    client = _client_as(client, people, who)

    response = client.get(reverse("realtime:projector_token", args=[live_room.projector_token]))

    assert response.status_code == 200


MODERATOR_POSTS = ["set_open", "set_premoderation", "moderate", "edit", "pin", "projector_reset"]


@pytest.mark.parametrize("name", MODERATOR_POSTS)
@pytest.mark.parametrize(("who", "status"), [("unregistered", 404), ("participant", 404)])
def test_moderator_posts_are_not_found_for_others(client, live_room, people, name, who, status):
    """A moderator action posted by anyone else answers 404 and changes nothing."""
    question = _question(live_room)
    client = _client_as(client, people, who)

    response = client.post(
        _url(name, live_room), {"question": question.pk, "action": "hide", "text": "x", "enabled": "false"}
    )

    live_room.refresh_from_db()
    question.refresh_from_db()
    assert (response.status_code, live_room.is_open, question.status, question.text) == (
        status,
        True,
        Question.Status.VISIBLE,
        "Hoe merkt de burger dit?",
    )


def test_anonymous_room_page_redirects_to_login_with_next(client, live_room):
    """Someone not logged in is sent to the login page and comes back to the room."""
    response = client.get(_url("room", live_room))

    assert response.url == f"{reverse('account_login')}?next={_url('room', live_room)}"


def test_unregistered_room_page_explains_and_links_to_registration(client, live_room):
    """A logged-in person without a registration reads why, with a link to register."""
    client.force_login(UserFactory())

    response = client.get(_url("room", live_room))

    assert response.status_code == 403
    assert reverse("event:registration", kwargs={"event_slug": live_room.session.event.slug}) in (
        response.content.decode()
    )


def test_unknown_code_is_not_found(client, people):
    client.force_login(people["participant"])

    response = client.get(reverse("realtime:room", args=["ZZZZZZ"]))

    assert response.status_code == 404


def test_session_without_live_room_gets_a_closed_one(client, make_participant):
    """The first visit to a session's room creates its live room, closed."""
    session = SessionFactory()
    user = make_participant(LiveRoom(session=session))
    client.force_login(user)

    response = client.get(reverse("realtime:room", args=[session.code]))

    assert response.status_code == 200
    assert LiveRoom.objects.get(session=session).is_open is False


# --- Join page ----------------------------------------------------------------------------------------


def test_join_with_code_redirects_to_room(client, live_room):
    """Typing the code (any case) leads to the room page."""
    response = client.get(reverse("realtime:join"), {"code": f" {live_room.session.code.lower()} "})

    assert response.status_code == 302
    assert response.url == _url("room", live_room)


def test_join_with_unknown_code_shows_error(client, db):
    response = client.get(reverse("realtime:join"), {"code": "nope42"})

    assert response.status_code == 404
    assert "Er is geen sessie met de code NOPE42" in response.content.decode()


def test_join_page_without_code_shows_form(client, db):
    response = client.get(reverse("realtime:join"))

    assert response.status_code == 200
    assert 'name="code"' in response.content.decode()


# --- Participant POSTs without JavaScript ------------------------------------------------------------


def test_ask_stores_question_and_redirects(client, live_room, people):
    """A plain form POST stores the question with the profile's perspective, anonymous by default."""
    client.force_login(people["participant"])

    response = client.post(_url("ask", live_room), {"text": "Wat vraagt dit van de uitvoering?"})

    question = Question.objects.get(room=live_room)
    assert response.status_code == 302
    assert response.url == _url("room", live_room)
    assert (question.text, question.perspective, question.show_name, question.status) == (
        "Wat vraagt dit van de uitvoering?",
        "uitvoering",
        False,
        Question.Status.VISIBLE,
    )


def test_ask_with_show_name_shows_name_on_page(client, live_room, people):
    participant = people["participant"]
    client.force_login(participant)

    response = client.post(_url("ask", live_room), {"text": "Met naam", "show_name": "on"}, follow=True)

    assert participant.display_name in response.content.decode()
    assert "Uw vraag is geplaatst." in response.content.decode()


def test_ask_with_premoderation_waits_and_says_so(client, live_room, people):
    LiveRoom.objects.filter(pk=live_room.pk).update(premoderation=True)
    client.force_login(people["participant"])

    response = client.post(_url("ask", live_room), {"text": "Wacht even"}, follow=True)

    assert Question.objects.get(room=live_room).status == Question.Status.PENDING
    assert "De gespreksleider bekijkt hem eerst." in response.content.decode()


def test_ask_too_long_is_refused_with_message(client, live_room, people):
    client.force_login(people["participant"])

    response = client.post(_url("ask", live_room), {"text": "x" * 501}, follow=True)

    assert Question.objects.count() == 0
    assert "maximaal 500 tekens" in response.content.decode()


def test_ask_by_unregistered_is_forbidden(client, live_room, people):
    client.force_login(people["unregistered"])

    response = client.post(_url("ask", live_room), {"text": "Mag dit?"})

    assert response.status_code == 403
    assert Question.objects.count() == 0


def test_upvote_stores_one_hashed_row(client, live_room, people):
    """Upvoting twice through the form counts once."""
    participant = people["participant"]
    question = _question(live_room)
    client.force_login(participant)

    client.post(_url("vote", live_room), {"question": question.pk, "vote": "up"})
    client.post(_url("vote", live_room), {"question": question.pk, "vote": "up"})

    question.refresh_from_db()
    assert question.upvotes == 1
    assert list(QuestionUpvote.objects.values_list("voter_hash", flat=True)) == [
        voter_hash("question", participant.pk, question.pk, salt=live_room.session.event.vote_salt)
    ]


def test_upvoted_button_is_pressed_and_unvote_withdraws(client, live_room, people):
    question = _question(live_room)
    client.force_login(people["participant"])
    client.post(_url("vote", live_room), {"question": question.pk, "vote": "up"})

    page = client.get(_url("room", live_room)).content.decode()
    client.post(_url("vote", live_room), {"question": question.pk, "vote": "down"})

    question.refresh_from_db()
    assert 'value="down" data-action="question.unvote" aria-pressed="true"' in page
    assert (question.upvotes, QuestionUpvote.objects.count()) == (0, 0)


def test_upvote_question_of_another_room_is_not_found(client, live_room, people):
    other = LiveRoom.objects.create(session=SessionFactory(event=live_room.session.event), is_open=True)
    question = _question(other)
    client.force_login(people["participant"])

    response = client.post(_url("vote", live_room), {"question": question.pk, "vote": "up"}, follow=True)

    assert QuestionUpvote.objects.count() == 0
    assert "Die vraag bestaat niet (meer)." in response.content.decode()


def test_withdraw_own_question(client, live_room, people):
    participant = people["participant"]
    question = _question(live_room, author=participant)
    client.force_login(participant)

    response = client.post(_url("withdraw", live_room), {"question": question.pk}, follow=True)

    question.refresh_from_db()
    assert question.status == Question.Status.WITHDRAWN
    assert "Uw vraag is ingetrokken." in response.content.decode()


def test_withdraw_someone_elses_question_is_refused(client, live_room, people):
    question = _question(live_room, author=people["moderator"])
    client.force_login(people["participant"])

    client.post(_url("withdraw", live_room), {"question": question.pk})

    question.refresh_from_db()
    assert question.status == Question.Status.VISIBLE


def test_sort_new_lists_newest_first(client, live_room, people):
    old = _question(live_room, text="Oude vraag", upvotes=5)
    new = _question(live_room, text="Nieuwe vraag")
    client.force_login(people["participant"])

    top = client.get(_url("room", live_room)).content.decode()
    newest = client.get(_url("room", live_room), {"sorteer": "nieuw"}).content.decode()

    assert top.index(old.text) < top.index(new.text)
    assert newest.index(new.text) < newest.index(old.text)


# --- Closed room --------------------------------------------------------------------------------------


def test_closed_room_is_read_only(client, live_room, people):
    """A closed room shows its questions with a clear message and no forms to ask or upvote."""
    LiveRoom.objects.filter(pk=live_room.pk).update(is_open=False)
    question = _question(live_room, text="Wat blijft er staan?")
    client.force_login(people["participant"])

    page = client.get(_url("room", live_room)).content.decode()
    response = client.post(_url("ask", live_room), {"text": "Nog één"}, follow=True)
    client.post(_url("vote", live_room), {"question": question.pk, "vote": "up"})

    assert "Wat blijft er staan?" in page
    assert "De zaal is gesloten." in page
    assert 'data-slot="ask" hidden' in page
    assert "Deze zaal is gesloten. U kunt nu niets toevoegen." in response.content.decode()
    assert Question.objects.count() == 1
    assert QuestionUpvote.objects.count() == 0


# --- What a participant must never see ----------------------------------------------------------------


def test_pending_queue_is_not_in_participant_page(client, live_room, people):
    """Pending, hidden and rejected questions stay out of the participant's HTML and embedded JSON."""
    _question(live_room, status=Question.Status.PENDING, text="Geheime wachtende vraag")
    _question(live_room, status=Question.Status.HIDDEN, text="Verborgen vraag")
    client.force_login(people["participant"])

    response = client.get(_url("room", live_room))

    html = response.content.decode()
    assert "Geheime wachtende vraag" not in html
    assert "Verborgen vraag" not in html
    assert "pending" not in _room_data(response)["snapshot"]


def test_console_shows_pending_queue(client, live_room, people):
    _question(live_room, status=Question.Status.PENDING, text="Wachtende vraag")
    client.force_login(people["moderator"])

    response = client.get(_url("console", live_room))

    assert "Wachtende vraag" in response.content.decode()
    assert [q["text"] for q in _room_data(response)["snapshot"]["pending"]] == ["Wachtende vraag"]


# --- Moderator POSTs ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "action", "end"),
    [
        (Question.Status.PENDING, "approve", Question.Status.VISIBLE),
        (Question.Status.PENDING, "reject", Question.Status.REJECTED),
        (Question.Status.VISIBLE, "hide", Question.Status.HIDDEN),
        (Question.Status.VISIBLE, "answer", Question.Status.ANSWERED),
        (Question.Status.HIDDEN, "reopen", Question.Status.VISIBLE),
    ],
)
def test_moderate_changes_status(client, live_room, people, start, action, end):
    question = _question(live_room, status=start)
    client.force_login(people["moderator"])

    response = client.post(_url("moderate", live_room), {"question": question.pk, "action": action})

    question.refresh_from_db()
    assert (response.status_code, response.url, question.status) == (302, _url("console", live_room), end)


def test_edit_corrects_text(client, live_room, people):
    question = _question(live_room, text="Hoe merkt de burgr dit?")
    client.force_login(people["organiser"])

    client.post(_url("edit", live_room), {"question": question.pk, "text": "Hoe merkt de burger dit?"})

    question.refresh_from_db()
    assert question.text == "Hoe merkt de burger dit?"


def test_pin_and_unpin(client, live_room, people):
    question = _question(live_room)
    client.force_login(people["moderator"])

    client.post(_url("pin", live_room), {"question": question.pk})
    live_room.refresh_from_db()
    pinned = live_room.pinned_question_id
    client.post(_url("pin", live_room), {})
    live_room.refresh_from_db()

    assert (pinned, live_room.pinned_question_id) == (question.pk, None)


def test_pinned_question_shows_on_room_page(client, live_room, people):
    question = _question(live_room, text="Waar staan we nu?")
    LiveRoom.objects.filter(pk=live_room.pk).update(pinned_question=question)
    client.force_login(people["participant"])

    page = client.get(_url("room", live_room)).content.decode()

    assert '<p class="pinned__text" data-slot="pinned-text">Waar staan we nu?</p>' in page


def test_open_close_and_premoderation(client, live_room, people):
    client.force_login(people["moderator"])

    client.post(_url("set_open", live_room), {"enabled": "false"})
    client.post(_url("set_premoderation", live_room), {"enabled": "true"})

    live_room.refresh_from_db()
    assert (live_room.is_open, live_room.premoderation) == (False, True)


# --- Projector ----------------------------------------------------------------------------------------


def test_projector_shows_code_qr_and_top_questions_only(client, live_room):
    """The projector shows the join code, a QR code, and no pending question."""
    _question(live_room, text="Zichtbare vraag")
    _question(live_room, status=Question.Status.PENDING, text="Wachtende vraag")

    response = client.get(reverse("realtime:projector_token", args=[live_room.projector_token]))

    html = response.content.decode()
    assert live_room.session.code in html
    assert '<svg aria-hidden="true" focusable="false" viewBox=' in html
    assert "Zichtbare vraag" in html
    assert "Wachtende vraag" not in html
    assert _room_data(response)["snapshot"]["role"] == "projector"
    assert response["Referrer-Policy"] == "no-referrer"


def test_projector_token_stops_working_after_reset(client, live_room, people):
    old = live_room.projector_token
    client.force_login(people["moderator"])

    client.post(_url("projector_reset", live_room))
    client.logout()
    old_response = client.get(reverse("realtime:projector_token", args=[old]))
    live_room.refresh_from_db()
    new_response = client.get(reverse("realtime:projector_token", args=[live_room.projector_token]))

    assert (old_response.status_code, new_response.status_code) == (404, 200)


def test_unknown_projector_token_is_not_found(client, db):
    response = client.get(reverse("realtime:projector_token", args=["not-a-token"]))

    assert response.status_code == 404


def test_moderator_projector_passes_token_to_script(client, live_room, people):
    client.force_login(people["moderator"])

    response = client.get(_url("projector", live_room))

    assert _room_data(response)["projector_token"] == live_room.projector_token
