"""Settings shared by every environment. Everything that varies comes from the environment."""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from trialoog.env import (
    channel_layers,
    email_settings,
    env_bool,
    env_int,
    env_list,
    outbox_key,
    public_caches,
    ratelimit_cache,
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-insecure-key-change-me")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "accounts",
    "events",
    "realtime",
    "reports",
    "mail",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "trialoog.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "accounts.middleware.SessionIdleTimeoutMiddleware",
    "trialoog.middleware.LanguageChoiceMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "trialoog.middleware.NoStoreForPeopleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.StaffMFARequiredMiddleware",
    "trialoog.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "trialoog.urls"
ASGI_APPLICATION = "trialoog.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "events.context_processors.site",
                "reports.context_processors.team_sessions",
                "events.context_processors.current_event",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite ignores select_for_update; taking the write lock at BEGIN serialises sign-ups instead.
    DATABASES["default"].setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Production lends connections from a pool per worker process (settings/production.py, README).
DB_POOL_MIN_SIZE = env_int("DB_POOL_MIN_SIZE", 2, minimum=0)
DB_POOL_MAX_SIZE = env_int("DB_POOL_MAX_SIZE", 10)
DB_POOL_TIMEOUT = float(os.environ.get("DB_POOL_TIMEOUT", "30"))
# Threads of the event loop's default executor, where the live rooms' database work runs
# (realtime/threads.py; daphne reads the same variable). Each holds at most one
# connection at a time, so more threads than pooled connections would only queue at the pool.
ASGI_THREADS = env_int("ASGI_THREADS", DB_POOL_MAX_SIZE)

REDIS_URL = os.environ.get("REDIS_URL") or None
CHANNEL_LAYERS = channel_layers(REDIS_URL)
# The live rooms' fan-out (realtime/live/fanout.py): one PUBLISH per frame, one SUBSCRIBE per room and
# process, on channels named FANOUT_PREFIX + group. Without Redis this process is the whole world.
FANOUT_REDIS_URL = REDIS_URL
FANOUT_PREFIX = "trialoog:fanout:"
# allauth's login rate limits must hold across processes and survive a Redis
# outage, so the cache lives in the database (`manage.py createcachetable`).
# The room-action rate limit has its own cache, never the database: it would
# keep who acted when next to the votes (docs/privacy-of-opinions.md).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "trialoog_cache"},
    "ratelimit": ratelimit_cache(REDIS_URL),
    **public_caches(REDIS_URL),
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "accounts.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# django-allauth: email is the login; verification is mandatory.
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Trialoog] "
# Login limits that work at a venue, where hundreds of people share one NAT address: the
# per-address limits are high, the tight failure limit is per account *and* address (see
# accounts.adapter), and a slower per-account limit stops guessing spread over many addresses.
# Hitting a password limit never blocks the login by code (docs/security/auth.md).
ACCOUNT_RATE_LIMITS = {
    "login": "300/m/ip",
    "login_failed": "100/m/ip,30/h/key",
    "login_failed_from_address": "5/5m/key",
    "signup": "100/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "100/m/ip,5/m/key",
    "request_login_code": "200/m/ip,3/m/key",
    "reauthenticate": "10/m/user",
}
# uvicorn (--proxy-headers, FORWARDED_ALLOW_IPS) already puts the client behind a trusted proxy in
# REMOTE_ADDR; allauth must not read X-Forwarded-For again, which any client can write.
ALLAUTH_TRUSTED_PROXY_COUNT = 0
# Re-authentication (password, code or second factor) holds for five minutes before "download my
# data" or "delete my account" asks again.
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
# Email the person when their password, email address or second factor changes.
ACCOUNT_EMAIL_NOTIFICATIONS = True

# Second factor (allauth.mfa): an authenticator app (TOTP) or a security key / passkey (WebAuthn),
# with recovery codes. Anyone may turn it on at /account/2fa/; with REQUIRE_MFA_FOR_STAFF,
# organisers and superusers must (accounts.middleware.StaffMFARequiredMiddleware).
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_TOTP_ISSUER = "Trialoog"
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = env_bool("MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN", False)
REQUIRE_MFA_FOR_STAFF = env_bool("REQUIRE_MFA_FOR_STAFF", False)

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Nederlands")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

