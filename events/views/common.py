"""Small helpers the event views share."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from events import selectors
from events.models import Event
from events.permissions import can_see_programme


def event_or_404(event_slug: str) -> Event:
    """The event of the URL's slug; 404 when there is none."""
    event = selectors.event_get_by_slug(slug=event_slug)
    if event is None:
        raise Http404
    return event


def programme_event_or_404(request, event_slug: str) -> Event:
    """
    The event of the URL's slug, when this visitor may see its programme.

    Until the programme is published only the event's team sees it;
    everyone else gets a 404, as if the pages did not exist yet.
    """
    event = event_or_404(event_slug)
    if not can_see_programme(request.user, event):
        raise Http404
    return event


def error_text(error: Exception) -> str:
    """A service's ValidationError or PermissionDenied as one line for the person."""
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or _("Dat mag niet.")


def redirect_back(request, *, default: str):
    """Redirect to the form's `next` when it is a path on this site, else to `default`."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(default)
