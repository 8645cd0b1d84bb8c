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
