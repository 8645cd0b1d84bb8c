"""The programme as a time grid and a list, one session's page, and the personal agenda."""

import datetime as dt
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts import services as account_services
from events import selectors
from events.forms import ProgrammeFilterForm, SwapForm
from events.models import Event, Room, Session, SessionStatus
from events.permissions import can_see_session, is_event_team
from events.public_cache import cache_public_page
from events.views.common import event_or_404, programme_event_or_404, redirect_back


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


@dataclass
class ProgrammeDay:
    """One day of the programme: its sessions and, for the grid, its rooms and rows."""

    date: dt.date
    sessions: list[Session]
    rooms: list[Room] = field(default_factory=list)
    rows: list[GridRow] = field(default_factory=list)


def programme_days(event: Event, sessions: list[Session]) -> list[ProgrammeDay]:
    """The sessions split per day of the event (in the event's time zone), in time order."""
    by_day: dict[dt.date, list[Session]] = {}
    for session in sessions:
        by_day.setdefault(session.starts_at.astimezone(event.tz).date(), []).append(session)
    return [ProgrammeDay(date=day, sessions=by_day[day]) for day in sorted(by_day)]


def _programme_context(request, event_slug: str) -> dict:
    event = programme_event_or_404(request, event_slug)
    form = ProgrammeFilterForm(request.GET or None)
    kind = form.cleaned_data["soort"] if form.is_valid() else ""
    sessions = selectors.session_list_for_visitor(user=request.user, event=event, kind=kind or None)
    mine = selectors.signups_by_session_for_user(user=request.user, event=event)
    for session in sessions:
        session.my_signup = mine.get(session.pk)
    return {
        "event": event,
        "form": form,
        "kind": kind,
        "sessions": sessions,
        "days": programme_days(event, sessions),
        # Already asked, and cached on the user, by programme_event_or_404.
        "team_preview": not event.programme_published and is_event_team(request.user, event),
    }


@cache_public_page()
def programme_grid_view(request, event_slug: str):
    context = _programme_context(request, event_slug)
    for day in context["days"]:
        day.rooms, day.rows = programme_grid(day.sessions)
    return render(request, "events/programme_grid.html", context)


@cache_public_page()
def programme_list_view(request, event_slug: str):
    return render(request, "events/programme_list.html", _programme_context(request, event_slug))


@cache_public_page()
def event_home(request, event_slug: str):
    """The event's own home: what, when, where, by whom, registration and a few sessions."""
    event = event_or_404(event_slug)
    context = {
        "event": event,
        "highlights": selectors.session_highlights(event=event),
        "registration_open": event.registration_is_open(),
        "registration": selectors.registration_get(user=request.user, event=event),
        "team_preview": not event.programme_published and is_event_team(request.user, event),
    }
    return render(request, "events/event_home.html", context)


@cache_public_page()
def session_detail(request, event_slug: str, pk: int):
    event = programme_event_or_404(request, event_slug)
    session = selectors.session_get_for_detail(pk=pk, event=event)
    if session is None or not can_see_session(request.user, session):
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
        "cancelled": session.status == SessionStatus.CANCELLED,
        "swap_form": clash
        and SwapForm(initial={"from_session": clash.pk, "waitlist_ok": seat_for_me is None}),
    }
    return render(request, "events/session_detail.html", context)


def _feed_url(request) -> str:
    return request.build_absolute_uri(reverse("agenda_feed", args=[request.user.calendar_token]))


@never_cache
@login_required
def agenda(request, event_slug: str):
    event = event_or_404(event_slug)
    context = {
        "event": event,
        "signups": selectors.agenda_for_user(user=request.user, event=event),
        "feed_url": _feed_url(request),
    }
    return render(request, "events/agenda.html", context)


@never_cache
@login_required
def my_registrations(request):
    """Mijn aanmeldingen: every event the person registered for, with their session places."""
    context = {
        "groups": selectors.registrations_for_user(user=request.user),
        "feed_url": _feed_url(request),
    }
    return render(request, "events/my_registrations.html", context)


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
    return redirect_back(request, default=reverse("my_registrations"))
