from trialoog.env import channel_layers, email_settings


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
