"""Settings for the test suite. The suite's plugin points DATABASE_URL and REDIS_URL at real servers."""

from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ACCOUNT_RATE_LIMITS = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
