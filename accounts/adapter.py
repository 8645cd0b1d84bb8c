from allauth.account.adapter import DefaultAccountAdapter

from trialoog.mail import outbox_enqueue


class AccountAdapter(DefaultAccountAdapter):
    """Site-specific allauth behaviour."""

    def is_open_for_signup(self, request):
        return True

    def send_mail(self, template_prefix, email, context):
        """Send allauth's emails (codes, confirmations) through the outbox, so none is lost."""
        outbox_enqueue(self.render_mail(template_prefix, email, context))
