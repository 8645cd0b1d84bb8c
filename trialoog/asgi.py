"""
One ASGI application for HTTP and WebSockets, served by daphne.

HTTP goes to Django; /ws/... goes to Channels behind an Origin check that
compares scheme, host and port with the site itself and CSRF_TRUSTED_ORIGINS
(realtime/origins.py). WebSockets get the parsed cookies, not a resolved user: the
room consumer resolves the logins behind the session cookies of everyone who
joins at the same moment together (realtime/services/joins.py), which keeps a
crowd reconnecting after a Wi-Fi drop from costing two queries per person
before anything else happens.
"""

import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trialoog.settings.local")

django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.sessions import CookieMiddleware  # noqa: E402

from realtime.origins import TrustedOriginValidator  # noqa: E402
from realtime.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": TrustedOriginValidator(CookieMiddleware(URLRouter(websocket_urlpatterns))),
    }
)

# Garbage collection of the long-lived heap. A full (generation 2) collection stops the event loop
# while it walks every tracked object: with 2,000 room sockets per process that was 150-300 ms, often
# enough to show in the ask->all p99 (docs/performance.md). The modules, settings and URL patterns
# loaded above live as long as the process: frozen, no collection walks them again (some 125,000
# objects, 66 ms of every full collection). A larger first threshold (10,000 for Python's 700) makes
# collections rarer while a young collection stays short (50,000 made those pause the loop for 100 ms
# and more while a crowd joined). Cyclic garbage is still collected, just less often.
GC_THRESHOLDS = (10_000, 20, 10)
gc.set_threshold(*GC_THRESHOLDS)
gc.freeze()
