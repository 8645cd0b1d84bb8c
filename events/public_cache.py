"""
Cache public pages that are the same for every visitor, keyed by the programme's version.

The programme, the start page, a session page, the knowledge base and the
frab schedule are what hundreds of people open at 9.00 on the day. For
visitors without a login their HTML is the same for everyone, so each worker
keeps the rendered page and answers the next visitor without a query.

A page is stored under the programme's *version*, a random token in the
`public_version` cache (Redis, shared by all workers). Any saved or deleted
event, room, session, sign-up, moderator, published report or person bumps
the version once the transaction commits, so the next request misses and
renders fresh data: a change shows at once, on every worker. A page also
expires at the next moment the programme changes by itself (a reservation
that ends, registration that closes), and after five minutes at the latest.

What differs per visitor stays out of the cache: a visitor with a session
cookie (signed in, or with a message waiting) always gets a fresh page, and
the CSRF token in a cached page is replaced with the visitor's own.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import re
import secrets
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone, translation

from events.models import Event, Organisation, Room, Session, SessionSignup, Theme
from reports.models import OutcomeReport

logger = logging.getLogger(__name__)

VERSION_KEY = "programme-version"
MAX_SECONDS = 300
CSRF_INPUT = re.compile(rb'(name="csrfmiddlewaretoken" value=")[A-Za-z0-9]{64}(")')
CSRF_MARK = b"\x00csrf-token\x00"
MESSAGES_COOKIE = "messages"  # django.contrib.messages.storage.cookie.CookieStorage.cookie_name
KEPT_HEADERS = ("Content-Type", "Content-Disposition", "Cache-Control")


@dataclass(frozen=True)
class CachedPage:
    body: bytes
    headers: tuple[tuple[str, str], ...]


@functools.cache
def _version_cache():
    """
    One client of the `public_version` cache for the whole process.

    `caches[...]` gives every request context its own backend, and under
    ASGI every request is a new context: for Redis that meant a new
    connection per page view. The Redis client's pool is thread-safe.
    """
    return caches.create_connection("public_version")


@functools.cache
def _page_cache():
    """The per-process page store (a LocMemCache, shared by its LOCATION anyway), made once."""
    return caches.create_connection("public_pages")


def programme_version() -> str | None:
    """The programme's current version, created on first use; None when the version cache is away."""
    cache = _version_cache()
    try:
        version = cache.get(VERSION_KEY)
        if version is None:
            cache.add(VERSION_KEY, secrets.token_hex(8), timeout=None)
            version = cache.get(VERSION_KEY)
    except Exception as exc:  # noqa: BLE001 - without the version, pages are rendered fresh
        logger.warning("public page cache: version unavailable: %r", exc)
        return None
    return version


def programme_version_bump() -> None:
    """
    Give the programme a new version now, and again once the current transaction commits.

    Now, so that later reads in the same transaction see the change; after
    the commit too, because a request that read the first new version while
    the change was still uncommitted has cached the old data under it.
    Side effect: two writes to the `public_version` cache.
    """
    _bump_now()
    transaction.on_commit(_bump_now)


def _bump_now() -> None:
    try:
        _version_cache().set(VERSION_KEY, secrets.token_hex(8), timeout=None)
    except Exception as exc:  # noqa: BLE001 - a cached page then lives until it expires
        logger.error("public page cache: version bump failed: %r", exc)


def _next_change_at(version: str) -> dt.datetime | None:
    """
    The next moment the programme changes by itself: a reservation ends or registration closes.

    One query per version and worker; the answer is kept beside the pages.
    """
    pages, key = _page_cache(), f"{version}:next-change"
    cached = pages.get(key)
    if cached is not None:
        return cached[0]
    now = timezone.now()
    moments = (
        Session.objects.filter(reserved_until__gt=now)
        .order_by()
        .values_list("reserved_until", flat=True)
        .union(
            Event.objects.filter(registration_closes_at__gt=now)
            .order_by()
            .values_list("registration_closes_at")
        )
        .order_by("reserved_until")[:1]
    )
    moment = next(iter(moments), None)
    pages.set(key, (moment,), timeout=MAX_SECONDS)
    return moment


