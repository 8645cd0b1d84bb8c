"""Read configuration from environment variables."""

import base64
import hashlib
import os
from urllib.parse import parse_qs, unquote, urlparse

from django.core.exceptions import ImproperlyConfigured


def env_bool(name: str, default: bool = False) -> bool:
    """Return the boolean value of an environment variable ("1", "true", "yes", "on")."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    """Return a comma-separated environment variable as a list without empty items."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def outbox_key(value: str, *, secret_key: str, required: bool) -> str:
    """
    Return OUTBOX_KEY: one or more comma-separated Fernet keys that seal email bodies in the outbox.

    The first key seals, every key opens, so a key can be rotated. Without a
    value, development and tests derive a key from SECRET_KEY; production
    (`required`) refuses to start. A malformed key refuses to start anywhere.
    """
    from cryptography.fernet import Fernet

    keys = [key.strip() for key in value.split(",") if key.strip()]
    if not keys:
        if required:
            raise ImproperlyConfigured(
                "OUTBOX_KEY must be set in production (generate one with: python -c "
                '"from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())").'
            )
        digest = hashlib.sha256(f"trialoog-outbox-key:{secret_key}".encode()).digest()
        return base64.urlsafe_b64encode(digest).decode()
    for key in keys:
        try:
            Fernet(key)
        except ValueError:
            raise ImproperlyConfigured("OUTBOX_KEY holds a key that is not a Fernet key.") from None
    return ",".join(keys)


def env_int(name: str, default: int, minimum: int = 1) -> int:
    """Return an integer environment variable, refusing values below `minimum`."""
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.")
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}.")
    return value


def required_url(name: str, *, schemes: tuple[str, ...]) -> str:
    """
    Return an environment variable that must hold a URL with one of `schemes`.

    Production refuses to start without it rather than fall back to a
    development default that would end up in emails or security.txt.
    """
    value = os.environ.get(name, "").strip()
    parsed = urlparse(value)
    target = parsed.netloc if parsed.scheme in {"http", "https"} else parsed.path
    if parsed.scheme not in schemes or not target:
        raise ImproperlyConfigured(
            f"{name} must be set in production to a URL starting with "
            f"{' or '.join(s + ':' for s in schemes)} (now {value!r})."
        )
    return value


def database_pool(*, min_size: int, max_size: int, timeout: float) -> dict:
    """
    Return the `OPTIONS["pool"]` value for Django's psycopg connection pool.

    With CONN_HEALTH_CHECKS on, Django has the pool check a connection before
    lending it, so a PostgreSQL restart costs a failed check per stale
    connection instead of a failed request.
    """
    if min_size > max_size:
        raise ImproperlyConfigured(f"DB_POOL_MIN_SIZE ({min_size}) exceeds DB_POOL_MAX_SIZE ({max_size}).")
    return {"min_size": min_size, "max_size": max_size, "timeout": timeout}


def channel_layers(redis_url: str | None) -> dict:
    """
    Return the CHANNEL_LAYERS setting for an optional Redis URL.

    redis-py 8 defaults to socket_timeout=5 and max_connections=100. With
    channels-redis 4.3 that kills idle consumers ("Timeout reading") and
    makes bursts of connects fail, so both are overridden here.
    """
    if not redis_url:
        return {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    return {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [
                    {
                        "address": redis_url,
                        "socket_timeout": None,
                        "socket_connect_timeout": 5,
                        "max_connections": 10_000,
                    }
                ],
                "capacity": 1_000,
                "expiry": 60,
                "prefix": "trialoog",
            },
        }
    }


def ratelimit_cache(redis_url: str | None) -> dict:
    """
    Return the cache for the room-action rate limit: Redis when configured, else this process's memory.

    Never the database: its rows would keep who acted when. The socket
    timeouts are short because the limiter lets actions through when Redis
    is away (realtime/ratelimit.py); a form post must not wait for it.
    """
    if not redis_url:
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "room-actions"}
    return {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": redis_url,
        "KEY_PREFIX": "trialoog-ratelimit",
        "OPTIONS": {"socket_timeout": 0.25, "socket_connect_timeout": 0.25},
    }


def public_caches(redis_url: str | None) -> dict:
    """
    Return the two caches behind the public-page cache (trialoog/public_cache.py).

    `public_version` holds the programme's version, which every worker must
    see change at once: Redis when configured, else this process's memory.
    `public_pages` holds rendered pages per worker process, keyed by that
    version, so a hit never leaves the process.
    """
    pages = {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "public-pages",
        "TIMEOUT": 300,
        "OPTIONS": {"MAX_ENTRIES": 500},
    }
    if not redis_url:
        version = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "public-version"}
    else:
        version = {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": "trialoog-public",
            "TIMEOUT": None,
            "OPTIONS": {"socket_timeout": 0.25, "socket_connect_timeout": 0.25},
        }
    return {"public_version": version, "public_pages": pages}


def email_settings(url: str | None) -> dict:
    """
    Turn EMAIL_URL into Django email settings.

    Supported schemes: smtp://, smtps:// (implicit TLS), smtp+tls:// (STARTTLS),
    console:// and locmem://. Without a URL, mail is printed to the console.
    """
    if not url:
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    parsed = urlparse(url)
    scheme = parsed.scheme
    if scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if scheme == "locmem":
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if scheme not in {"smtp", "smtps", "smtp+tls"}:
        raise ImproperlyConfigured(f"EMAIL_URL has an unsupported scheme: {scheme!r}")
    query = parse_qs(parsed.query)
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parsed.hostname or "localhost",
        "EMAIL_PORT": parsed.port or (465 if scheme == "smtps" else 587 if scheme == "smtp+tls" else 25),
        "EMAIL_HOST_USER": unquote(parsed.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parsed.password or ""),
        "EMAIL_USE_SSL": scheme == "smtps",
        "EMAIL_USE_TLS": scheme == "smtp+tls",
        "EMAIL_TIMEOUT": int(query.get("timeout", ["10"])[0]),
    }
