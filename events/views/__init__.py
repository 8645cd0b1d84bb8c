from django.shortcuts import render

from events import selectors
from events.public_cache import cache_public_page


@cache_public_page()
def home(request):
    """The site's home: the next event up front, the other upcoming ones, and past ones with outcomes."""
    return render(request, "events/home.html", {"home": selectors.site_home_get()})
