"""The attendee's registration for one event: see it, register, cancel."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from events import selectors
from events.services import registration as registration_services
from events.views.common import error_text, event_or_404


@never_cache
@login_required
def registration(request, event_slug: str):
    event = event_or_404(event_slug)
    return render(
        request,
        "events/registration.html",
        {
            "event": event,
            "registration": selectors.registration_get(user=request.user, event=event),
            "registration_open": event.registration_is_open(),
        },
    )


@require_POST
@login_required
def registration_create(request, event_slug: str):
    event = event_or_404(event_slug)
    here = reverse("event:registration", kwargs={"event_slug": event.slug})
    try:
        registration_services.registration_create(user=request.user, event=event)
    except ValidationError as error:
        messages.error(request, error_text(error))
        if error.code == "profile_incomplete":
            return redirect(f"{reverse('accounts:profile')}?next={here}")
    except PermissionDenied as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("U bent aangemeld. U krijgt een bevestiging per e-mail."))
    return redirect(here)


@require_POST
@login_required
def registration_cancel(request, event_slug: str):
    event = event_or_404(event_slug)
    registration_services.registration_cancel(user=request.user, event=event)
    messages.success(request, _("U bent afgemeld. Uw plaatsen in sessies zijn vrijgegeven."))
    return redirect("event:registration", event_slug=event.slug)
