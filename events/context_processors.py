from django.conf import settings
from django.utils.functional import SimpleLazyObject

from events.organiser_selectors import event_latest_for_team


def site(request):
    """Values every page template may use."""
    return {
        "site_url": settings.SITE_URL,
        "privacy_contact": settings.PRIVACY_CONTACT,
        # The header's "Organisator" link: the latest event the person holds a right in (one query, on use).
        "backoffice_event": SimpleLazyObject(lambda: event_latest_for_team(user=request.user)),
    }
