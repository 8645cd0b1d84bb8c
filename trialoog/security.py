"""
Security headers that Django 5.2 does not set itself: Content-Security-Policy and Permissions-Policy.

X-Content-Type-Options, Referrer-Policy and Cross-Origin-Opener-Policy come
from Django's SecurityMiddleware and X-Frame-Options from its
XFrameOptionsMiddleware (settings in settings/base.py), so each header has
one owner and one setting.
"""

# Everything comes from this site: no inline scripts or styles, no third parties.
# 'self' in connect-src covers the same-origin ws:// and wss:// of the live rooms.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# The Django admin still carries a few inline styles and scripts.
ADMIN_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace(
    "script-src 'self'", "script-src 'self' 'unsafe-inline'"
).replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")

# `interest-cohort` (FLoC) is retired and browsers warn about the unknown feature name, so it is not listed.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


class SecurityHeadersMiddleware:
    """Add Content-Security-Policy and Permissions-Policy to every response."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = "/admin/"

    def __call__(self, request):
        response = self.get_response(request)
        policy = (
            ADMIN_CONTENT_SECURITY_POLICY
            if request.path.startswith(self.admin_prefix)
            else CONTENT_SECURITY_POLICY
        )
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
