from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """Site-specific allauth behaviour."""

    def is_open_for_signup(self, request):
        return True
