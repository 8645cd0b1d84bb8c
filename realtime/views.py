"""
Live room pages: join by code, the room itself, the moderator console and the projector.

Every page is drawn from `room_snapshot`, the same dict the WebSocket sends,
and embeds it as JSON so room.js can take over without a second request.
Every POST parses one form, calls one service, adds a message and redirects,
so the room works without JavaScript too.
"""

from functools import wraps

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Perspective
from events.models import Session
from realtime import ratelimit, selectors
from realtime.forms import (
    ActionForm,
    ModerateForm,
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
    PollVoteForm,
    ProjectorModeForm,
    QuestionAskForm,
    QuestionEditForm,
    QuestionRefForm,
    ToggleForm,
    form_errors,
)
from realtime.models import Action, LiveRoom, Note, Phase, Poll, Question
from realtime.permissions import role_in_room
from realtime.services import notes as note_services
from realtime.services import polls as poll_services
from realtime.services import questions as question_services
from realtime.services import rooms as room_services
from realtime.views_display import (
    actions_display,
    current_poll,
    display_strings,
    notes_by_perspective,
    notes_display,
    phase_display,
    poll_display,
)

SORTS = {"top": "top", "nieuw": "new"}
PROJECTOR_TOP = 5


def _room_for_code(code: str) -> LiveRoom | None:
    """The live room for a join code; a session that has none yet gets a closed one."""
    room = selectors.room_get_by_code(code=code)
    if room is None:
        session = Session.objects.filter(code=(code or "").strip().upper()).first()
        if session is not None:
            room_services.live_room_ensure(session=session)
            room = selectors.room_get_by_code(code=code)
    return room


def room_view(*, moderator: bool = False):
    """
    Resolve `code` to a room and check the person's role before the view runs.

    Anonymous people are sent to the login page. Logged-in people who may
    not join get a 403 page that explains why; pages for moderators answer
    everyone else with 404, so they do not reveal themselves.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, code: str, *args, **kwargs):
            room = _room_for_code(code)
            if room is None:
                raise Http404
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            role = role_in_room(request.user, room)
            if moderator and role != "moderator":
                raise Http404
            if role is None:
                return render(request, "realtime/forbidden.html", {"room": room}, status=403)
            if request.method == "POST":
                wait = ratelimit.room_action_hit(user_id=request.user.pk)
                if wait:
                    messages.error(request, ratelimit.retry_message(wait))
                    return redirect(_console_url(room) if moderator else _room_url(room))
            return view(request, room, role, *args, **kwargs)

        return wrapper

    return decorator


def _perspective_labels() -> dict[str, str]:
    return {str(value): str(label) for value, label in Perspective.choices}


def _strings() -> dict[str, str]:
    """Texts room.js shows or announces, translated on the server."""
    return {
        "offline": _("Geen verbinding – we proberen opnieuw…"),
        "queued": _("Wordt verstuurd zodra er weer verbinding is."),
        "new_question": _("Nieuwe vraag: %(text)s"),
        "pinned": _("Nu besproken: %(text)s"),
        "unpinned": _("Er is geen vraag meer vastgezet."),
        "asked": _("Uw vraag is geplaatst."),
        "asked_pending": _("Uw vraag is verstuurd. De gespreksleider bekijkt hem eerst."),
        "room_open": _("De zaal is open. U kunt vragen stellen en steunen."),
        "room_closed": _("De zaal is gesloten. U kunt de vragen lezen, maar niets toevoegen."),
        "open_button": _("Zaal openen"),
        "close_button": _("Zaal sluiten"),
        "premod_on": _("Voormoderatie staat aan: nieuwe vragen wachten op goedkeuring."),
        "premod_off": _("Voormoderatie staat uit: nieuwe vragen zijn direct zichtbaar."),
        "premod_on_button": _("Voormoderatie aanzetten"),
        "premod_off_button": _("Voormoderatie uitzetten"),
        "withdrawn": _("Uw vraag is ingetrokken."),
        "error": _("Er ging iets mis. Probeer het opnieuw."),
        **display_strings(),
    }


def _decorate(questions: list[dict], snapshot: dict) -> list[dict]:
    """Copies of the protocol's question dicts with what the templates need to draw them."""
    labels = _perspective_labels()
    upvoted = set(snapshot.get("my_upvotes", []))
    mine = set(snapshot.get("my_questions", []))
    pinned = snapshot["room"]["pinned"]
    return [
        {
            **q,
            "perspective_label": labels.get(q["perspective"], q["perspective"]),
            "status_label": Question.Status(q["status"]).label,
            "upvoted": q["id"] in upvoted,
            "mine": q["id"] in mine,
            "pinned": q["id"] == pinned,
        }
        for q in questions
    ]


