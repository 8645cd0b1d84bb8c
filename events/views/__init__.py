from django.shortcuts import render

from events import selectors
from events.public_cache import cache_public_page


@cache_public_page()
def home(request):
    return render(request, "events/home.html", {"event": selectors.event_get_current()})
