"""Questions and room state as plain form posts: ask, upvote, withdraw, moderate, pin, open/close."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from realtime.forms import (
    ModerateForm,
    PinForm,
    QuestionAskForm,
    QuestionEditForm,
    QuestionRefForm,
    ToggleForm,
    form_errors,
)
from realtime.models import LiveRoom, Question
from realtime.services import questions as question_services
from realtime.services import rooms as room_services
from realtime.services import votes
from realtime.views.common import (
    _console_url,
    _not_found,
    _on_question,
    _question,
    _room_url,
    _run,
    _strings,
    room_view,
)

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
    service = votes.question_unvote if request.POST.get("vote") == "down" else votes.question_upvote
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
