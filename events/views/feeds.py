"""Machine-readable programme: iCalendar feeds and the frab/c3voc schedule."""

import json

from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache

from events import calendar, schedule, selectors
from events.models import SessionSignup
from events.public_cache import cache_public_page
from events.views.common import event_current_or_404

ICS = "text/calendar; charset=utf-8"


@cache_control(max_age=300, public=True)
@cache_public_page(everyone=True)
def schedule_ics(request):
    event = event_current_or_404()
    sessions = selectors.session_list_for_programme(event=event)
    body = calendar.calendar_for_sessions(sessions, name=event.name)
    response = HttpResponse(body, content_type=ICS)
    response["Content-Disposition"] = f'inline; filename="{event.acronym}.ics"'
    return response


@never_cache
def agenda_feed(request, token: str):
    """
    The personal agenda behind its secret token; waitlist places show as tentative.

    Never stored by a cache: it names the person's sessions, and a rotated
    token must stop working at once.
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


def _schedule_document() -> dict:
    event = event_current_or_404()
    return schedule.schedule_as_dict(
        event=event,
        sessions=selectors.session_list_for_schedule(event=event),
        rooms=list(event.rooms.all()),
    )


@cache_control(max_age=300, public=True)
@cache_public_page(everyone=True)
def schedule_json(request):
    body = json.dumps(_schedule_document(), ensure_ascii=False, indent=2)
    return HttpResponse(body, content_type="application/json; charset=utf-8")


@cache_control(max_age=300, public=True)
@cache_public_page(everyone=True)
def schedule_xml(request):
    return HttpResponse(
        schedule.schedule_as_xml(_schedule_document()), content_type="application/xml; charset=utf-8"
    )
