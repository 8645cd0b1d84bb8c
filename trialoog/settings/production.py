"""Production settings: PostgreSQL, Redis, HTTPS. Refuses to start without a real SECRET_KEY."""

import os

from django.core.exceptions import ImproperlyConfigured

from trialoog.env import database_pool, env_bool, outbox_key, required_url

from .base import *  # noqa: F403

DEBUG = False

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith(("dev-", "django-insecure")) or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of at least 50 characters in production."
    )
OUTBOX_KEY = outbox_key(os.environ.get("OUTBOX_KEY", ""), secret_key=SECRET_KEY, required=True)

# Links in emails, calendar feeds and QR codes, and the security.txt contact, must be this site's own.
SITE_URL = required_url("SITE_URL", schemes=("https", "http")).rstrip("/")
SECURITY_CONTACT = required_url("SECURITY_CONTACT", schemes=("mailto", "https"))

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
# Database connections come from one psycopg pool per worker process (Django's native pool).
# Under ASGI every request runs in a fresh thread, so per-thread persistent connections
# (CONN_MAX_AGE) were opened anew for almost every request and ran PostgreSQL out of
# max_connections under load. The pool lends at most DB_POOL_MAX_SIZE connections per worker;
# a request that finds them all busy waits up to DB_POOL_TIMEOUT seconds instead of failing.
# Django requires CONN_MAX_AGE = 0 with a pool: "closing" a connection returns it to the pool.
# Sizing: WEB_CONCURRENCY x DB_POOL_MAX_SIZE <= PostgreSQL max_connections minus headroom (README).
CONN_MAX_AGE = 0
CONN_HEALTH_CHECKS = True
for _database in DATABASES.values():  # noqa: F405
    _database["CONN_MAX_AGE"] = 0
    _database["CONN_HEALTH_CHECKS"] = True
    if _database["ENGINE"] == "django.db.backends.postgresql":
        _database.setdefault("OPTIONS", {})["pool"] = database_pool(
            min_size=DB_POOL_MIN_SIZE,  # noqa: F405
            max_size=DB_POOL_MAX_SIZE,  # noqa: F405
            timeout=DB_POOL_TIMEOUT,  # noqa: F405
        )

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