def _page_data(*, snapshot: dict, page: str, token: str = "", can_ask: bool = False) -> dict:
    """What room.js needs besides the snapshot: the page kind, labels and texts in the page's language."""
    return {
        "page": page,
        "snapshot": snapshot,
        "projector_token": token,
        "can_ask": can_ask,
        "labels": _perspective_labels(),
        "statuses": {str(value): str(label) for value, label in Question.Status.choices},
        "note_kinds": {str(value): str(label) for value, label in Note.Kind.choices},
        "note_marks": {str(value): str(label) for value, label in Note.Mark.choices},
        "note_statuses": {str(value): str(label) for value, label in Note.Status.choices},
        "poll_states": {str(value): str(label) for value, label in Poll.State.choices},
        "action_statuses": {str(value): str(label) for value, label in Action.Status.choices},
        "strings": _strings(),
    }


def _substance(snapshot: dict, *, moderator: bool = False) -> dict:
    """Polls, the phase, notes per perspective and actions, laid out for the templates."""
    my_votes = snapshot.get("my_votes")
    polls = [poll_display(p, my_votes) for p in snapshot["polls"]]
    current = current_poll(polls)
    notes = notes_display(snapshot["notes"], snapshot.get("my_reactions"))
    context = {
        "polls": polls,
        "current_poll": current,
        # The room sees the poll now under way first, then earlier ones, newest first.
        "room_polls": ([current] if current else []) + [p for p in reversed(polls) if p is not current],
        "phase": phase_display(snapshot["room"]),
        "phases": snapshot["phases"],
        "notes": notes,
        "board": notes_by_perspective(notes),
        "actions": actions_display(snapshot["actions"]),
        "projector_mode": snapshot["room"]["projector_mode"],
        "perspective_choices": Perspective.choices,
    }
    if moderator:
        context["note_lists"] = [
            ("pending", _("Wachtrij"), notes_display(snapshot["pending_notes"]), "pending"),
            ("visible", _("In de zaal"), notes, "visible"),
            ("hidden", _("Verborgen"), notes_display(snapshot["hidden_notes"]), "hidden"),
        ]
        for action in context["actions"]:
            action["form"] = ActionForm(initial={**action, "action_id": action["id"]}, auto_id=False)
        context["blank_action"] = {"form": ActionForm(auto_id=False)}
    return context


def _pinned(snapshot: dict, questions: list[dict]) -> dict | None:
    pinned = snapshot["room"]["pinned"]
    return next((q for q in questions if q["id"] == pinned), None)


def _sort(request) -> str:
    return "nieuw" if request.GET.get("sorteer") == "nieuw" else "top"


def _sorted(questions: list[dict], sort: str) -> list[dict]:
    # The snapshot comes in 'top' order; 'new' is newest first.
    if sort == "nieuw":
        return sorted(questions, key=lambda q: q["created_at"], reverse=True)
    return questions


def _room_url(room: LiveRoom) -> str:
    return reverse("realtime:room", args=[room.code])


def _console_url(room: LiveRoom) -> str:
    return reverse("realtime:console", args=[room.code])


def _error_text(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or _("Dit mag u niet doen.")


def _run(request, service, success: str | None = None) -> None:
    """Call one service; turn its refusal into an error message and its success into a message."""
    try:
        result = service()
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _error_text(error))
        return None
    if success:
        messages.success(request, success)
    return result


def _question(room: LiveRoom, data) -> Question | None:
    """The question named in the POST, scoped to this room; None (with no leak) when it is not there."""
    form = QuestionRefForm(data)
    if not form.is_valid():
        return None
    return (
        Question.objects.select_related("room__session")
        .filter(room=room, pk=form.cleaned_data["question"])
        .first()
    )


def _not_found(request) -> None:
    messages.error(request, _("Die vraag bestaat niet (meer)."))


