"""Production settings: PostgreSQL, Redis, HTTPS. Refuses to start without a real SECRET_KEY."""

import os

from django.core.exceptions import ImproperlyConfigured

from trialoog.env import env_bool, outbox_key

from .base import *  # noqa: F403

DEBUG = False

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith(("dev-", "django-insecure")) or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of at least 50 characters in production."
    )
OUTBOX_KEY = outbox_key(os.environ.get("OUTBOX_KEY", ""), secret_key=SECRET_KEY, required=True)

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "trialoog.storage.StaticFilesStorage"},
}

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# __Host- cookies are only accepted by browsers when Secure, for Path=/ and without a Domain,
# so no other host under the same domain can set or overwrite them.
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
REQUIRE_MFA_FOR_STAFF = env_bool("REQUIRE_MFA_FOR_STAFF", True)
LANGUAGE_COOKIE_SECURE = True
# Opening a PostgreSQL connection costs ~11 ms; keep them (health-checked) between requests and room actions.
CONN_MAX_AGE = int(os.environ.get("CONN_MAX_AGE", "60"))
for _database in DATABASES.values():  # noqa: F405
    _database["CONN_MAX_AGE"] = CONN_MAX_AGE
CONN_HEALTH_CHECKS = True
for _database in DATABASES.values():  # noqa: F405
    _database["CONN_HEALTH_CHECKS"] = True

# One line per request on stdout: method, path with secrets redacted, status, duration; no query
# string, address or user (trialoog.middleware.RequestLogMiddleware). First, so it times everything.
MIDDLEWARE = ["trialoog.middleware.RequestLogMiddleware", *MIDDLEWARE]  # noqa: F405
LOGGING = {
    **LOGGING,  # noqa: F405
    "formatters": {"request": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        **LOGGING["handlers"],  # noqa: F405
        "stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "request"},
    },
    "loggers": {
        **LOGGING["loggers"],  # noqa: F405
        "trialoog.requests": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
    },
}
