"""realtime/payloads.py: the wire shapes are pure, built from loaded instances and tallied figures."""

import datetime as dt

import pytest

from realtime import payloads, selectors
from realtime.models import Action, LiveRoom, Note, Poll, Question
from realtime.services import notes as note_services
from realtime.services import polls as poll_services
from realtime.services import questions as question_services
from realtime.services import votes
from realtime.tallies import note_tally

pytestmark = pytest.mark.django_db


def test_the_shapes_of_loaded_rows_take_no_query(
    live_room, make_participant, make_moderator, django_assert_num_queries
):
    """Once the rows and their relations are read, shaping them asks the database nothing."""
    moderator = make_moderator(live_room)
    asker = make_participant(live_room, "politiek", name="Ada", organisation="Gemeente")
    asked, _ = question_services.question_ask(user=asker, room=live_room, text="Waarom?", show_name=True)
    phases = note_services.phases_ensure(room=live_room)
    note_services.phase_set_current(user=moderator, room=live_room, phase=phases[0])
    noted, _ = note_services.note_add(user=asker, room=live_room, kind="dilemma", text="Ruimte of regels")
    poll_services.poll_create(user=moderator, room=live_room, text="Eens?", kind="scale")
    Action.objects.create(room=live_room, what="Brief sturen", owner_name="Bo", due_date=dt.date(2026, 7, 1))

    room = LiveRoom.objects.select_related("session", "current_phase").get(pk=live_room.pk)
    question = Question.objects.select_related("author").get(pk=asked.pk)
    note = Note.objects.select_related("phase").get(pk=noted.pk)
    poll = Poll.objects.prefetch_related("options").get(room=live_room)
    action = Action.objects.get(room=live_room)
    by_perspective = {"politiek": None, "beleid": 0, "uitvoering": 0, "anders": 0}
    tally = note_tally({})[0]

    with django_assert_num_queries(0):
        shapes = {
            "question": payloads.question_payload(question, by_perspective, names=True),
            "chatham": payloads.question_payload(question, by_perspective, names=False),
            "room": payloads.room_state(room),
            "note": payloads.note_payload(note, tally),
            "poll": payloads.poll_payload(poll, None),
            "action": payloads.action_payload(action),
        }

    assert shapes["question"] == {
        "id": asked.pk,
        "text": "Waarom?",
        "perspective": "politiek",
        "kamerlid": False,
        "author": "Ada",
        "organisation": "Gemeente",
        "status": "visible",
        "upvotes": 0,
        "by_perspective": by_perspective,
        "created_at": question.created_at.isoformat(),
    }
    assert (shapes["chatham"]["author"], shapes["chatham"]["organisation"]) == (None, None)
    assert shapes["room"]["phase"] == payloads.phase_payload(phases[0])
    assert (shapes["note"]["phase_title"], shapes["note"]["lens"]) == (phases[0].title, tally["lens"])
    assert [o["value"] for o in shapes["poll"]["options"]] == [1, 2, 3, 4, 5]
    assert shapes["action"]["due_date"] == "2026-07-01"


def test_the_report_and_the_room_count_upvotes_with_one_query(live_room, make_participant):
    """`upvote_counts` by room (the report) and by question ids (the room) give the same counts."""
    asker = make_participant(live_room)
    first, _ = question_services.question_ask(user=asker, room=live_room, text="Een")
    second, _ = question_services.question_ask(user=asker, room=live_room, text="Twee")
    for perspective in ["beleid", "beleid", "anders"]:
        votes.question_upvote(user=make_participant(live_room, perspective), question=first)

    by_room = selectors.upvote_counts(question__room=live_room)
    by_ids = selectors.upvotes_by_perspective([first.pk, second.pk])

    assert by_room == {first.pk: {"politiek": 0, "beleid": 2, "uitvoering": 0, "anders": 1}}
    assert by_ids == {**by_room, second.pk: {"politiek": 0, "beleid": 0, "uitvoering": 0, "anders": 0}}
