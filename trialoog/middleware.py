"""
Request middleware: a database outage answered with a clear page, Dutch unless chosen otherwise,
and (in production) one redacted log line per request.
"""

import logging
import time

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string

from trialoog.logs import redacted_path

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


class RequestLogMiddleware:
    """
    Log one line per HTTP request: method, path, status and duration in milliseconds.

    Nothing else: no query string (it can hold tokens and search terms), no
    client address, no user, no session, so a line never says who did
    something (docs/privacy-of-opinions.md). Secrets in the path are
    redacted (`redacted_path`). For a streamed download the duration is the
    time until the response starts. Production turns it on; its logger is
    `trialoog.requests`.
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def __call__(self, request):
        if iscoroutinefunction(self):
            return self._acall(request)
        started = time.perf_counter()
        response = self.get_response(request)
        _log_request(request, response, started)
        return response

    async def _acall(self, request):
        started = time.perf_counter()
        response = await self.get_response(request)
        _log_request(request, response, started)
        return response


request_logger = logging.getLogger("trialoog.requests")


def _log_request(request, response, started: float) -> None:
    request_logger.info(
        "%s %s %s %.1fms",
        request.method,
        redacted_path(request),
        response.status_code,
        (time.perf_counter() - started) * 1000,
    )
