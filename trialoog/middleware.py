"""Turn a database outage into a clear, honest answer instead of a crash page."""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


class DatabaseUnavailableMiddleware:
    """
    Answer 503 with a plain Dutch page when the database cannot be reached.

    The page is rendered without the request context, because the context
    (the logged-in user, the session) would need the database again. The
    transaction was rolled back, so nothing is half-written.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error("database unavailable: %s", exception)
        response = HttpResponse(render_to_string("errors/unavailable.html"), status=503)
        response["Retry-After"] = "10"
        response["Cache-Control"] = "no-store"
        return response