def _timeout(version: str) -> int:
    """Seconds a page may be kept: until the next change by itself, MAX_SECONDS at most."""
    moment = _next_change_at(version)
    if moment is None:
        return MAX_SECONDS
    return max(1, min(MAX_SECONDS, int((moment - timezone.now()).total_seconds()) + 1))


def value_for_version(name: str, compute):
    """
    `compute()`, kept per worker beside the pages while the programme's version is unchanged.

    For small values every page shows, such as the current event of the menu:
    no query once warm, and fresh after any change (and MAX_SECONDS at most).
    `compute()` must return something picklable; None is kept too.
    """
    version = programme_version()
    if version is None:
        return compute()
    pages, key = _page_cache(), f"{version}:value:{name}"
    cached = pages.get(key)
    if cached is not None:
        return cached[0]
    value = compute()
    pages.set(key, (value,), timeout=MAX_SECONDS)
    return value


def _same_for_everyone(request) -> bool:
    """True for a visitor whose page depends on nothing of their own: no session, no waiting message."""
    return settings.SESSION_COOKIE_NAME not in request.COOKIES and MESSAGES_COOKIE not in request.COOKIES


def _page_key(version: str, request) -> str:
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    return f"{version}:{translation.get_language()}:{path}"


def _store(response) -> CachedPage | None:
    if response.status_code != 200 or response.streaming or response.cookies:
        return None
    if "no-store" in response.get("Cache-Control", ""):
        return None  # for this visitor only, e.g. the team's preview of an unpublished programme
    headers = tuple((name, response[name]) for name in KEPT_HEADERS if response.has_header(name))
    return CachedPage(body=CSRF_INPUT.sub(rb"\1" + CSRF_MARK + rb"\2", response.content), headers=headers)


def _serve(page: CachedPage, request) -> HttpResponse:
    body = page.body
    if CSRF_MARK in body:
        body = body.replace(CSRF_MARK, get_token(request).encode())
    response = HttpResponse(body)
    for name, value in page.headers:
        response[name] = value
    return response


def cache_public_page(everyone: bool = False):
    """
    Serve a view's page from the per-worker cache while the programme's version is unchanged.

    `everyone=True` is for documents with nothing per visitor in them (the
    frab schedule); other pages are cached only for visitors without a
    session cookie. Only 200 answers to GET and HEAD that set no cookie and
    leave the session untouched are stored.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method not in ("GET", "HEAD") or not (everyone or _same_for_everyone(request)):
                return view(request, *args, **kwargs)
            version = programme_version()
            if version is None:
                return view(request, *args, **kwargs)
            pages = _page_cache()
            key = _page_key(version, request)
            page = pages.get(key)
            if page is not None:
                return _serve(page, request)
            response = view(request, *args, **kwargs)
            session = getattr(request, "session", None)
            if session is not None and session.modified:
                return response
            page = _store(response)
            if page is not None:
                pages.set(key, page, timeout=_timeout(version))
            return response

        return wrapper

    return decorator


def _bump_on_change(sender, **kwargs) -> None:
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return  # a login changes nothing anyone else can see
    programme_version_bump()


def connect_signals() -> None:
    """
    Bump the programme's version whenever something a public page shows is saved or deleted.

    Admin edits do not pass through the services, so model signals are the
    one place every change passes. Called from EventsConfig.ready().
    """
    for model in (Event, Organisation, Room, Session, SessionSignup, Theme, OutcomeReport, get_user_model()):
        post_save.connect(_bump_on_change, sender=model, dispatch_uid=f"public-cache-save-{model.__name__}")
        post_delete.connect(_bump_on_change, sender=model, dispatch_uid=f"public-cache-del-{model.__name__}")
    for through in (Session.moderators.through, Session.rapporteurs.through, Session.themes.through):
        m2m_changed.connect(
            _bump_on_change, sender=through, dispatch_uid=f"public-cache-m2m-{through.__name__}"
        )
