"""Pages: join by code, the room, the moderator console and the projector."""

import segno
from django.conf import settings
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from realtime import paging, ratelimit, selectors, snapshots
from realtime.forms import (
    ActionForm,
    NoteAddForm,
    PollCreateForm,
    ProjectorModeForm,
    QuestionAskForm,
)
from realtime.models import LiveRoom, Question
from realtime.permissions import is_moderator
from realtime.views.common import (
    PROJECTOR_TOP,
    _decorate,
    _page_data,
    _perspective_labels,
    _pinned,
    _room_for_code,
    _room_url,
    _sort,
    _sorted,
    _substance,
    room_view,
    snapshot_more,
    snapshot_totals,
)

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
@never_cache
@room_view()
def room(request, room: LiveRoom, role: str):
    snapshot = snapshots.room_snapshot(room=room, user=request.user, role=role, limits=paging.page_limits())
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
@never_cache
@room_view(moderator=True)
def console(request, room: LiveRoom, role: str):
    snapshot = snapshots.room_snapshot(room=room, user=request.user, role=role, limits=paging.page_limits())
    questions = _decorate(snapshot["questions"], snapshot)
    presence = snapshot["presence"]
    stats = [
        {"perspective": p, "label": label, **snapshot["stats"][p], "present": presence.get(p, 0)}
        for p, label in _perspective_labels().items()
    ]
    can_moderate = is_moderator(request.user, room)
    return render(
        request,
        "realtime/console.html",
        {
            "room": room,
            "can_moderate": can_moderate,
            "snapshot": snapshot,
            "questions": questions,
            "pending": list(reversed(_decorate(snapshot["pending"], snapshot))),
            "hidden": _decorate(snapshot["hidden"], snapshot),
            "pinned": _pinned(snapshot, questions),
            "stats": stats,
            "more": snapshot_more(snapshot),
            "totals": snapshot_totals(snapshot),
            # The secret projector link stays with those who run the room, not rapporteurs.
            "projector_url": request.build_absolute_uri(
                reverse("realtime:projector_token", args=[room.projector_token])
            )
            if can_moderate
            else "",
            "page_data": _page_data(snapshot=snapshot, page="console"),
            "poll_form": PollCreateForm(auto_id="poll-new-%s"),
            "action_form": ActionForm(auto_id="action-new-%s"),
            "projector_modes": ProjectorModeForm.base_fields["mode"].choices,
            **_substance(snapshot, moderator=True),
        },
    )


@require_GET
@room_view()
def room_more(request, room: LiveRoom, role: str):
    """
    One page of a room list as JSON, for "Meer laden": `?lijst=questions&na=<id>`.

    The same people as the room page may read it; the moderators' lists
    (pending, hidden) answer everyone else with 404, like the console.
    """
    after = request.GET.get("na") or None
    if after is not None and not (after.isdigit() and len(after) <= 12):
        return JsonResponse({"error": "invalid"}, status=400)
    # Each page counts as a room action: a script cannot walk the room's lists faster than a person acts.
    wait = ratelimit.room_action_hit(user_id=request.user.pk)
    if wait:
        response = JsonResponse({"error": "rate_limited", "retry_after": wait}, status=429)
        response["Retry-After"] = str(wait)
        return response
    page = snapshots.room_list_page(
        room=room,
        user=request.user,
        role=role,
        name=request.GET.get("lijst", ""),
        after=int(after) if after else None,
    )
    if page is None:
        raise Http404
    response = JsonResponse(page, json_dumps_params={"ensure_ascii": False, "separators": (",", ":")})
    # The person's own upvotes and questions are in it.
    response["Cache-Control"] = "private, no-store"
    return response


def _render_projector(request, room: LiveRoom):
    snapshot = snapshots.room_snapshot(room=room, user=None, role="projector", limits=paging.page_limits())
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
@never_cache
@room_view(moderator=True)
def projector(request, room: LiveRoom, role: str):
    # The page carries the secret projector link, which stays with those who run the room.
    if not is_moderator(request.user, room):
        raise Http404
    return _render_projector(request, room)


@require_GET
@never_cache
def projector_token(request, token: str):
    """The projector through the secret link: no login, only what the projector shows."""
    room = selectors.room_get_by_projector_token(token=token)
    if room is None:
        raise Http404
    return _render_projector(request, room)
