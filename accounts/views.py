import json

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts import services
from accounts.forms import DeleteAccountForm, KamerlidInvitationForm, ProfileForm
from accounts.models import KamerlidInvitation


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


@never_cache
@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_update(user=request.user, data=form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Uw profiel is opgeslagen."))
            return redirect(request.GET.get("next") if _safe_next(request) else "my_registrations")
    return render(request, "accounts/profile.html", {"form": form})


def _safe_next(request) -> bool:
    target = request.GET.get("next")
    return bool(target) and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})


@never_cache
@login_required
def privacy_overview(request):
    return render(request, "accounts/privacy.html")


@never_cache
@login_required
@reauthentication_required
def data_download(request):
    data = services.user_data_download(user=request.user)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="mijn-gegevens-{timezone.now():%Y%m%d}.json"'
    return response


@require_POST
@login_required
def logout_everywhere(request):
    services.user_sessions_end(user=request.user)
    logout(request)
    messages.success(request, _("U bent overal uitgelogd, ook op uw andere apparaten."))
    return redirect("home")


@never_cache
@login_required
@reauthentication_required(allow_get=True)
def account_delete(request):
    form = DeleteAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        services.user_delete(user=user)
        messages.success(
            request, _("Uw account is verwijderd. Uw bijdragen blijven bestaan, zonder uw naam.")
        )
        return redirect("home")
    return render(request, "accounts/delete.html", {"form": form})


@never_cache
def invitation_accept(request, token: str):
    invitation = services.kamerlid_invitation_get(token=token)
    if invitation is None:
        return render(
            request, "accounts/invitation.html", {"problem": _("Deze uitnodiging bestaat niet.")}, status=404
        )
    if not request.user.is_authenticated:
        return render(request, "accounts/invitation.html", {"invitation": invitation, "needs_login": True})
    if request.method == "POST":
        try:
            services.kamerlid_invitation_accept(user=request.user, token=token)
        except ValidationError as error:
            return render(request, "accounts/invitation.html", {"problem": _error_text(error)}, status=400)
        messages.success(request, _("U bent nu bekend als Kamerlid. Uw vragen krijgen het Kamerlid-kenmerk."))
        return redirect("accounts:profile")
    return render(request, "accounts/invitation.html", {"invitation": invitation})


@never_cache
@login_required
def invitations(request):
    if not request.user.is_organiser:
        raise Http404
    form = KamerlidInvitationForm(request.POST or None)
    new_link = None
    if request.method == "POST" and form.is_valid():
        invitation, token = services.kamerlid_invitation_create(
            actor=request.user, email=form.cleaned_data["email"]
        )
        new_link = request.build_absolute_uri(f"/kamerlid/uitnodiging/{token}/")
        messages.success(
            request, _("De uitnodiging is verstuurd naar %(email)s.") % {"email": invitation.email}
        )
        form = KamerlidInvitationForm()
    return render(
        request,
        "accounts/invitations.html",
        {"form": form, "new_link": new_link, "invitations": KamerlidInvitation.objects.all()[:100]},
    )
