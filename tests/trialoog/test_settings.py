import pytest
import redis
from django.conf import settings
from django.core.cache.backends.redis import RedisCache

from trialoog.env import channel_layers, email_settings, public_caches, ratelimit_cache


def test_production_settings_refuse_to_start_without_a_secret_key(run_python):
    """Loading the production settings with no SECRET_KEY fails loudly."""
    result = run_python(
        "import django; django.setup()",
        {"DJANGO_SETTINGS_MODULE": "trialoog.settings.production", "SECRET_KEY": ""},
    )

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_settings_refuse_the_development_key(run_python):
    """The key that ships for development is not accepted in production."""
    result = run_python(
        "import django; django.setup()",
        {
            "DJANGO_SETTINGS_MODULE": "trialoog.settings.production",
            "SECRET_KEY": "dev-only-insecure-key-change-me" * 3,
        },
    )

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_redis_channel_layer_disables_the_socket_timeout_and_raises_the_pool():
    """The Redis host keeps idle consumers alive and allows bursts of connects."""
    host = channel_layers("redis://example:6379/0")["default"]["CONFIG"]["hosts"][0]

    assert host["socket_timeout"] is None
    assert host["max_connections"] >= 10_000


def test_no_redis_url_means_the_in_memory_layer():
    """Without REDIS_URL the embedded default is the in-memory channel layer."""
    assert channel_layers(None) == {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


def test_email_url_smtp_with_starttls_is_parsed():
    """EMAIL_URL carries host, port, credentials and the TLS mode."""
    parsed = email_settings("smtp+tls://user%40x:p%2Fw@mail.example.org:2525")

    assert parsed["EMAIL_HOST"] == "mail.example.org"
    assert parsed["EMAIL_PORT"] == 2525
    assert parsed["EMAIL_HOST_USER"] == "user@x"
    assert parsed["EMAIL_HOST_PASSWORD"] == "p/w"
    assert parsed["EMAIL_USE_TLS"] is True
    assert parsed["EMAIL_USE_SSL"] is False


def test_the_room_action_limit_lives_in_redis_with_short_timeouts():
    """With Redis the rate-limit cache is Redis and gives up quickly; without it, process memory."""
    with_redis = ratelimit_cache("redis://example:6379/0")

    assert with_redis["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert with_redis["OPTIONS"] == {"socket_timeout": 0.25, "socket_connect_timeout": 0.25}
    assert ratelimit_cache(None)["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


def test_logins_keep_the_database_cache():
    """allauth's login rate limits stay in the database cache, which survives a Redis outage."""
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    assert settings.CACHES["ratelimit"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"


@pytest.mark.parametrize(
    ("build", "prefix"),
    [
        (ratelimit_cache, "trialoog-ratelimit"),
        (lambda url: public_caches(url)["public_version"], "trialoog-public"),
    ],
)
def test_the_redis_caches_work_over_tls(tls_redis, build, prefix):
    """A `rediss://` REDIS_URL with its CA reaches the Redis caches through TLS, options and all."""
    config = build(tls_redis.url)
    cache = RedisCache(config["LOCATION"], {key: value for key, value in config.items() if key != "LOCATION"})

    cache.set("tls-check", "ja", timeout=60)

    assert cache.get("tls-check") == "ja"
    assert redis.Redis.from_url(tls_redis.url).exists(f"{prefix}:1:tls-check") == 1
