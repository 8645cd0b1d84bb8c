from django.conf import settings


def site(request):
    """Values every page template may use."""
    return {"site_url": settings.SITE_URL, "privacy_contact": settings.PRIVACY_CONTACT}
