from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        # Imported once the app registry is ready: the receivers use the models.
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from accounts import receivers
        from accounts.middleware import session_mark_seen

        user_logged_in.connect(session_mark_seen, dispatch_uid="accounts.session_mark_seen")
        user_logged_in.connect(receivers.on_user_logged_in, dispatch_uid="accounts.audit.login")
        user_login_failed.connect(receivers.on_user_login_failed, dispatch_uid="accounts.audit.login_failed")
