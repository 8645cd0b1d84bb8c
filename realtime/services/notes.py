"""Writes for the substance of a session: phases, dilemma notes, reactions and actions."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_log
from realtime import events
from realtime.hashing import room_vote_salt, voter_hash
from realtime.models import NOTE_MAX_LENGTH, Action, LiveRoom, Note, NoteReaction, Phase
from realtime.permissions import is_reporter, require_reporter, require_take_part
from realtime.phases import template_for
from realtime.services.audit import room_audit

CURATE_ACTIONS = {
    "approve": {"status": Note.Status.VISIBLE},
    "hide": {"status": Note.Status.HIDDEN},
    "common_ground": {"mark": Note.Mark.COMMON_GROUND},
    "not_agreed": {"mark": Note.Mark.NOT_AGREED},
    "unmark": {"mark": Note.Mark.NONE},
}


def _history(user: User, action: str, **detail) -> dict:
    return {"at": timezone.now().isoformat(), "by": user.pk, "action": action, **detail}


@transaction.atomic
def phases_ensure(*, room: LiveRoom) -> list[Phase]:
    """Give the room the phases of its session kind's template, once. Returns the phases in order."""
    room = LiveRoom.objects.select_for_update().select_related("session").get(pk=room.pk)
    phases = list(room.phases.all())
    if phases:
        return phases
    phases = [
        Phase.objects.create(room=room, position=i, title=str(title), prompt=str(prompt))
        for i, (title, prompt) in enumerate(template_for(room.session.kind))
    ]
    return phases


@transaction.atomic
def phase_set_current(*, user: User, room: LiveRoom, phase: Phase | None) -> LiveRoom:
    """Move the room to a phase (moderators). Everyone sees the new phase and its prompt."""
    require_reporter(user, room)
    if phase is not None and phase.room_id != room.pk:
        raise PermissionDenied
    LiveRoom.objects.filter(pk=room.pk).update(current_phase=phase)
    room_audit(user=user, room=room, action="phase.set", phase=phase.pk if phase else None)
    room.current_phase = phase
    events.room_updated(room.pk)
    return room


@transaction.atomic
def phase_advance(*, user: User, room: LiveRoom) -> LiveRoom:
    """Go to the next phase; from the last phase nothing changes. Starts at the first phase."""
    require_reporter(user, room)
    phases = list(Phase.objects.filter(room=room))
    if not phases:
        phases = phases_ensure(room=room)
    current = LiveRoom.objects.get(pk=room.pk).current_phase_id
    ids = [p.pk for p in phases]
    index = ids.index(current) + 1 if current in ids else 0
    return phase_set_current(user=user, room=room, phase=phases[min(index, len(phases) - 1)])


@transaction.atomic
def phase_save(*, user: User, room: LiveRoom, title: str, prompt: str, phase: Phase | None = None) -> Phase:
    """Edit a phase's title and prompt, or add one at the end (moderators). Broadcasts phases.updated."""
    require_reporter(user, room)
    if phase is None:
        last = Phase.objects.filter(room=room).order_by("-position").first()
        phase = Phase(room=room, position=(last.position + 1) if last else 0)
    elif phase.room_id != room.pk:
        raise PermissionDenied
    phase.title = " ".join(title.split())
    phase.prompt = " ".join(prompt.split())
    phase.full_clean(exclude=["room"])
    phase.save()
    room_audit(user=user, room=room, action="phase.saved", phase=phase.pk)
    events.phases_updated(room.pk)
    return phase


@transaction.atomic
def phase_delete(*, user: User, phase: Phase) -> None:
    """Remove a phase (moderators). Its notes keep their text but lose the phase."""
    room = phase.room
    require_reporter(user, room)
    room_audit(user=user, room=room, action="phase.deleted", phase=phase.pk, title=phase.title)
    phase.delete()
    events.phases_updated(room.pk)
    events.room_updated(room.pk)


def _clean_text(text: str, limit: int = NOTE_MAX_LENGTH) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("Typ eerst een tekst."), code="empty")
    if len(text) > limit:
        raise ValidationError(
            _("Een notitie mag maximaal %(max)d tekens hebben.") % {"max": limit}, code="too_long"
        )
    return text


