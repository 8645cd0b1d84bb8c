"""One-click sign-up, cancel and swap: plain POST forms that call one service each."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from events.forms import SwapForm
from events.models import Session, SessionSignup
from events.services import signup as signup_services
from events.views.common import error_text


def _back(request, session: Session):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("session_detail", pk=session.pk)


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


def _run(request, pk: int, action) -> object:
    session = get_object_or_404(Session.objects.select_related("event"), pk=pk)
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("session_detail", args=[pk]))
    try:
        action(session)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, error_text(error))
    return _back(request, session)


@require_POST
def session_signup(request, pk: int):
    return _run(
        request,
        pk,
        lambda session: _report(request, signup_services.signup_create(user=request.user, session=session)),
    )


@require_POST
def session_cancel(request, pk: int):
    def cancel(session):
        if signup_services.signup_cancel(user=request.user, session=session):
            messages.success(request, _("U bent afgemeld voor “%(title)s”.") % {"title": session.title})

    return _run(request, pk, cancel)


@require_POST
def session_swap(request, pk: int):
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

    return _run(request, pk, swap)
