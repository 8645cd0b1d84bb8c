"""
Room actions: the registry `ACTIONS`, and one small sync function per action run in a database thread.

Each handler takes the acting user, the room and the raw frame; checks the
frame's shape with the same form the HTML views use; calls one service;
returns extra fields for the ack. Errors are raised as ValidationError,
PermissionDenied or ObjectDoesNotExist and become error frames in one place
(`protocol.error_frame`). Votes are not handled one by one: their rows parse
the frame and the group commit writes many people's together.
"""

from django import forms
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.utils.translation import gettext as _

from realtime.forms import (
    ActionForm,
    NoteAddForm,
    NoteEditForm,
    NoteMergeForm,
    NoteReactForm,
    NoteRefForm,
    PhaseForm,
    PhaseRefForm,
    PinForm,
    PollCreateForm,
    PollRefForm,
    ProjectorModeForm,
    QuestionAskForm,
    QuestionEditForm,
    QuestionRefForm,
    ToggleForm,
    form_errors,
)
from realtime.live.protocol import Batch, RoomAction, registry
from realtime.models import Action, LiveRoom, Note, Phase, Poll, Question
from realtime.services import notes as note_services
from realtime.services import polls as poll_services
from realtime.services import questions as question_services
from realtime.services import rooms as room_services
from realtime.services import votes

MAX_ID = 2**31 - 1  # primary keys are 32-bit integers

_JSON_TYPES = {forms.CharField: (str,), forms.IntegerField: (int,), forms.BooleanField: (bool,)}


def _valid(form_class, data: dict):
    """Check JSON types strictly (no silent coercion of 5 to "5"), then the form's own rules."""
    for name, field in form_class.base_fields.items():
        value = data.get(name)
        if value is None:
            continue
        expected = next((types for klass, types in _JSON_TYPES.items() if isinstance(field, klass)), None)
        if expected and (not isinstance(value, expected) or (expected == (int,) and isinstance(value, bool))):
            raise ValidationError(
                _("Het veld %(field)s heeft een verkeerd type.") % {"field": name}, code="invalid"
            )
    form = form_class(
        data={name: data.get(name) for name in form_class.base_fields if data.get(name) is not None}
    )
    if not form.is_valid():
        raise ValidationError(form_errors(form), code=_error_code(form))
    return form.cleaned_data


def _error_code(form) -> str:
    """The protocol's code for a refused form: `too_long` or `empty` for a text, else `invalid`."""
    codes = {
        error.code
        for name, errors in form.errors.as_data().items()
        if isinstance(form.fields.get(name), forms.CharField)
        for error in errors
    }
    if "max_length" in codes:
        return "too_long"
    if "required" in codes:
        return "empty"
    return "invalid"


def _question(room: LiveRoom, pk: int) -> Question:
    # Scoped to this room: an id from another room is simply not found.
    return Question.objects.select_related("room__session").get(room=room, pk=pk)


def _fresh(room: LiveRoom) -> LiveRoom:
    # With the event: an upvote's hash needs its salt (realtime/hashing.py).
    return LiveRoom.objects.select_related("session__event").get(pk=room.pk)


def ask(*, user, room, data):
    cleaned = _valid(QuestionAskForm, data)
    question, created = question_services.question_ask(
        user=user,
        room=_fresh(room),
        text=cleaned["text"],
        show_name=cleaned["show_name"],
        client_id=data.get("id") or "",
    )
    return {"question": question.pk, "status": question.status, "duplicate": not created}


def _positive_id(data: dict, name: str, form_class) -> int:
    """A positive integer field; the common case without building a form, the form for its error."""
    value = data.get(name)
    if type(value) is not int or value < 1:
        value = _valid(form_class, data)[name]
    if value > MAX_ID:
        # Past the database's integer range nothing can exist; in a batch it would fail everyone's query.
        raise ObjectDoesNotExist
    return value


def upvote_parse(data) -> tuple[int]:
    # Thousands of these a second in a plenary: no form unless the id is wrong.
    return (_positive_id(data, "question", QuestionRefForm),)


def upvote_ack(request: tuple, outcome) -> dict:
    return {"question": request[0]}


def unvote(*, user, room, data):
    question = _question(room, _valid(QuestionRefForm, data)["question"])
    question.room = _fresh(room)
    votes.question_unvote(user=user, question=question)
    return {"question": question.pk}


