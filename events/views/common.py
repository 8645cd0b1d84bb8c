"""Small helpers the event views share."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _

from events import selectors
from events.models import Event


def event_current_or_404() -> Event:
    """The current event; 404 when there is none yet."""
    event = selectors.event_get_current()
    if event is None:
        raise Http404
    return event


def error_text(error: Exception) -> str:
    """A service's ValidationError or PermissionDenied as one line for the person."""
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or _("Dat mag niet.")
