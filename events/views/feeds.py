"""Machine-readable programme: iCalendar feeds and the frab/c3voc schedule."""

import json

from django.http import Http404, HttpResponse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from events import calendar, schedule, selectors
from events.models import SessionSignup
from events.public_cache import cache_public_page
from events.views.common import programme_event_or_404

ICS = "text/calendar; charset=utf-8"


def _feed_response(body, content_type: str, *, public: bool) -> HttpResponse:
    """
    A feed answer: kept by shared caches for five minutes when the programme is public.

    The team's preview of an unpublished programme is never stored, neither
    by a proxy nor by the public page cache (which skips `no-store` answers).
    """
    response = HttpResponse(body, content_type=content_type)
    if public:
        patch_cache_control(response, max_age=300, public=True)
    else:
        add_never_cache_headers(response)
        patch_cache_control(response, private=True)
    return response


@cache_public_page(everyone=True)
def schedule_ics(request, event_slug: str):
    """
    The whole public programme as iCalendar: drafts left out, cancelled sessions as STATUS:CANCELLED.

    A calendar that subscribed before a cancellation then shows it cancelled instead of silently losing it.
    """
    event = programme_event_or_404(request, event_slug)
    sessions = selectors.session_list_for_programme(event=event)
    body = calendar.calendar_for_sessions(sessions, name=event.name)
    response = _feed_response(body, ICS, public=event.programme_published)
    response["Content-Disposition"] = f'inline; filename="{event.acronym}.ics"'
    return response


@never_cache
def agenda_feed(request, token: str):
    """
    The personal agenda of every event behind its secret token; waitlist places show as tentative.

    Never stored by a cache: it names the person's sessions, and a rotated
    token must stop working at once. Its address has no event in it, so a
    calendar app keeps one subscription across the years.
    """
    user = selectors.user_get_by_calendar_token(token=token)
    if user is None:
        raise Http404
    signups = selectors.agenda_for_user(user=user)
    waiting = frozenset(s.session_id for s in signups if s.status == SessionSignup.Status.WAITLISTED)
    body = calendar.calendar_for_sessions(
        [s.session for s in signups], name=_("Mijn agenda – Trialoog"), tentative=waiting
    )
    return HttpResponse(body, content_type=ICS)


def _schedule_document(request, event_slug: str) -> tuple[dict, bool]:
    event = programme_event_or_404(request, event_slug)
    document = schedule.schedule_as_dict(
        event=event,
        sessions=selectors.session_list_for_schedule(event=event, public_only=True),
        rooms=list(event.rooms.all()),
    )
    return document, event.programme_published


@cache_public_page(everyone=True)
def schedule_json(request, event_slug: str):
    document, public = _schedule_document(request, event_slug)
    body = json.dumps(document, ensure_ascii=False, indent=2)
    return _feed_response(body, "application/json; charset=utf-8", public=public)


@cache_public_page(everyone=True)
def schedule_xml(request, event_slug: str):
    document, public = _schedule_document(request, event_slug)
    return _feed_response(schedule.schedule_as_xml(document), "application/xml; charset=utf-8", public=public)