def _on_question(request, room: LiveRoom, form_class, call, success: str | None = None) -> None:
    """
    Parse a form that names a question of this room, then call one service with it.

    `call(question, cleaned_data)` runs the service; a bad form, an unknown
    question or a refusal each become an error message.
    """
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return
    question = _question(room, request.POST)
    if question is None:
        _not_found(request)
        return
    _run(request, lambda: call(question, form.cleaned_data), success=success)


# --- Pages ------------------------------------------------------------------------------------------


@require_GET
def join(request):
    """Type a join code, land in the room. An unknown code says so on the page."""
    code = (request.GET.get("code") or "").strip().upper()
    error = None
    if code:
        if _room_for_code(code) is not None:
            return redirect("realtime:room", code=code)
        error = _("Er is geen sessie met de code %(code)s. Controleer de code en probeer het opnieuw.") % {
            "code": code
        }
    return render(request, "realtime/join.html", {"code": code, "error": error}, status=404 if error else 200)


@require_GET
@room_view()
def room(request, room: LiveRoom, role: str):
    snapshot = selectors.room_snapshot(room=room, user=request.user, role=role)
    sort = _sort(request)
    questions = _decorate(snapshot["questions"], snapshot)
    return render(
        request,
        "realtime/room.html",
        {
            "room": room,
            "role": role,
            "snapshot": snapshot,
            "questions": _sorted(questions, sort),
            "pinned": _pinned(snapshot, questions),
            "sort": sort,
            "can_take_part": room.is_open and bool(request.user.perspective),
            "ask_form": QuestionAskForm(),
            "note_form": NoteAddForm(auto_id="note-%s"),
            "page_data": _page_data(snapshot=snapshot, page="room", can_ask=bool(request.user.perspective)),
            **_substance(snapshot),
        },
    )


@require_GET
@room_view(moderator=True)
def console(request, room: LiveRoom, role: str):
    snapshot = selectors.room_snapshot(room=room, user=request.user, role=role)
    questions = _decorate(snapshot["questions"], snapshot)
    presence = snapshot["presence"]
    stats = [
        {"perspective": p, "label": label, **snapshot["stats"][p], "present": presence.get(p, 0)}
        for p, label in _perspective_labels().items()
    ]
    return render(
        request,
        "realtime/console.html",
        {
            "room": room,
            "snapshot": snapshot,
            "questions": questions,
            "pending": list(reversed(_decorate(snapshot["pending"], snapshot))),
            "hidden": _decorate(snapshot["hidden"], snapshot),
            "pinned": _pinned(snapshot, questions),
            "stats": stats,
            "projector_url": request.build_absolute_uri(
                reverse("realtime:projector_token", args=[room.projector_token])
            ),
            "page_data": _page_data(snapshot=snapshot, page="console"),
            "poll_form": PollCreateForm(auto_id="poll-new-%s"),
            "action_form": ActionForm(auto_id="action-new-%s"),
            "projector_modes": ProjectorModeForm.base_fields["mode"].choices,
            **_substance(snapshot, moderator=True),
        },
    )


def _render_projector(request, room: LiveRoom):
    snapshot = selectors.room_snapshot(room=room, user=None, role="projector")
    questions = _decorate(snapshot["questions"], snapshot)
    pinned = _pinned(snapshot, questions)
    top = [q for q in questions if q["status"] == Question.Status.VISIBLE and q is not pinned]
    join_url = f"{settings.SITE_URL}{_room_url(room)}"
    qr = segno.make(join_url, error="m").svg_inline(scale=4, omitsize=True, border=2)
    response = render(
        request,
        "realtime/projector.html",
        {
            "room": room,
            "snapshot": snapshot,
            "pinned": pinned,
            "top": top[:PROJECTOR_TOP],
            "top_limit": PROJECTOR_TOP,
            "join_url": join_url,
            "qr_svg": qr.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1),
            "page_data": _page_data(snapshot=snapshot, page="projector", token=room.projector_token),
            **_substance(snapshot),
        },
    )
    # A secret link must not travel on in a Referer header.
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_GET
@room_view(moderator=True)
def projector(request, room: LiveRoom, role: str):
    return _render_projector(request, room)


@require_GET
def projector_token(request, token: str):
    """The projector through the secret link: no login, only what the projector shows."""
    room = selectors.room_get_by_projector_token(token=token)
    if room is None:
        raise Http404
    return _render_projector(request, room)