def withdraw(*, user, room, data):
    question = _question(room, _valid(QuestionRefForm, data)["question"])
    question_services.question_withdraw(user=user, question=question)
    return {"question": question.pk}


def _moderate(action: str):
    def handler(*, user, room, data):
        question = _question(room, _valid(QuestionRefForm, data)["question"])
        question_services.question_moderate(user=user, question=question, action=action)
        return {"question": question.pk}

    handler.__name__ = f"moderate_{action}"
    return handler


def edit(*, user, room, data):
    cleaned = _valid(QuestionEditForm, data)
    question_services.question_edit(
        user=user, question=_question(room, cleaned["question"]), text=cleaned["text"]
    )
    return {"question": cleaned["question"]}


def pin(*, user, room, data):
    pk = _valid(PinForm, data)["question"]
    room_services.question_pin(user=user, room=_fresh(room), question=_question(room, pk) if pk else None)
    return {"question": pk}


def unpin(*, user, room, data):
    room_services.question_pin(user=user, room=_fresh(room), question=None)
    return {}


def _set_open(value: bool):
    def handler(*, user, room, data):
        room_services.room_set_open(user=user, room=_fresh(room), is_open=value)
        return {}

    return handler


def premoderation(*, user, room, data):
    enabled = _valid(ToggleForm, data)["enabled"]
    room_services.room_set_premoderation(user=user, room=_fresh(room), enabled=enabled)
    return {"enabled": enabled}


def _poll(room: LiveRoom, pk: int) -> Poll:
    # Scoped to this room: a poll id from another room is simply not found.
    return Poll.objects.select_related("room__session").get(room=room, pk=pk)


def vote_parse(data) -> tuple[int, list[int]]:
    pk = _positive_id(data, "poll", PollRefForm)
    choices = data.get("choices")
    if isinstance(choices, int) and not isinstance(choices, bool):
        choices = [choices]
    if not isinstance(choices, list) or not all(
        isinstance(c, int) and not isinstance(c, bool) for c in choices
    ):
        raise ValidationError(_("Het veld choices moet een lijst met antwoordnummers zijn."), code="invalid")
    return pk, choices


def vote_ack(request: tuple, outcome) -> dict:
    return {"poll": request[0], "choices": outcome}


def poll_create(*, user, room, data):
    options = data.get("options")
    if isinstance(options, list):
        if not all(isinstance(o, str) for o in options):
            raise ValidationError(_("Het veld options moet een lijst met teksten zijn."), code="invalid")
        data = {**data, "options": "\n".join(options)}
    cleaned = _valid(PollCreateForm, data)
    poll = poll_services.poll_create(
        user=user,
        room=_fresh(room),
        text=cleaned["text"],
        kind=cleaned["kind"],
        options=cleaned["options"],
        show_live=cleaned["show_live"],
    )
    return {"poll": poll.pk}


def _poll_step(step):
    def handler(*, user, room, data):
        poll = _poll(room, _valid(PollRefForm, data)["poll"])
        step(user=user, poll=poll)
        return {"poll": poll.pk}

    return handler


def poll_show_live(*, user, room, data):
    poll = _poll(room, _valid(PollRefForm, data)["poll"])
    enabled = _valid(ToggleForm, data)["enabled"]
    poll_services.poll_set_show_live(user=user, poll=poll, enabled=enabled)
    return {"poll": poll.pk, "enabled": enabled}


def _note(room: LiveRoom, pk: int) -> Note:
    return Note.objects.select_related("room__session").get(room=room, pk=pk)


def note_add(*, user, room, data):
    cleaned = _valid(NoteAddForm, data)
    note, created = note_services.note_add(
        user=user,
        room=_fresh(room),
        kind=cleaned["kind"],
        text=cleaned["text"],
        client_id=data.get("id") or "",
    )
    return {"note": note.pk, "status": note.status, "duplicate": not created}


def note_react(*, user, room, data):
    cleaned = _valid(NoteReactForm, data)
    note_services.note_react(user=user, note=_note(room, cleaned["note"]), kind=cleaned["reaction"] or None)
    return {"note": cleaned["note"], "reaction": cleaned["reaction"] or None}


def _curate(step: str):
    def handler(*, user, room, data):
        pk = _valid(NoteRefForm, data)["note"]
        note_services.note_curate(user=user, note=_note(room, pk), action=step)
        return {"note": pk}

    return handler