@transaction.atomic
def note_add(*, user: User, room: LiveRoom, kind: str, text: str, client_id: str = "") -> tuple[Note, bool]:
    """
    Add a dilemma note in the room's current phase; return (note, created).

    Participants and the session's moderators and rapporteurs may add notes.
    The perspective comes from the profile. Participants' notes follow the
    room's pre-moderation; moderators' notes are visible at once. The same
    client_id twice stores one note.
    """
    require_take_part(user, room)
    if client_id:
        existing = Note.objects.filter(room=room, author=user, client_id=client_id).first()
        if existing:
            return existing, False
    moderator = is_reporter(user, room)
    note = Note(
        room=room,
        author=user,
        client_id=client_id,
        phase_id=LiveRoom.objects.filter(pk=room.pk).values_list("current_phase_id", flat=True).first(),
        kind=kind,
        perspective=user.perspective,
        text=_clean_text(text),
        status=Note.Status.PENDING if room.premoderation and not moderator else Note.Status.VISIBLE,
    )
    note.full_clean(exclude=["room", "author", "phase"])
    try:
        with transaction.atomic():
            note.save()
    except IntegrityError:
        return Note.objects.get(room=room, author=user, client_id=client_id), False
    events.note_changed(note.pk, created=True)
    return note, True


@transaction.atomic
def note_react(*, user: User, note: Note, kind: str | None) -> NoteReaction | None:
    """
    Set, change or (with kind None) remove this person's one reaction to a note.

    Stored like a vote: a keyed hash of (person, note) and the perspective.
    Refused once the event's votes were unlinked by the purge. Counts reach
    the room coalesced.
    """
    note = Note.objects.select_related("room__session__event").get(pk=note.pk)
    require_take_part(user, note.room)
    if note.status != Note.Status.VISIBLE:
        raise ValidationError(_("Deze notitie is niet (meer) zichtbaar."), code="not_visible")
    if kind is not None and kind not in NoteReaction.Kind.values:
        raise ValidationError(_("Kies herken ik, eens of oneens."), code="invalid")
    key = voter_hash("note", user.pk, note.pk, salt=room_vote_salt(note.room))
    reaction = None
    if kind is None:
        changed = NoteReaction.objects.filter(note=note, voter_hash=key).delete()[0] > 0
    else:
        reaction, created = NoteReaction.objects.get_or_create(
            note=note, voter_hash=key, defaults={"kind": kind, "perspective": user.perspective}
        )
        changed = created or reaction.kind != kind
        if reaction.kind != kind:
            reaction.kind = kind
            reaction.save(update_fields=["kind"])
    if changed:
        events.on_commit(events.note_scored, note.room_id, note.pk)
    return reaction


def _locked_note(user: User, note: Note) -> Note:
    note = Note.objects.select_for_update().select_related("room__session").get(pk=note.pk)
    require_reporter(user, note.room)
    if note.status == Note.Status.MERGED:
        raise ValidationError(_("Deze notitie is samengevoegd met een andere."), code="merged")
    return note


@transaction.atomic
def note_curate(*, user: User, note: Note, action: str) -> Note:
    """Approve or hide a note, or mark it as common ground / not agreed (moderators and rapporteurs)."""
    if action not in CURATE_ACTIONS:
        raise ValidationError(_("Onbekende actie."), code="unknown_action")
    note = _locked_note(user, note)
    for field, value in CURATE_ACTIONS[action].items():
        setattr(note, field, value)
    note.history = [*note.history, _history(user, action)]
    note.save()
    room_audit(user=user, room=note.room_id, action=f"note.{action}", note=note.pk)
    events.note_changed(note.pk)
    return note


@transaction.atomic
def note_edit(*, user: User, note: Note, text: str) -> Note:
    """Edit a note's text (moderators and rapporteurs). The earlier text stays in the note's history."""
    note = _locked_note(user, note)
    new_text = _clean_text(text)
    if new_text == note.text:
        return note
    note.history = [*note.history, _history(user, "edit", before=note.text)]
    audit_log(
        actor=user, action="note.edited", detail={"note": note.pk, "before": note.text, "after": new_text}
    )
    note.text = new_text
    note.save()
    events.note_changed(note.pk)
    return note


