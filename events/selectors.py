"""Read-only queries for the programme."""

from events.models import Event


def event_get_current() -> Event | None:
    """Return the event the site is about: the next one, or else the latest."""
    return Event.objects.order_by("-date").first()