def note_edit(*, user, room, data):
    cleaned = _valid(NoteEditForm, data)
    note_services.note_edit(user=user, note=_note(room, cleaned["note"]), text=cleaned["text"])
    return {"note": cleaned["note"]}


def note_merge(*, user, room, data):
    cleaned = _valid(NoteMergeForm, data)
    kept = note_services.note_merge(
        user=user, note=_note(room, cleaned["note"]), into=_note(room, cleaned["into"])
    )
    return {"note": cleaned["note"], "into": kept.pk}


def action_save(*, user, room, data):
    cleaned = _valid(ActionForm, data)
    existing = Action.objects.get(room=room, pk=cleaned["action_id"]) if cleaned["action_id"] else None
    saved = note_services.action_save(
        user=user,
        room=_fresh(room),
        action=existing,
        what=cleaned["what"],
        owner_name=cleaned["owner_name"],
        owner_organisation=cleaned["owner_organisation"],
        perspective=cleaned["perspective"],
        due_date=cleaned["due_date"],
        status=cleaned["status"],
    )
    return {"action_id": saved.pk}


def phase_set(*, user, room, data):
    pk = _valid(PhaseRefForm, data)["phase"]
    phase = Phase.objects.get(room=room, pk=pk) if pk else None
    note_services.phase_set_current(user=user, room=_fresh(room), phase=phase)
    return {"phase": pk}


def phase_next(*, user, room, data):
    updated = note_services.phase_advance(user=user, room=_fresh(room))
    return {"phase": updated.current_phase_id}


def phase_save(*, user, room, data):
    cleaned = _valid(PhaseForm, data)
    phase = Phase.objects.get(room=room, pk=cleaned["phase"]) if cleaned["phase"] else None
    saved = note_services.phase_save(
        user=user, room=_fresh(room), phase=phase, title=cleaned["title"], prompt=cleaned["prompt"]
    )
    return {"phase": saved.pk}


def projector_mode(*, user, room, data):
    mode = _valid(ProjectorModeForm, data)["mode"]
    note_services.projector_mode_set(user=user, room=_fresh(room), mode=mode)
    return {"mode": mode}


ACTIONS = registry(
    [
        # The socket's own: answered by the consumer, a projector may send them.
        RoomAction("ping", projector=True, shared_limit=False),
        RoomAction("room.resync", projector=True, shared_limit=False, resync_bucket=True),
        # Votes of many people are written together (realtime/groupcommit.py).
        RoomAction("question.upvote", batch=Batch("upvotes", upvote_parse, upvote_ack), shared_limit=False),
        RoomAction("poll.vote", batch=Batch("poll_votes", vote_parse, vote_ack), shared_limit=False),
        RoomAction("question.ask", ask),
        RoomAction("question.unvote", unvote),
        RoomAction("question.withdraw", withdraw),
        *(
            RoomAction(f"question.{step}", _moderate(step))
            for step in ("approve", "reject", "hide", "answer", "reopen")
        ),
        RoomAction("question.edit", edit),
        RoomAction("question.pin", pin),
        RoomAction("question.unpin", unpin),
        RoomAction("room.open", _set_open(True)),
        RoomAction("room.close", _set_open(False)),
        RoomAction("room.premoderation", premoderation),
        RoomAction("poll.create", poll_create),
        RoomAction("poll.open", _poll_step(poll_services.poll_open)),
        RoomAction("poll.close", _poll_step(poll_services.poll_close)),
        RoomAction("poll.reveal", _poll_step(poll_services.poll_reveal)),
        RoomAction(
            "poll.hide",
            _poll_step(lambda user, poll: poll_services.poll_reveal(user=user, poll=poll, revealed=False)),
        ),
        RoomAction("poll.show_live", poll_show_live),
        RoomAction("note.add", note_add),
        RoomAction("note.react", note_react),
        *(
            RoomAction(f"note.{step}", _curate(step))
            for step in ("approve", "hide", "common_ground", "not_agreed", "unmark")
        ),
        RoomAction("note.edit", note_edit),
        RoomAction("note.merge", note_merge),
        RoomAction("action.save", action_save),
        RoomAction("phase.set", phase_set),
        RoomAction("phase.next", phase_next),
        RoomAction("phase.save", phase_save),
        RoomAction("room.projector_mode", projector_mode),
    ]
)

# The actions that change the room (everything but the socket's own ping and resync).
ROOM_ACTIONS = sorted(name for name, action in ACTIONS.items() if not action.projector)
