from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RealtimeConfig(AppConfig):
    name = "realtime"
    verbose_name = _("Live zalen")

    def ready(self):
        # Imported once the app registry is ready, as Django asks of signal receivers and lookups.
        from realtime import (
            lookups,  # noqa: F401 - registers the `__any` lookup
            receivers,
        )

        receivers.connect()
