from django.conf import settings
from django.utils.functional import SimpleLazyObject

from events import selectors
from events.organiser_selectors import event_latest_for_team
from events.public_cache import value_for_version


def site(request):
    """Values every page template may use."""
    return {
        "site_url": settings.SITE_URL,
        "privacy_contact": settings.PRIVACY_CONTACT,
        # The header's "Organisator" link: the latest event the person holds a right in (one query, on use).
        "backoffice_event": SimpleLazyObject(lambda: event_latest_for_team(user=request.user)),
    }


def _current_event_slug() -> str:
    def compute() -> str:
        event = selectors.event_get_current()
        return event.slug if event is not None and event.programme_published else ""

    return value_for_version("current-event-slug", compute)


def current_event(request):
    """
    `current_event_slug`: the current event for the menu's "Programma"; "" when no programme is public.

    Lazy, and kept per programme version: a page that does not show it, or
    shows it again, costs no query.
    """
    return {"current_event_slug": SimpleLazyObject(_current_event_slug)}
