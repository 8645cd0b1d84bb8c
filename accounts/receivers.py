"""
Django's login signals, turned into audit lines (connected in AccountsConfig.ready).

`user_logged_in` fires for every login path (allauth's password and code
logins, the admin, a login after email confirmation); `user_login_failed`
for every failed password check, with the password already masked by
Django. The receivers only pass on what the services need.
"""

from accounts import services


def on_user_logged_in(sender, request, user, **kwargs):
    services.login_audit(user=user, path=request.path if request is not None else "")


def on_user_login_failed(sender, credentials, request=None, **kwargs):
    services.login_failed_audit(credentials=credentials, path=request.path if request is not None else "")
