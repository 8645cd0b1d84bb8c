from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Programma")

    def ready(self):
        # Imported once the app registry is ready: it connects model signals.
        from events import public_cache, receivers  # noqa: F401 - receivers connect on import

        public_cache.connect_signals()
