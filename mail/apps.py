from django.apps import AppConfig


class MailConfig(AppConfig):
    """The outbox: every email is stored (sealed) before it is sent, and retried until it goes out."""

    name = "mail"