globals().update(email_settings(os.environ.get("EMAIL_URL")))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Trialoog <noreply@example.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Only strictly necessary cookies: session, CSRF and the language choice.
# A session ends after this many seconds without a request (accounts.middleware.SessionIdleTimeoutMiddleware).
SESSION_IDLE_TIMEOUT = int(os.environ.get("SESSION_IDLE_TIMEOUT", str(8 * 60 * 60)))
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT
# However active, a person logs in again this long after their login (ASVS 3.3.2: 12 hours).
SESSION_ABSOLUTE_TIMEOUT = int(os.environ.get("SESSION_ABSOLUTE_TIMEOUT", str(12 * 60 * 60)))
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# The lens: no figure is published for fewer people of one perspective than this (docs/privacy-of-opinions.md).
LENS_MIN_GROUP = max(2, int(os.environ.get("LENS_MIN_GROUP", "3")))
# Open sockets one person may have in one live room (tabs, phone and laptop); the next is refused (4429).
ROOM_MAX_SOCKETS_PER_PERSON = max(1, int(os.environ.get("ROOM_MAX_SOCKETS_PER_PERSON", "5")))
# Room frames written straight to uvicorn's transport, built once per broadcast (realtime/live/direct.py).
ROOM_DIRECT_WRITES = env_bool("ROOM_DIRECT_WRITES", True)
# A socket more than this many bytes behind (buffered by the server and its kernel) loses its backlog
# and gets a fresh snapshot once it reads again (realtime/live/member.py).
ROOM_SLOW_CLIENT_BYTES = max(16 * 1024, int(os.environ.get("ROOM_SLOW_CLIENT_BYTES", str(256 * 1024))))

# The room event log (realtime/models/events.py): frames are kept ROOM_EVENT_RETENTION_SECONDS for
# servers and clients to replay a gap from, at most ROOM_EVENT_KEEP per room and stream.
ROOM_EVENT_RETENTION_SECONDS = env_int("ROOM_EVENT_RETENTION_SECONDS", 3600, minimum=60)
ROOM_EVENT_KEEP = env_int("ROOM_EVENT_KEEP", 1000, minimum=100)

# Email bodies wait in the outbox sealed with this key (mail/sealing.py); sent or failed rows go after
# OUTBOX_RETENTION_DAYS (outbox_purge, run by send_queued_mail and purge_personal_data).
OUTBOX_KEY = outbox_key(os.environ.get("OUTBOX_KEY", ""), secret_key=SECRET_KEY, required=False)
OUTBOX_RETENTION_DAYS = int(os.environ.get("OUTBOX_RETENTION_DAYS", "30"))
# Bounded live-room snapshots (docs/realtime-protocol.md "Snapshot"): the most upvoted and the newest
# questions and notes, the moderators' queues capped; the rest is paged over HTTP.
ROOM_SNAPSHOT_TOP = max(1, int(os.environ.get("ROOM_SNAPSHOT_TOP", "100")))
ROOM_SNAPSHOT_NEWEST = max(1, int(os.environ.get("ROOM_SNAPSHOT_NEWEST", "50")))
ROOM_SNAPSHOT_QUEUE = max(1, int(os.environ.get("ROOM_SNAPSHOT_QUEUE", "50")))
ROOM_PAGE_SIZE = max(1, min(200, int(os.environ.get("ROOM_PAGE_SIZE", "50"))))
# The HTML pages (room, console, projector) render and embed fewer, so each stays under 500 KB
# however large the room (tests/hardening/test_bounded_snapshots.py); the socket's snapshot brings the rest.
ROOM_PAGE_TOP = max(1, int(os.environ.get("ROOM_PAGE_TOP", "20")))
ROOM_PAGE_NEWEST = max(1, int(os.environ.get("ROOM_PAGE_NEWEST", "10")))
ROOM_PAGE_QUEUE = max(1, int(os.environ.get("ROOM_PAGE_QUEUE", "5")))

SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SECURITY_CONTACT = os.environ.get("SECURITY_CONTACT", "mailto:security@example.org")
PRIVACY_CONTACT = os.environ.get("PRIVACY_CONTACT", "privacy@example.org")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redacted_path": {"()": "trialoog.logs.RedactedPathFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redacted_path"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.channels.server": {"level": "WARNING"}},
}
