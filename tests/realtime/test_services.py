import pytest
from django.core.exceptions import ValidationError

from accounts.models import AuditLog
from accounts.services import user_delete
from realtime import selectors, snapshots
from realtime.models import LiveRoom, Question
from realtime.services import questions as q
from realtime.services import rooms as r
from realtime.services import votes

pytestmark = pytest.mark.django_db


def test_upvotes_are_counted_per_perspective_and_small_groups_withheld(live_room, make_participant):
    """Three politiek and one uitvoering upvoter (nobody counted present): politiek is shown,
    uitvoering (1) and anders (2) are withheld; the total stays public. No lens goes out live."""
    asker = make_participant(live_room)
    question, _ = q.question_ask(user=asker, room=live_room, text="Vraag")
    for perspective in ["politiek", "politiek", "politiek", "uitvoering", "anders", "anders"]:
        votes.question_upvote(user=make_participant(live_room, perspective), question=question)

    [score] = snapshots.question_scores(room_id=live_room.pk, question_ids=[question.pk])

    assert (score["question"], score["upvotes"]) == (question.pk, 6)
    assert score["by_perspective"] == {"politiek": 3, "beleid": 0, "uitvoering": None, "anders": None}
    assert "lens" not in score


def test_premoderated_question_waits_outside_the_public_list(live_room, make_participant):
    """With pre-moderation on, a new question is pending and not in the public list."""
    LiveRoom.objects.filter(pk=live_room.pk).update(premoderation=True)
    live_room.refresh_from_db()

    question, _ = q.question_ask(user=make_participant(live_room), room=live_room, text="Eerst keuren")

    assert question.status == "pending"
    assert selectors.question_list(room=live_room) == []


def test_edit_keeps_the_original_in_the_audit_log(live_room, make_participant, make_moderator):
    """A moderator's typo fix replaces the text and logs before and after."""
    moderator = make_moderator(live_room)
    question, _ = q.question_ask(user=make_participant(live_room), room=live_room, text="Wat kots dit?")

    q.question_edit(user=moderator, question=question, text="Wat kost dit?")

    question.refresh_from_db()
    line = AuditLog.objects.get(action="question.edited")
    assert question.text == "Wat kost dit?"
    assert line.detail == {"question": question.pk, "before": "Wat kots dit?", "after": "Wat kost dit?"}
    assert line.actor == moderator


def test_hiding_the_pinned_question_unpins_it(live_room, make_participant, make_moderator):
    """A question that leaves the public list cannot stay pinned."""
    moderator = make_moderator(live_room)
    question, _ = q.question_ask(user=make_participant(live_room), room=live_room, text="Nu bespreken")
    r.question_pin(user=moderator, room=live_room, question=question)

    q.question_moderate(user=moderator, question=question, action="hide")

    live_room.refresh_from_db()
    assert live_room.pinned_question is None


def test_pending_question_cannot_be_pinned(live_room, make_participant, make_moderator):
    """Only a visible question can be pinned."""
    moderator = make_moderator(live_room)
    LiveRoom.objects.filter(pk=live_room.pk).update(premoderation=True)
    live_room.refresh_from_db()
    question, _ = q.question_ask(user=make_participant(live_room), room=live_room, text="Nog niet")

    with pytest.raises(ValidationError) as error:
        r.question_pin(user=moderator, room=live_room, question=question)

    assert error.value.code == "not_visible"


def test_answered_question_is_marked_with_a_time(live_room, make_participant, make_moderator):
    """Marking answered keeps the question visible and records when."""
    moderator = make_moderator(live_room)
    question, _ = q.question_ask(user=make_participant(live_room), room=live_room, text="Beantwoord?")

    q.question_moderate(user=moderator, question=question, action="answer")

    question.refresh_from_db()
    assert question.status == "answered"
    assert question.answered_at is not None
    assert selectors.question_list(room=live_room) == [question]


def test_perspective_stats_count_asked_and_answered(live_room, make_participant, make_moderator):
    """The console's balance table counts per perspective."""
    moderator = make_moderator(live_room)
    first, _ = q.question_ask(user=make_participant(live_room, "politiek"), room=live_room, text="A")
    q.question_ask(user=make_participant(live_room, "politiek"), room=live_room, text="B")
    q.question_ask(user=make_participant(live_room, "beleid"), room=live_room, text="C")
    q.question_moderate(user=moderator, question=first, action="answer")

    stats = selectors.perspective_stats(room=live_room)

    assert stats["politiek"] == {"asked": 2, "answered": 1}
    assert stats["beleid"] == {"asked": 1, "answered": 0}
    assert stats["uitvoering"] == {"asked": 0, "answered": 0}


def test_deleting_an_account_keeps_the_question_anonymised(live_room, make_participant):
    """After account deletion the question stays, without author or name."""
    user = make_participant(live_room, name="Zichtbare Naam")
    question, _ = q.question_ask(user=user, room=live_room, text="Blijft staan", show_name=True)

    user_delete(user=user)

    question.refresh_from_db()
    payload = snapshots.questions_payload([question])[0]
    assert question.author is None
    assert question.text == "Blijft staan"
    assert (payload["author"], payload["organisation"]) == (None, None)


def test_withdrawn_question_cannot_be_moderated_back(live_room, make_participant, make_moderator):
    """A question its author withdrew stays withdrawn."""
    author = make_participant(live_room)
    question, _ = q.question_ask(user=author, room=live_room, text="Toch niet")
    q.question_withdraw(user=author, question=question)

    with pytest.raises(ValidationError) as error:
        q.question_moderate(user=make_moderator(live_room), question=question, action="approve")

    assert error.value.code == "withdrawn"
    assert Question.objects.get().status == "withdrawn"
