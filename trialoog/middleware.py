"""Turn a database outage into a clear, honest answer instead of a crash page."""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)


def database_unavailable_response(exception: Exception) -> HttpResponse:
    """The 503 answer for a database outage, also for middleware that reads the database before the view."""
    logger.error("database unavailable: %s", exception)
    response = HttpResponse(render_to_string("errors/unavailable.html"), status=503)
    response["Retry-After"] = "10"
    response["Cache-Control"] = "no-store"
    return response


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
        if not isinstance(exception, DATABASE_ERRORS):
            return None
        return database_unavailable_response(exception)


class LanguageChoiceMiddleware:
    """
    Dutch unless the person chose English with the language switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language; a
    Dutch government site speaks Dutch first, and switches only on request
    (the choice is kept in the language cookie).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.utils import translation

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
