from django.shortcuts import render

from events import selectors


def home(request):
    return render(request, "events/home.html", {"event": selectors.event_get_current()})
