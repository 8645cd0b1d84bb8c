from django.conf import settings
from django.utils.functional import SimpleLazyObject

from events.permissions import events_with_right


def site(request):
    """Values every page template may use."""
    return {
        "site_url": settings.SITE_URL,
        "privacy_contact": settings.PRIVACY_CONTACT,
        # The header's "Organisator" link: the latest event the person holds a right in (one query, on use).
        "backoffice_event": SimpleLazyObject(lambda: _backoffice_event(request.user)),
    }


def _backoffice_event(user):
    if not getattr(user, "is_authenticated", False):
        return None
    return events_with_right(user).order_by("-date").first()
