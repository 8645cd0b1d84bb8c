"""iCalendar files: the whole programme, one person's agenda, and the file attached to a confirmation."""

import datetime as dt
from collections.abc import Iterable

import icalendar
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from events.models import Session, SessionStatus
from events.schedule import session_guid
from trialoog.text import text_clean

PRODID = "-//Werk aan Uitvoering//Trialoog//NL"


def session_url(session: Session) -> str:
    return settings.SITE_URL + reverse(
        "event:session_detail", kwargs={"event_slug": session.event.slug, "pk": session.pk}
    )


def _vevent(session: Session, *, stamp: dt.datetime, tentative: bool) -> icalendar.Event:
    tz = session.event.tz
    vevent = icalendar.Event()
    vevent.add("uid", f"{session_guid(session)}@trialoog")
    vevent.add("dtstamp", stamp)
    vevent.add("dtstart", session.starts_at.astimezone(tz))
    vevent.add("dtend", session.ends_at.astimezone(tz))
    # iCalendar text may not hold control characters other than tab (RFC 5545, 3.3.11).
    vevent.add("summary", text_clean(session.title, multiline=False))
    location = session.room.name + (f", {session.event.venue}" if session.event.venue else "")
    vevent.add("location", text_clean(location, multiline=False))
    if session.description:
        vevent.add("description", text_clean(session.description))
    vevent.add("url", session_url(session))
    if session.status == SessionStatus.CANCELLED:
        vevent.add("status", "CANCELLED")
    else:
        vevent.add("status", "TENTATIVE" if tentative else "CONFIRMED")
    return vevent


def calendar_for_sessions(
    sessions: Iterable[Session], *, name: str = "", tentative: frozenset[int] = frozenset()
) -> bytes:
    """
    Render sessions as one VCALENDAR with Europe/Amsterdam times and their VTIMEZONE.

    Sessions whose pk is in `tentative` (waitlist places) are marked TENTATIVE,
    cancelled sessions CANCELLED.
    The sessions need their room and event loaded to avoid extra queries.
    """
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if name:
        cal.add("x-wr-calname", name)
    stamp = timezone.now().astimezone(dt.UTC).replace(microsecond=0)
    sessions = list(sessions)
    for session in sessions:
        cal.add_component(_vevent(session, stamp=stamp, tentative=session.pk in tentative))
    if sessions:
        # Transitions for a year either side are plenty, and far cheaper than 1970–2038.
        margin = dt.timedelta(days=366)
        cal.add_missing_timezones(
            first_date=min(s.starts_at for s in sessions).date() - margin,
            last_date=max(s.ends_at for s in sessions).date() + margin,
        )
    return cal.to_ical()
