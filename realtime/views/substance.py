"""Polls, notes, actions, phases and the projector mode as plain form posts."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from realtime.forms import (
    ActionForm,
    NoteAddForm,
    NoteEditForm,
    NoteMergeForm,
    NoteReactForm,
    NoteRefForm,
    PhaseForm,
    PhaseRefForm,
    PollCreateForm,
    PollRefForm,
    PollVoteForm,
    ProjectorModeForm,
    form_errors,
)
from realtime.models import Action, LiveRoom, Note, Phase, Poll
from realtime.services import notes as note_services
from realtime.services import polls as poll_services
from realtime.services import votes
from realtime.views.common import (
    _console_url,
    _room_url,
    _run,
    room_view,
)
from realtime.views.display import (
    display_strings,
)

# --- Polls ------------------------------------------------------------------------------------------


def _in_room(model, room: LiveRoom, pk: int | None):
    """An object of this room by id; None (with no leak) when it belongs elsewhere or does not exist."""
    if not pk:
        return None
    return model.objects.select_related("room__session").filter(room=room, pk=pk).first()


def _ref(request, form_class, model, room: LiveRoom, field: str, missing: str):
    """Parse a form naming one object of this room; add an error message and return None when that fails."""
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return None, None
    found = _in_room(model, room, form.cleaned_data[field])
    if found is None:
        messages.error(request, missing)
        return None, None
    return found, form.cleaned_data


def _poll_missing() -> str:
    return _("Die peiling bestaat niet (meer).")


def _note_missing() -> str:
    return _("Die notitie bestaat niet (meer).")


@require_POST
@room_view()
def poll_vote(request, room: LiveRoom, role: str):
    """Vote, or change a vote, with a plain form: radio buttons or checkboxes named `choices`."""
    ref = PollRefForm(request.POST)
    poll = _in_room(Poll, room, ref.cleaned_data["poll"]) if ref.is_valid() else None
    if poll is None or poll.state == Poll.State.DRAFT:
        messages.error(request, _poll_missing())
        return redirect(_room_url(room) + "#peilingen")
    # A plain dict: PollVoteForm's RadioSelect reads one value from a QueryDict, the field wants a list.
    form = PollVoteForm({"poll": poll.pk, "choices": request.POST.getlist("choices")}, poll=poll)
    if not form.is_valid():
        if poll.state != Poll.State.OPEN:
            messages.error(request, display_strings()["poll_closed"])
        else:
            messages.error(request, form_errors(form))
        return redirect(_room_url(room) + "#peilingen")
    _run(
        request,
        lambda: votes.poll_vote(user=request.user, poll=poll, option_ids=form.cleaned_data["choices"]),
        success=display_strings()["voted_changed"],
    )
    return redirect(_room_url(room) + "#peilingen")


@require_POST
@room_view(moderator=True)
def poll_create(request, room: LiveRoom, role: str):
    form = PollCreateForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
    else:
        _run(
            request,
            lambda: poll_services.poll_create(user=request.user, room=room, **form.cleaned_data),
            success=_("De peiling is klaargezet. Open hem als de zaal mag stemmen."),
        )
    return redirect(_console_url(room) + "#peilingen")


POLL_STEPS = {
    "open": (
        lambda user, poll: poll_services.poll_open(user=user, poll=poll),
        gettext_lazy("De peiling is open."),
    ),
    "close": (
        lambda user, poll: poll_services.poll_close(user=user, poll=poll),
        gettext_lazy("De peiling is gesloten."),
    ),
    "reveal": (
        lambda user, poll: poll_services.poll_reveal(user=user, poll=poll),
        gettext_lazy("De uitslag is zichtbaar voor de zaal."),
    ),
    "hide": (
        lambda user, poll: poll_services.poll_reveal(user=user, poll=poll, revealed=False),
        gettext_lazy("De uitslag is weer verborgen."),
    ),
    "show_live": (
        lambda user, poll: poll_services.poll_set_show_live(user=user, poll=poll, enabled=True),
        gettext_lazy("De uitslag is nu live zichtbaar voor de zaal."),
    ),
    "hide_live": (
        lambda user, poll: poll_services.poll_set_show_live(user=user, poll=poll, enabled=False),
        gettext_lazy("De uitslag is niet meer live zichtbaar."),
    ),
}


@require_POST
@room_view(moderator=True)
def poll_step(request, room: LiveRoom, role: str):
    """Open, close, reveal, hide, or show live: one button per step, named `step`."""
    poll, _data = _ref(request, PollRefForm, Poll, room, "poll", _poll_missing())
    step = POLL_STEPS.get(request.POST.get("step", ""))
    if poll is not None and step is not None:
        change, success = step
        _run(request, lambda: change(request.user, poll), success=str(success))
    elif poll is not None:
        messages.error(request, _("Onbekende actie."))
    return redirect(_console_url(room) + "#peilingen")


# --- Notes ------------------------------------------------------------------------------------------


@require_POST
@room_view()
def note_add(request, room: LiveRoom, role: str):
    form = NoteAddForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect(_room_url(room) + "#notities")
    result = _run(
        request,
        lambda: note_services.note_add(
            user=request.user, room=room, kind=form.cleaned_data["kind"], text=form.cleaned_data["text"]
        ),
    )
    if result is not None:
        note, _created = result
        key = "note_pending" if note.status == Note.Status.PENDING else "note_sent"
        messages.success(request, display_strings()[key])
    return redirect(_room_url(room) + "#notities")


@require_POST
@room_view()
def note_react(request, room: LiveRoom, role: str):
    """Herken ik, eens or oneens; the same button again (reaction empty) takes the reaction back."""
    note, data = _ref(request, NoteReactForm, Note, room, "note", _note_missing())
    if note is not None:
        _run(
            request,
            lambda: note_services.note_react(user=request.user, note=note, kind=data["reaction"] or None),
        )
    return redirect(_room_url(room) + f"#notitie-{note.pk if note else ''}")


CURATE_MESSAGES = {
    "approve": gettext_lazy("De notitie is zichtbaar voor de zaal."),
    "hide": gettext_lazy("De notitie is verborgen."),
    "common_ground": gettext_lazy("De notitie is gemarkeerd als gedeelde grond."),
    "not_agreed": gettext_lazy("De notitie is gemarkeerd als niet overeenstemd."),
    "unmark": gettext_lazy("De markering is weggehaald."),
}


@require_POST
@room_view(moderator=True)
def note_curate(request, room: LiveRoom, role: str):
    note, _data = _ref(request, NoteRefForm, Note, room, "note", _note_missing())
    action = request.POST.get("action", "")
    if note is not None:
        _run(
            request,
            lambda: note_services.note_curate(user=request.user, note=note, action=action),
            success=str(CURATE_MESSAGES.get(action, "")) or None,
        )
    return redirect(_console_url(room) + "#notities")


@require_POST
@room_view(moderator=True)
def note_edit(request, room: LiveRoom, role: str):
    note, data = _ref(request, NoteEditForm, Note, room, "note", _note_missing())
    if note is not None:
        _run(
            request,
            lambda: note_services.note_edit(user=request.user, note=note, text=data["text"]),
            success=_("De notitie is aangepast. De vorige tekst staat in de geschiedenis."),
        )
    return redirect(_console_url(room) + "#notities")


@require_POST
@room_view(moderator=True)
def note_merge(request, room: LiveRoom, role: str):
    note, data = _ref(request, NoteMergeForm, Note, room, "note", _note_missing())
    into = _in_room(Note, room, data["into"]) if note is not None else None
    if note is not None and into is None:
        messages.error(request, _note_missing())
    elif note is not None:
        _run(
            request,
            lambda: note_services.note_merge(user=request.user, note=note, into=into),
            success=_("De notities zijn samengevoegd. Beide teksten blijven bewaard."),
        )
    return redirect(_console_url(room) + "#notities")


# --- Actions, phases and the projector ---------------------------------------------------------------


@require_POST
@room_view(moderator=True)
def action_save(request, room: LiveRoom, role: str):
    form = ActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect(_console_url(room) + "#acties")
    data = dict(form.cleaned_data)
    action_id = data.pop("action_id")
    existing = _in_room(Action, room, action_id)
    if action_id and existing is None:
        messages.error(request, _("Die actie bestaat niet (meer)."))
    else:
        _run(
            request,
            lambda: note_services.action_save(user=request.user, room=room, action=existing, **data),
            success=_("De actie is opgeslagen."),
        )
    return redirect(_console_url(room) + "#acties")


@require_POST
@room_view(moderator=True)
def phase_next(request, room: LiveRoom, role: str):
    _run(
        request,
        lambda: note_services.phase_advance(user=request.user, room=room),
        success=_("De volgende fase is begonnen."),
    )
    return redirect(_console_url(room) + "#fases")


@require_POST
@room_view(moderator=True)
def phase_set(request, room: LiveRoom, role: str):
    form = PhaseRefForm(request.POST)
    phase = _in_room(Phase, room, form.cleaned_data["phase"]) if form.is_valid() else None
    if phase is None:
        messages.error(request, _("Die fase bestaat niet (meer)."))
    else:
        _run(
            request,
            lambda: note_services.phase_set_current(user=request.user, room=room, phase=phase),
            success=_("De fase is gewijzigd."),
        )
    return redirect(_console_url(room) + "#fases")


@require_POST
@room_view(moderator=True)
def phase_save(request, room: LiveRoom, role: str):
    form = PhaseForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect(_console_url(room) + "#fases")
    phase = _in_room(Phase, room, form.cleaned_data["phase"])
    if form.cleaned_data["phase"] and phase is None:
        messages.error(request, _("Die fase bestaat niet (meer)."))
    else:
        _run(
            request,
            lambda: note_services.phase_save(
                user=request.user,
                room=room,
                phase=phase,
                title=form.cleaned_data["title"],
                prompt=form.cleaned_data["prompt"],
            ),
            success=_("De fase is opgeslagen."),
        )
    return redirect(_console_url(room) + "#fases")


@require_POST
@room_view(moderator=True)
def projector_mode(request, room: LiveRoom, role: str):
    form = ProjectorModeForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
    else:
        _run(
            request,
            lambda: note_services.projector_mode_set(
                user=request.user, room=room, mode=form.cleaned_data["mode"]
            ),
            success=_("Het projectorbeeld is gewijzigd."),
        )
    return redirect(_console_url(room) + "#projector")