# --- Participant actions ----------------------------------------------------------------------------


@require_POST
@room_view()
def ask(request, room: LiveRoom, role: str):
    form = QuestionAskForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect(_room_url(room))
    result = _run(
        request,
        lambda: question_services.question_ask(
            user=request.user,
            room=room,
            text=form.cleaned_data["text"],
            show_name=form.cleaned_data["show_name"],
        ),
    )
    if result is not None:
        question, _created = result
        if question.status == Question.Status.PENDING:
            messages.success(request, _strings()["asked_pending"])
        else:
            messages.success(request, _strings()["asked"])
    return redirect(_room_url(room))


@require_POST
@room_view()
def vote(request, room: LiveRoom, role: str):
    """Upvote (vote=up) or withdraw an upvote (vote=down): one toggle button on the page."""
    service = (
        question_services.question_unvote
        if request.POST.get("vote") == "down"
        else question_services.question_upvote
    )
    _on_question(request, room, QuestionRefForm, lambda q, data: service(user=request.user, question=q))
    return redirect(_room_url(room) + _return_sort(request))


def _return_sort(request) -> str:
    return "?sorteer=nieuw" if request.POST.get("sorteer") == "nieuw" else ""


@require_POST
@room_view()
def withdraw(request, room: LiveRoom, role: str):
    _on_question(
        request,
        room,
        QuestionRefForm,
        lambda q, data: question_services.question_withdraw(user=request.user, question=q),
        success=_strings()["withdrawn"],
    )
    return redirect(_room_url(room))


# --- Moderator actions ------------------------------------------------------------------------------


@require_POST
@room_view(moderator=True)
def moderate(request, room: LiveRoom, role: str):
    _on_question(
        request,
        room,
        ModerateForm,
        lambda q, data: question_services.question_moderate(
            user=request.user, question=q, action=data["action"]
        ),
        success=_("De vraag is bijgewerkt."),
    )
    return redirect(_console_url(room))


@require_POST
@room_view(moderator=True)
def edit(request, room: LiveRoom, role: str):
    _on_question(
        request,
        room,
        QuestionEditForm,
        lambda q, data: question_services.question_edit(user=request.user, question=q, text=data["text"]),
        success=_("De tekst is verbeterd. De oorspronkelijke tekst staat in het logboek."),
    )
    return redirect(_console_url(room))


@require_POST
@room_view(moderator=True)
def pin(request, room: LiveRoom, role: str):
    """Pin the posted question, or unpin when no question is posted."""
    form = PinForm(request.POST)
    question = _question(room, request.POST) if request.POST.get("question") else None
    if not form.is_valid() or (form.cleaned_data["question"] and question is None):
        _not_found(request)
    else:
        _run(
            request,
            lambda: room_services.question_pin(user=request.user, room=room, question=question),
            success=_("De vraag staat vast.") if question else _("De vraag staat niet meer vast."),
        )
    return redirect(_console_url(room))


def _toggle(request, room: LiveRoom, change, on: str, off: str):
    """Switch a room setting on or off from a ToggleForm, with the matching message."""
    form = ToggleForm(request.POST)
    if form.is_valid():
        enabled = form.cleaned_data["enabled"]
        _run(request, lambda: change(enabled), success=_strings()[on if enabled else off])
    return redirect(_console_url(room))


@require_POST
@room_view(moderator=True)
def set_open(request, room: LiveRoom, role: str):
    return _toggle(
        request,
        room,
        lambda enabled: room_services.room_set_open(user=request.user, room=room, is_open=enabled),
        "room_open",
        "room_closed",
    )


@require_POST
@room_view(moderator=True)
def set_premoderation(request, room: LiveRoom, role: str):
    return _toggle(
        request,
        room,
        lambda enabled: room_services.room_set_premoderation(user=request.user, room=room, enabled=enabled),
        "premod_on",
        "premod_off",
    )


@require_POST
@room_view(moderator=True)
def projector_reset(request, room: LiveRoom, role: str):
    _run(
        request,
        lambda: room_services.projector_token_reset(user=request.user, room=room),
        success=_("Er is een nieuwe projectorlink. De oude link werkt niet meer."),
    )
    return redirect(_console_url(room))


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
        lambda: poll_services.poll_vote(
            user=request.user, poll=poll, option_ids=form.cleaned_data["choices"]
        ),
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
