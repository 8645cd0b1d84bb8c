"""
An event's back-office (/<event>/organisator/...): settings, rooms, sessions, their team, clone, import.

Every page answers 404 to whoever holds no right in the event, and every
write calls one service, which checks the right itself; a PermissionDenied
from it becomes a 404 too, so event A's team learns nothing about event B.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.models import User
from events import organiser_selectors as selectors
from events.models import Room, Session
from events.organiser_forms import (
    CloneForm,
    EventForm,
    ImportForm,
    InviteForm,
    PersonSearchForm,
    PhasesForm,
    RoomForm,
    SessionForm,
    TeamChangeForm,
    errors_onto,
)
from events.permissions import Right, can, event_rights
from events.services import clone as clone_services
from events.services import programme as services
from events.services import programme_csv
from events.services import session_team as team_services
from events.views.common import error_text
from realtime.models import Phase


def backoffice(view):
    """Log in, find the event among those the person holds a right in (else 404), turn PermissionDenied into 404."""

    @wraps(view)
    @never_cache
    @login_required
    def wrapper(request, event_slug: str, **kwargs):
        event = selectors.event_get_for_team(slug=event_slug, user=request.user)
        if event is None:
            raise Http404
        try:
            return view(request, event, **kwargs)
        except PermissionDenied:
            raise Http404 from None

    return wrapper


def _programme(request, event) -> None:
    """Pages that only show a form to change the programme are hidden without that right."""
    if not can(request.user, Right.PROGRAMME, event):
        raise Http404


def _session(event, pk: int) -> Session:
    return get_object_or_404(Session.objects.select_related("event", "room"), pk=pk, event=event)


# --- the event ------------------------------------------------------------------------


@backoffice
def overview(request, event):
    rights = event_rights(request.user, event)
    return render(
        request,
        "events/organiser/overview.html",
        {
            "event": event,
            "rights": rights,
            "right": Right,
            "sessions": selectors.session_list_for_organiser(event=event),
            "can_edit": Right.PROGRAMME in rights,
        },
    )


@backoffice
def event_edit(request, event):
    _programme(request, event)
    form = EventForm(request.POST or None, instance=event)
    if request.method == "POST" and form.is_valid():
        try:
            services.event_update(user=request.user, event=event, data=form.cleaned_data)
        except ValidationError as error:
            errors_onto(form, error)
        else:
            messages.success(request, _("De instellingen zijn opgeslagen."))
            return redirect("organiser:event_edit", event_slug=event.slug)
    return render(request, "events/organiser/event_form.html", {"event": event, "form": form})


@require_POST
@backoffice
def event_publish(request, event):
    published = request.POST.get("published") == "1"
    services.event_publish_set(user=request.user, event=event, published=published)
    if published:
        messages.success(request, _("Het programma is gepubliceerd: iedereen ziet het nu."))
    else:
        messages.success(request, _("Het programma is niet meer openbaar: alleen het team ziet het nog."))
    return redirect("organiser:overview", event_slug=event.slug)


# --- rooms ----------------------------------------------------------------------------------


@backoffice
def rooms(request, event):
    _programme(request, event)
    form = RoomForm(request.POST or None, initial={"position": 0})
    if request.method == "POST" and form.is_valid():
        try:
            room = services.room_save(user=request.user, event=event, data=form.cleaned_data)
        except ValidationError as error:
            errors_onto(form, error)
        else:
            messages.success(request, _("De zaal “%(name)s” is toegevoegd.") % {"name": room.name})
            return redirect("organiser:rooms", event_slug=event.slug)
    return render(
        request,
        "events/organiser/rooms.html",
        {"event": event, "form": form, "rooms": selectors.room_list_for_organiser(event=event)},
    )


@backoffice
def room_edit(request, event, room_pk: int):
    _programme(request, event)
    room = get_object_or_404(Room, pk=room_pk, event=event)
    form = RoomForm(request.POST or None, instance=room)
    if request.method == "POST" and form.is_valid():
        try:
            services.room_save(user=request.user, event=event, room=room, data=form.cleaned_data)
        except ValidationError as error:
            errors_onto(form, error)
        else:
            messages.success(request, _("De zaal is opgeslagen."))
            return redirect("organiser:rooms", event_slug=event.slug)
    return render(request, "events/organiser/room_form.html", {"event": event, "form": form, "room": room})


@require_POST
@backoffice
def room_delete(request, event, room_pk: int):
    room = get_object_or_404(Room, pk=room_pk, event=event)
    try:
        services.room_delete(user=request.user, room=room)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("De zaal is verwijderd."))
    return redirect("organiser:rooms", event_slug=event.slug)


# --- sessions -------------------------------------------------------------------------------


@backoffice
def sessions(request, event):
    return render(
        request,
        "events/organiser/sessions.html",
        {
            "event": event,
            "sessions": selectors.session_list_for_organiser(event=event),
            "can_edit": can(request.user, Right.PROGRAMME, event),
        },
    )


def _session_form_page(request, event, *, session=None, source=None):
    """Create (session None), edit, or duplicate (`source`): one form, one service call, the clash check in it."""
    _programme(request, event)
    original = session or source
    initial = SessionForm.initial_for(original) if original else {"day": event.date.isoformat()}
    if source is not None:
        initial["title"] = _("%(title)s (kopie)") % {"title": source.title}
        initial["status"] = "draft"
    form = SessionForm(request.POST or None, event=event, initial=initial)
    if request.method == "POST" and form.is_valid():
        themes = form.cleaned_data["themes"]
        try:
            if source is not None:
                saved = services.session_duplicate(
                    user=request.user, source=source, data=form.session_data(), themes=themes
                )
            else:
                saved = services.session_save(
                    user=request.user, event=event, session=session, data=form.session_data(), themes=themes
                )
        except ValidationError as error:
            errors_onto(form, error)
        else:
            messages.success(request, _("De sessie “%(title)s” is opgeslagen.") % {"title": saved.title})
            return redirect("organiser:session_edit", event_slug=event.slug, pk=saved.pk)
    return render(
        request,
        "events/organiser/session_form.html",
        {"event": event, "form": form, "session": session, "source": source},
    )


@backoffice
def session_create(request, event):
    return _session_form_page(request, event)


@backoffice
def session_edit(request, event, pk: int):
    return _session_form_page(request, event, session=_session(event, pk))


@backoffice
def session_duplicate(request, event, pk: int):
    return _session_form_page(request, event, source=_session(event, pk))


@backoffice
def session_cancel(request, event, pk: int):
    _programme(request, event)
    session = _session(event, pk)
    if request.method == "POST":
        try:
            emailed = services.session_cancel(user=request.user, session=session)
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(
                request,
                _("“%(title)s” is geannuleerd. %(count)d ingeschreven mensen krijgen een e-mail.")
                % {"title": session.title, "count": emailed},
            )
        return redirect("organiser:sessions", event_slug=event.slug)
    signups = session.signups.filter(status__in=("confirmed", "waitlisted")).count()
    return render(
        request,
        "events/organiser/session_cancel.html",
        {"event": event, "session": session, "signups": signups},
    )


@backoffice
def session_phases(request, event, pk: int):
    _programme(request, event)
    session = _session(event, pk)
    current = "\n".join(
        f"{p.title} | {p.prompt}" if p.prompt else p.title
        for p in Phase.objects.filter(room__session=session)
    )
    form = PhasesForm(request.POST or None, initial={"phases": current})
    if request.method == "POST" and form.is_valid():
        try:
            services.session_phases_set(
                user=request.user, session=session, phases=services.phases_parse(form.cleaned_data["phases"])
            )
        except ValidationError as error:
            errors_onto(form, error)
        else:
            messages.success(request, _("De fases zijn opgeslagen."))
            return redirect("organiser:session_edit", event_slug=event.slug, pk=session.pk)
    return render(
        request, "events/organiser/session_phases.html", {"event": event, "session": session, "form": form}
    )


# --- the session's moderators and rapporteurs -----------------------------------------------


@backoffice
def session_team(request, event, pk: int):
    _programme(request, event)
    return _team_page(request, event, _session(event, pk), InviteForm())


def _team_page(request, event, session, invite_form):
    search = PersonSearchForm(request.GET or None)
    results = (
        selectors.session_team_search(event=event, query=search.cleaned_data["q"])
        if search.is_valid()
        else []
    )
    return render(
        request,
        "events/organiser/session_team.html",
        {
            "event": event,
            "session": session,
            "search": search,
            "results": results,
            "moderators": list(session.moderators.all()),
            "rapporteurs": list(session.rapporteurs.all()),
            "invitations": selectors.session_team_invitations_open(session=session),
            "invite_form": invite_form,
        },
    )


TEAM_CHANGES = {
    "add": (team_services.session_team_add, _lazy("%(name)s is toegevoegd.")),
    "remove": (team_services.session_team_remove, _lazy("%(name)s is verwijderd.")),
}


@require_POST
@backoffice
def session_team_change(request, event, pk: int, change: str):
    """Add (change "add") or remove ("remove") a moderator or rapporteur: one service call."""
    session = _session(event, pk)
    form = TeamChangeForm(request.POST)
    if not form.is_valid():
        raise Http404
    person = get_object_or_404(User, pk=form.cleaned_data["person"])
    service, done = TEAM_CHANGES[change]
    try:
        service(user=request.user, session=session, person=person, role=form.cleaned_data["role"])
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, done % {"name": person})
    return redirect("organiser:session_team", event_slug=event.slug, pk=session.pk)


@require_POST
@backoffice
def session_team_invite(request, event, pk: int):
    session = _session(event, pk)
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            invitation = team_services.session_team_invite(
                user=request.user, session=session, **form.cleaned_data
            )
        except ValidationError as error:
            errors_onto(form, error)
        else:
            if invitation is None:
                messages.success(request, _("Dit adres heeft al een account: de persoon is toegevoegd."))
            else:
                messages.success(
                    request, _("De uitnodiging is verstuurd naar %(email)s.") % {"email": invitation.email}
                )
            return redirect("organiser:session_team", event_slug=event.slug, pk=session.pk)
    return _team_page(request, event, session, form)


# --- clone, import, export ------------------------------------------------------------------


@backoffice
def event_clone(request, event):
    _programme(request, event)
    initial = {
        "name": event.name,
        "acronym": event.acronym,
        "date": event.date.replace(year=event.date.year + 1),
    }
    form = CloneForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            clone = clone_services.event_clone(user=request.user, source=event, **form.cleaned_data)
        except ValidationError as error:
            errors_onto(form, error)
        else:
            messages.success(
                request,
                _(
                    "“%(name)s” is gemaakt. Alle sessies staan als concept klaar; het programma is nog niet openbaar."
                )
                % {"name": clone.name},
            )
            return redirect("organiser:overview", event_slug=clone.slug)
    return render(
        request,
        "events/organiser/clone.html",
        {
            "event": event,
            "form": form,
            "sessions": Session.objects.filter(event=event).exclude(status="cancelled").count(),
        },
    )


@backoffice
def programme_import(request, event):
    _programme(request, event)
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = programme_csv.programme_csv_import(
            user=request.user, event=event, text=form.cleaned_data["file"]
        )
        if not result.errors:
            messages.success(
                request,
                _("Het programma is ingelezen: %(created)d sessies nieuw, %(updated)d bijgewerkt.")
                % {"created": result.created, "updated": result.updated},
            )
            return redirect("organiser:sessions", event_slug=event.slug)
    return render(
        request,
        "events/organiser/import.html",
        {"event": event, "form": form, "result": result, "columns": programme_csv.COLUMNS},
    )


@backoffice
def programme_export(request, event):
    response = HttpResponse(
        programme_csv.programme_csv_export(event=event), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="programma-{event.slug}.csv"'
    return response
