"""
Request middleware: a database outage answered with a clear page, Dutch unless chosen otherwise,
pages for a logged-in person kept out of caches, and (in production) one redacted log line per request.
"""

import logging
import time

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.contrib.auth import SESSION_KEY
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers

from trialoog.logs import redacted_path

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


class NoStoreForPeopleMiddleware:
    """
    Mark every response to a logged-in person `Cache-Control: no-store`, unless the view chose its caching.

    Such a page shows the person's name, sign-ups, votes or needs, and no
    browser or proxy cache may keep it after they log out or delete their
    account. Pages with personal data also say so themselves (`never_cache`
    on the view); this covers the rest, such as allauth's email page. A
    response that already has a Cache-Control header (the public feeds,
    security.txt) is left as the view made it, and so is every response to
    an anonymous visitor, so public pages stay cacheable.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Cache-Control" not in response and _for_a_logged_in_person(request):
            add_never_cache_headers(response)
        return response


def _for_a_logged_in_person(request) -> bool:
    """
    Whether the response was made with a logged-in person's session, without a query of its own.

    A view that never read the session never looked up the person, so its
    response cannot depend on them; a session that was read is loaded, so
    looking for the login in it costs nothing (and works while the database
    is down).
    """
    session = getattr(request, "session", None)
    return session is not None and session.accessed and SESSION_KEY in session


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
