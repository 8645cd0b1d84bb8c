"""Static pages every government site must have."""

from datetime import timedelta

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import cache_control


def privacy(request):
    return render(request, "pages/privacy.html")


def accessibility(request):
    return render(request, "pages/accessibility.html")


@cache_control(max_age=86400, public=True)
def security_txt(request):
    """RFC 9116 security.txt."""
    expires = (timezone.now() + timedelta(days=180)).replace(microsecond=0).isoformat()
    body = (
        f"Contact: {settings.SECURITY_CONTACT}\n"
        f"Expires: {expires}\n"
        "Preferred-Languages: nl, en\n"
        f"Canonical: {settings.SITE_URL}/.well-known/security.txt\n"
    )
    return HttpResponse(body, content_type="text/plain; charset=utf-8")
