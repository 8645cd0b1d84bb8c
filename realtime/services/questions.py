"""Writes for questions: ask, withdraw and moderation. Upvotes are votes: realtime/services/votes.py."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_log
from realtime import events
from realtime.models import QUESTION_MAX_LENGTH, LiveRoom, Question
from realtime.payloads import PUBLIC_STATUSES
from realtime.permissions import require_moderator, require_take_part
from realtime.services.audit import room_audit

MODERATION_TARGETS = {
    "approve": Question.Status.VISIBLE,
    "reject": Question.Status.REJECTED,
    "hide": Question.Status.HIDDEN,
    "answer": Question.Status.ANSWERED,
    "reopen": Question.Status.VISIBLE,
}


def _clean_text(text: str) -> str:
    text = " ".join(text.split()) if "\n" not in text else text.strip()
    if not text:
        raise ValidationError(_("Typ eerst een vraag."), code="empty")
    if len(text) > QUESTION_MAX_LENGTH:
        raise ValidationError(
            _("Een vraag mag maximaal %(max)d tekens hebben.") % {"max": QUESTION_MAX_LENGTH}, code="too_long"
        )
    return text


@transaction.atomic
def question_ask(
    *, user: User, room: LiveRoom, text: str, show_name: bool = False, client_id: str = ""
) -> tuple[Question, bool]:
    """
    Store a question from a participant; return (question, created).

    The perspective and Kamerlid mark come from the profile. With
    pre-moderation on, the question waits as pending and only moderators
    hear of it. Asking again with the same client_id returns the first
    question and changes nothing, so a retried action never duplicates.
    """
    require_take_part(user, room)
    if client_id:
        existing = Question.objects.filter(room=room, author=user, client_id=client_id).first()
        if existing:
            return existing, False
    question = Question(
        room=room,
        author=user,
        client_id=client_id,
        text=_clean_text(text),
        perspective=user.perspective,
        is_kamerlid=user.is_kamerlid,
        show_name=show_name,
        status=Question.Status.PENDING if room.premoderation else Question.Status.VISIBLE,
    )
    question.full_clean(exclude=["author", "room"])
    try:
        with transaction.atomic():
            question.save()
    except IntegrityError:
        # A concurrent retry with the same client_id won the race.
        return Question.objects.get(room=room, author=user, client_id=client_id), False
    events.question_changed(question.pk, created=True)
    return question, True


@transaction.atomic
def question_withdraw(*, user: User, question: Question) -> Question:
    """The author takes back their own question. It disappears from the room."""
    question = Question.objects.select_for_update().select_related("room").get(pk=question.pk)
    if question.author_id != user.pk:
        raise PermissionDenied
    if question.status == Question.Status.WITHDRAWN:
        return question
    question.status = Question.Status.WITHDRAWN
    question.save(update_fields=["status", "updated_at"])
    events.question_changed(question.pk)  # reads first: the unpin locks the room row until the commit
    _unpin_if_pinned(question)
    return question


def _unpin_if_pinned(question: Question) -> None:
    if LiveRoom.objects.filter(pk=question.room_id, pinned_question=question).update(pinned_question=None):
        events.question_pinned(question.room_id)


@transaction.atomic
def question_moderate(*, user: User, question: Question, action: str) -> Question:
    """
    Approve, reject, hide, mark answered or reopen a question (moderators only).

    Works in a closed room too, so a moderator can tidy up afterwards.
    Broadcasts the change; a question that leaves the public list is
    removed from attendees' screens and unpinned.
    """
    if action not in MODERATION_TARGETS:
        raise ValidationError(_("Onbekende moderatie-actie."), code="unknown_action")
    question = Question.objects.select_for_update().select_related("room__session").get(pk=question.pk)
    require_moderator(user, question.room)
    if question.status == Question.Status.WITHDRAWN:
        raise ValidationError(_("De vraagsteller heeft deze vraag ingetrokken."), code="withdrawn")
    question.status = MODERATION_TARGETS[action]
    question.answered_at = timezone.now() if question.status == Question.Status.ANSWERED else None
    question.save(update_fields=["status", "answered_at", "updated_at"])
    room_audit(user=user, room=question.room_id, action=f"question.{action}", question=question.pk)
    events.question_changed(question.pk)  # reads first: the unpin locks the room row until the commit
    if question.status not in PUBLIC_STATUSES:
        _unpin_if_pinned(question)
    return question


@transaction.atomic
def question_edit(*, user: User, question: Question, text: str) -> Question:
    """Correct a typo (moderators only). The original text is kept in the audit log."""
    question = Question.objects.select_for_update().select_related("room__session").get(pk=question.pk)
    require_moderator(user, question.room)
    new_text = _clean_text(text)
    if new_text == question.text:
        return question
    audit_log(
        actor=user,
        action="question.edited",
        detail={"question": question.pk, "before": question.text, "after": new_text},
    )
    question.text = new_text
    question.save(update_fields=["text", "updated_at"])
    events.question_changed(question.pk)
    return question
