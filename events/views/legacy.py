"""
The root addresses from before every event had its own pages, kept for one release.

Printed QR codes, bookmarks and calendar subscriptions point at /programma/,
/aanmelding/, /agenda/ and /schedule.*. They answer with a temporary redirect
(302) to the same page of the current event: "the current event" moves on
every year, and a permanent redirect would be remembered by browsers and
feed readers and keep them on last year's event. An old session address
points at one session of one event for good, so it answers with a permanent
redirect (301) to that session's page under its own event.
"""

from django.http import Http404, HttpResponsePermanentRedirect, HttpResponseRedirect
from django.urls import reverse

from events import selectors


def _with_query(request, url: str) -> str:
    query = request.META.get("QUERY_STRING", "")
    return f"{url}?{query}" if query else url


def to_current(name: str):
    """A view that redirects (302) to the page `event:<name>` of the current event; 404 without events."""

    def view(request):
        event = selectors.event_get_current()
        if event is None:
            raise Http404
        return HttpResponseRedirect(
            _with_query(request, reverse(f"event:{name}", kwargs={"event_slug": event.slug}))
        )

    view.__name__ = view.__qualname__ = f"legacy_{name}"
    view.__doc__ = f"The old root address of `event:{name}`: a temporary redirect to the current event's."
    return view


def session_detail(request, pk: int):
    """The old /programma/sessie/<pk>/: a permanent redirect to the session under its own event."""
    slug = selectors.session_get_event_slug(pk=pk)
    if slug is None:
        raise Http404
    url = reverse("event:session_detail", kwargs={"event_slug": slug, "pk": pk})
    return HttpResponsePermanentRedirect(_with_query(request, url))
