"""
The Origin check for WebSockets: the same rule Django's CSRF check applies to a POST.

Channels' AllowedHostsOriginValidator compares only the host name with
ALLOWED_HOSTS, so `http://127.0.0.1:1` (another port, another scheme: another
site) could open a live-room socket with a visitor's cookies. Here an Origin
is accepted only when its scheme, host and port are this site's own (the Host
header the socket came in on, when that host is in ALLOWED_HOSTS), or when it
is listed in CSRF_TRUSTED_ORIGINS, wildcard subdomains included, exactly as
django.middleware.csrf reads that setting.
"""

from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host
from django.utils.http import is_same_domain


def origin_allowed(*, origin: str | None, host: str | None, secure: bool) -> bool:
    """
    True when a browser at `origin` may open a socket to this site.

    `host` is the Host header of the handshake and `secure` whether the
    socket itself came in over TLS (wss), as the server reports it.
    """
    if not origin or origin == "null":
        return False
    if host and validate_host(split_domain_port(host)[0], settings.ALLOWED_HOSTS):
        if origin == f"{'https' if secure else 'http'}://{host}":
            return True
    trusted = settings.CSRF_TRUSTED_ORIGINS
    if origin in (entry for entry in trusted if "*" not in entry):
        return True
    try:
        parsed = urlsplit(origin)
    except ValueError:
        return False
    return any(
        is_same_domain(parsed.netloc, urlsplit(entry).netloc.lstrip("*"))
        for entry in trusted
        if "*" in entry and urlsplit(entry).scheme == parsed.scheme
    )


def _header(scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin1")
    return None


class TrustedOriginValidator:
    """ASGI middleware: refuse the WebSocket handshake unless `origin_allowed`."""

    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        if scope["type"] != "websocket":
            raise ValueError("TrustedOriginValidator guards WebSocket connections only")
        allowed = origin_allowed(
            origin=_header(scope, b"origin"),
            host=_header(scope, b"host"),
            secure=scope.get("scheme") == "wss",
        )
        if not allowed:
            return await WebsocketDenier()(scope, receive, send)
        return await self.application(scope, receive, send)
