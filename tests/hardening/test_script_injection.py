"""HTML and script typed into a question or note are shown as text, never run."""

import pytest

from realtime.models import LiveRoom
from realtime.services import notes as note_services
from realtime.services import questions as question_services
from tests.factories import RegistrationFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.django_db

PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_script_in_questions_and_notes_is_escaped_on_every_page(client):
    """The room page, its embedded JSON and the projector escape the text."""
    room = LiveRoom.objects.create(session=SessionFactory(), is_open=True)
    user = UserFactory()
    RegistrationFactory(user=user, event=room.session.event)
    question_services.question_ask(user=user, room=room, text=PAYLOAD)
    note_services.note_add(user=user, room=room, kind="dilemma", text=PAYLOAD)
    client.force_login(user)

    pages = [client.get(f"/zaal/{room.session.code}/"), client.get(f"/projector/{room.projector_token}/")]

    for response in pages:
        html = response.content.decode()
        assert response.status_code == 200
        assert "<script>alert" not in html
        assert "<img src=x" not in html
    assert "&lt;script&gt;alert" in pages[0].content.decode()


def test_room_actions_are_rate_limited_per_person_with_a_time_to_retry(client):
    """Past the limit, a form post is refused with a Dutch message that says when to try again; nothing is stored."""
    from realtime import ratelimit
    from realtime.models import Question

    room = LiveRoom.objects.create(session=SessionFactory(), is_open=True)
    user = UserFactory()
    RegistrationFactory(user=user, event=room.session.event)
    client.force_login(user)
    for _ in range(ratelimit.LIMIT_PER_WINDOW):
        ratelimit.room_action_hit(user_id=user.pk)

    response = client.post(f"/zaal/{room.session.code}/vraag/", {"text": "Nog één"}, follow=True)

    assert Question.objects.count() == 0
    assert "Probeer het over" in response.content.decode()
    assert "seconden opnieuw" in response.content.decode()
