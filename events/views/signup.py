"""One-click sign-up, cancel and swap: plain POST forms that call one service each."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from events.forms import SwapForm
from events.models import Session, SessionSignup
from events.services import signup as signup_services
from events.views.common import error_text, event_or_404, redirect_back


def _report(request, signup: SessionSignup) -> None:
    if signup.status == SessionSignup.Status.CONFIRMED:
        messages.success(
            request, _("U bent ingeschreven voor “%(title)s”.") % {"title": signup.session.title}
        )
    else:
        messages.warning(
            request,
            _("“%(title)s” is vol. U staat op de wachtlijst op plaats %(position)s.")
            % {"title": signup.session.title, "position": signup.waitlist_position},
        )


def _run(request, event_slug: str, pk: int, action) -> object:
    """
    Run one sign-up action on a session of the URL's event, then go back.

    The services decide who may sign up for what (a draft or an unpublished
    programme only for the team); a session of another event is a 404.
    """
    event = event_or_404(event_slug)
    session = get_object_or_404(Session.objects.select_related("event", "room"), pk=pk, event=event)
    detail = reverse("event:session_detail", kwargs={"event_slug": event.slug, "pk": pk})
    if not request.user.is_authenticated:
        return redirect_to_login(detail)
    try:
        action(session)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, error_text(error))
    return redirect_back(request, default=detail)


@require_POST
def session_signup(request, event_slug: str, pk: int):
    return _run(
        request,
        event_slug,
        pk,
        lambda session: _report(request, signup_services.signup_create(user=request.user, session=session)),
    )


@require_POST
def session_cancel(request, event_slug: str, pk: int):
    def cancel(session):
        if signup_services.signup_cancel(user=request.user, session=session):
            messages.success(request, _("U bent afgemeld voor “%(title)s”.") % {"title": session.title})

    return _run(request, event_slug, pk, cancel)


@require_POST
def session_swap(request, event_slug: str, pk: int):
    def swap(session):
        form = SwapForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("Kies de sessie die u wilt ruilen."), code="invalid")
        signup = signup_services.signup_swap(
            user=request.user,
            from_session=form.cleaned_data["from_session"],
            to_session=session,
            waitlist_ok=form.cleaned_data["waitlist_ok"],
        )
        _report(request, signup)

    return _run(request, event_slug, pk, swap)
