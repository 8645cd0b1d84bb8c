"""The programme as a time grid and a list, one session's page, and the personal agenda."""

import datetime as dt
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts import services as account_services
from events import selectors
from events.forms import ProgrammeFilterForm, SwapForm
from events.models import Room, Session
from events.public_cache import cache_public_page
from events.views.common import event_current_or_404


@dataclass
class GridCell:
    session: Session | None
    rowspan: int = 1


@dataclass
class GridRow:
    starts_at: dt.datetime
    cells: list[GridCell] = field(default_factory=list)


def programme_grid(sessions: list[Session]) -> tuple[list[Room], list[GridRow]]:
    """
    Lay sessions out as rows of start times × columns of rooms.

    A session that runs past the next start time spans those rows; the cells
    it covers are left out, as an HTML table with rowspan expects.
    """
    rooms = sorted({s.room_id: s.room for s in sessions}.values(), key=lambda r: (r.position, r.name))
    times = sorted({s.starts_at for s in sessions})
    starting = {(s.starts_at, s.room_id): s for s in sessions}
    covered: set[tuple[dt.datetime, int]] = set()
    rows = []
    for time in times:
        row = GridRow(starts_at=time)
        for room in rooms:
            if (time, room.pk) in covered:
                continue
            session = starting.get((time, room.pk))
            if session is None:
                row.cells.append(GridCell(session=None))
                continue
            spanned = [t for t in times if session.starts_at <= t < session.ends_at]
            covered.update((t, room.pk) for t in spanned[1:])
            row.cells.append(GridCell(session=session, rowspan=len(spanned)))
        rows.append(row)
    return rooms, rows


def _programme_context(request) -> dict:
    event = event_current_or_404()
    form = ProgrammeFilterForm(request.GET or None)
    kind = form.cleaned_data["soort"] if form.is_valid() else ""
    sessions = selectors.session_list_for_programme(event=event, kind=kind or None)
    mine = selectors.signups_by_session_for_user(user=request.user, event=event)
    for session in sessions:
        session.my_signup = mine.get(session.pk)
    return {"event": event, "form": form, "kind": kind, "sessions": sessions}


@cache_public_page()
def programme_grid_view(request):
    context = _programme_context(request)
    context["rooms"], context["rows"] = programme_grid(context["sessions"])
    return render(request, "events/programme_grid.html", context)


@cache_public_page()
def programme_list_view(request):
    return render(request, "events/programme_list.html", _programme_context(request))


@cache_public_page()
def session_detail(request, pk: int):
    session = selectors.session_get_for_detail(pk=pk)
    if session is None:
        raise Http404
    user = request.user
    signup = selectors.signup_active_get(user=user, session=session)
    clash = None if signup else selectors.signup_clash_get(user=user, session=session)
    counts = selectors.seat_counts_get(session=session)
    seat_for_me = counts.seat_for(user.perspective) if user.is_authenticated else None
    context = {
        "session": session,
        "event": session.event,
        "counts": counts,
        "signup": signup,
        "clash": clash,
        "seat_for_me": seat_for_me,
        "registered": selectors.registration_is_active(user=user, event=session.event),
        "swap_form": clash
        and SwapForm(initial={"from_session": clash.pk, "waitlist_ok": seat_for_me is None}),
    }
    return render(request, "events/session_detail.html", context)


@never_cache
@login_required
def agenda(request):
    event = selectors.event_get_current()
    context = {
        "event": event,
        "signups": selectors.agenda_for_user(user=request.user, event=event) if event else [],
        "feed_url": request.build_absolute_uri(reverse("agenda_feed", args=[request.user.calendar_token])),
    }
    return render(request, "events/agenda.html", context)


@require_POST
@login_required
def agenda_feed_rotate(request):
    account_services.calendar_token_rotate(user=request.user)
    messages.success(
        request,
        _(
            "Uw agenda heeft een nieuw adres. Het oude adres werkt niet meer: abonneer u opnieuw met dit adres."
        ),
    )
    return redirect("agenda")
