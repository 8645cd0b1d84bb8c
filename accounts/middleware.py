"""Session idle timeout and the second factor that staff must have."""

import re
import time

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from events.permissions import events_with_right
from trialoog.middleware import DATABASE_ERRORS, database_unavailable_response

LAST_SEEN_KEY = "trialoog_last_seen"
LOGGED_IN_AT_KEY = "trialoog_logged_in_at"


def session_mark_seen(sender, request, user, **kwargs) -> None:
    """At login, note the time in the session: the start of both clocks, so the first request writes nothing."""
    now = int(time.time())
    request.session[LAST_SEEN_KEY] = now
    request.session[LOGGED_IN_AT_KEY] = now


class SessionIdleTimeoutMiddleware:
    """
    End a logged-in session after SESSION_IDLE_TIMEOUT seconds without a request, or SESSION_ABSOLUTE_TIMEOUT after login.

    SESSION_COOKIE_AGE equals the timeout, so the session row and the cookie
    expire with it; each request that comes at least a tenth of the timeout
    (at most five minutes) after the last refresh stores the time again, which
    saves the session with a new expiry. So an active person stays logged in
    and the cost is one session write per few minutes, not one per request.
    Sits right after SessionMiddleware, before the user is looked up.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            self._check(request)
        except DATABASE_ERRORS as error:
            return database_unavailable_response(error)
        return self.get_response(request)

    @staticmethod
    def _check(request) -> None:
        if settings.SESSION_COOKIE_NAME in request.COOKIES and SESSION_KEY in request.session:
            timeout = settings.SESSION_IDLE_TIMEOUT
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN_KEY)
            logged_in_at = request.session.get(LOGGED_IN_AT_KEY, now)
            if (last_seen is not None and now - last_seen > timeout) or (
                now - logged_in_at > settings.SESSION_ABSOLUTE_TIMEOUT
            ):
                request.session.flush()
            elif last_seen is None or now - last_seen >= max(1, min(300, timeout // 10)):
                request.session[LAST_SEEN_KEY] = now


# Paths a person without a second factor still needs: logging in and out, setting up the
# second factor (all under /account/), static files, the health check and the language switch.
MFA_EXEMPT_PREFIXES = ("/account/", "/static/", "/healthz", "/taal/")
ORGANISER_PREFIXES = ("/organisator/", "/zaal/", "/verslag/", "/admin/")
# An event's back-office: /<event_slug>/organisator/...
BACKOFFICE_PATH = re.compile(r"^/[-a-zA-Z0-9_]+/organisator/")


class StaffMFARequiredMiddleware:
    """
    With REQUIRE_MFA_FOR_STAFF, send staff, superusers and organisers without a second factor to set one up.

    Staff and superusers are caught on every page (their flags cost no query);
    members of the organiser group (platform admins) without the staff flag on
    the organiser pages, the live rooms and the admin; and members of an
    event's team (anyone holding a right in some event) on the event
    back-offices, /<event>/organisator/. Other people's requests carry no
    extra query.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            must_set_up = settings.REQUIRE_MFA_FOR_STAFF and self._must_set_up(request)
        except DATABASE_ERRORS as error:
            return database_unavailable_response(error)
        if must_set_up:
            messages.warning(
                request,
                _(
                    "Als organisator of beheerder logt u in met twee stappen. "
                    "Stel eerst een tweede stap in: een app met codes of een beveiligingssleutel."
                ),
            )
            return redirect("mfa_index")
        return self.get_response(request)

    @staticmethod
    def _must_set_up(request) -> bool:
        user = request.user
        if not user.is_authenticated or request.path.startswith(MFA_EXEMPT_PREFIXES):
            return False
        backoffice = BACKOFFICE_PATH.match(request.path) is not None
        if not (
            user.is_staff
            or user.is_superuser
            or ((backoffice or request.path.startswith(ORGANISER_PREFIXES)) and user.is_organiser)
            or (backoffice and events_with_right(user).exists())
        ):
            return False
        return not is_mfa_enabled(user, [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN])
