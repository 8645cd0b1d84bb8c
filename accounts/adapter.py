from types import SimpleNamespace
from urllib.parse import urlparse

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import ratelimit
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from mail.services import outbox_enqueue


class AccountAdapter(DefaultAccountAdapter):
    """Site-specific allauth behaviour."""

    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "too_many_login_attempts": _(
            "Te vaak een verkeerd wachtwoord. Inloggen met een wachtwoord kan even niet. "
            "U kunt wel meteen inloggen met een code per e-mail: kies 'Stuur een aanmeldcode'."
        ),
    }

    def is_open_for_signup(self, request):
        return True

    def send_mail(self, template_prefix, email, context):
        """
        Send allauth's emails (codes, confirmations) through the outbox, so none is lost.

        The site has no `django.contrib.sites` row, so allauth's "Hallo van {site}!" would
        name nothing: the mails name the platform and the host of SITE_URL.
        """
        site = SimpleNamespace(name="Trialoog", domain=urlparse(settings.SITE_URL).netloc)
        outbox_enqueue(self.render_mail(template_prefix, email, {**context, "current_site": site}))

    def _address_key(self, request, credentials) -> str:
        login = credentials.get("email", credentials.get("username", "")).lower()
        return f"{login}@{self.get_client_ip(request)}"

    def pre_authenticate(self, request, **credentials):
        """
        Count a password attempt against the account at this address, besides allauth's own limits.

        The tight limit ("login_failed_from_address") is per account and client address,
        so someone failing a moderator's password on purpose only locks themselves out;
        allauth's "login_failed" keeps a high per-address limit (a venue shares one NAT)
        and a slower per-account limit against guessing from many addresses.
        """
        super().pre_authenticate(request, **credentials)
        if not ratelimit.consume(
            request, action="login_failed_from_address", key=self._address_key(request, credentials)
        ):
            raise self.validation_error("too_many_login_attempts")

    def authenticate(self, request, **credentials):
        """After the right password, forget this address's failures for the account."""
        user = super().authenticate(request, **credentials)
        if user is not None:
            ratelimit.clear(
                request, action="login_failed_from_address", key=self._address_key(request, credentials)
            )
        return user
