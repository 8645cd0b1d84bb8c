"""Shared pieces of the live-room views: resolving the room and role, page data, running one service."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import Perspective
from events.models import Session
from events.permissions import session_is_public
from realtime import ratelimit, selectors
from realtime.forms import (
    ActionForm,
    QuestionRefForm,
    form_errors,
)
from realtime.lens import min_group
from realtime.models import Action, LiveRoom, Note, Poll, Question
from realtime.permissions import role_in_room
from realtime.services import rooms as room_services
from realtime.views.display import (
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
                if not session_is_public(room.session):
                    raise Http404  # a draft or unpublished session: not even its title is shown
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
    """Texts the live client (static/js/room/) shows or announces, translated on the server."""
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
        "more_shown": _("%(shown)s van de %(total)s getoond."),
        "more_loaded": _("%(count)s meer geladen."),
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
    """What the live client (static/js/room/main.js) needs besides the snapshot: the page kind, labels and texts in the page's language."""
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
        "more_url": ""
        if page == "projector"
        else reverse("realtime:room_more", args=[snapshot["room"]["code"]]),
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
        "min_group": min_group(),
    }
    if moderator:
        more, totals = snapshot_more(snapshot), snapshot_totals(snapshot)
        context["note_lists"] = [
            (key, title, items, key, name, more[name], totals[name])
            for key, title, items, name in (
                ("pending", _("Wachtrij"), notes_display(snapshot["pending_notes"]), "pending_notes"),
                ("visible", _("In de zaal"), notes, "notes"),
                ("hidden", _("Verborgen"), notes_display(snapshot["hidden_notes"]), "hidden_notes"),
            )
        ]
        for action in context["actions"]:
            action["form"] = ActionForm(initial={**action, "action_id": action["id"]}, auto_id=False)
        context["blank_action"] = {"form": ActionForm(auto_id=False)}
    return context


def snapshot_more(snapshot: dict) -> dict:
    """Where each bounded list of the snapshot goes on (a row id to page after), or None at its end."""
    return {**snapshot["more"], **snapshot.get("queue_more", {})}


def snapshot_totals(snapshot: dict) -> dict:
    """How many rows each list of the snapshot has in all, loaded or not."""
    return {**snapshot["totals"], **snapshot.get("queue_totals", {})}


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
        Question.objects.select_related("room__session__event")
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