@transaction.atomic
def note_merge(*, user: User, note: Note, into: Note) -> Note:
    """
    Merge a duplicate note into another (moderators and rapporteurs); return the kept note.

    Both texts stay: the duplicate is kept with status merged, and the kept
    note's history records its text. Reactions move over unless the same
    person already reacted to the kept note.
    """
    if note.pk == into.pk:
        raise ValidationError(_("Kies twee verschillende notities."), code="invalid")
    first, second = sorted([note, into], key=lambda n: n.pk)
    locked = {n.pk: _locked_note(user, n) for n in (first, second)}
    note, into = locked[note.pk], locked[into.pk]
    if note.room_id != into.room_id:
        raise PermissionDenied
    taken = set(into.reactions.values_list("voter_hash", flat=True))
    note.reactions.exclude(voter_hash__in=taken).update(note=into)
    note.status = Note.Status.MERGED
    note.merged_into = into
    note.history = [*note.history, _history(user, "merged_into", note=into.pk)]
    note.save()
    into.history = [*into.history, _history(user, "merged_from", note=note.pk, text=note.text)]
    into.save()
    room_audit(user=user, room=into.room_id, action="note.merged", note=note.pk, into=into.pk)
    events.note_changed(note.pk)
    events.note_changed(into.pk)
    events.on_commit(events.note_scored, into.room_id, into.pk)
    return into


@transaction.atomic
def action_save(
    *,
    user: User,
    room: LiveRoom,
    what: str,
    owner_name: str,
    owner_organisation: str = "",
    perspective: str = "",
    due_date: dt.date | None = None,
    status: str = Action.Status.OPEN,
    action: Action | None = None,
) -> Action:
    """Capture a new action or update one (moderators and rapporteurs). Visible to the room at once."""
    require_reporter(user, room)
    if action is None:
        action = Action(room=room, created_by=user)
    elif action.room_id != room.pk:
        raise PermissionDenied
    action.what = " ".join(what.split())
    action.owner_name = " ".join(owner_name.split())
    action.owner_organisation = " ".join(owner_organisation.split())
    action.perspective = perspective
    action.due_date = due_date
    action.status = status
    action.full_clean(exclude=["room", "created_by"])
    action.save()
    room_audit(user=user, room=room, action="action.saved", action_id=action.pk)
    events.action_saved(action.pk)
    return action


def person_name_key(name: str) -> str:
    """A name as actions are matched on it: spacing collapsed, case folded."""
    return " ".join(name.split()).casefold()


@transaction.atomic
def action_owner_erase(*, user: User, session_ids: set[int]) -> int:
    """
    Blank the owner's name of actions that name this person; return how many changed.

    Part of deleting an account (AVG art. 17). An action's owner is text a
    moderator typed, not a link to an account, so the person is found by
    name: the owner equals their name (ignoring case and spacing), in one of
    `session_ids` (the sessions they were part of, see
    `realtime.selectors.session_ids_with_person`). The owner's organisation
    stays: it is the party that follows the action up. Broadcasts each
    changed action to its room after commit.
    """
    key = person_name_key(user.name)
    if not key or not session_ids:
        return 0
    actions = [
        action
        for action in Action.objects.select_for_update().filter(room__session_id__in=session_ids)
        if person_name_key(action.owner_name) == key
    ]
    for action in actions:
        Action.objects.filter(pk=action.pk).update(owner_name="", updated_at=timezone.now())
        events.action_saved(action.pk)
    return len(actions)


@transaction.atomic
def projector_mode_set(*, user: User, room: LiveRoom, mode: str) -> LiveRoom:
    """Choose what the projector shows: questions, the poll, notes per perspective or the actions."""
    require_reporter(user, room)
    if mode not in {"questions", "poll", "notes", "actions"}:
        raise ValidationError(_("Onbekende weergave."), code="invalid")
    LiveRoom.objects.filter(pk=room.pk).update(projector_mode=mode)
    room.projector_mode = mode
    room_audit(user=user, room=room, action="projector_mode", mode=mode)
    events.room_updated(room.pk)
    return room
