"""Public pages are cheap: cached per programme version, fresh at once after a change, per-user parts intact."""

import re
import time

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from events.models import Session, Theme
from events.services.signup import signup_create
from reports.models import OutcomeReport
from tests.factories import EventFactory, RegistrationFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = [
    "/",
    "/{slug}/",
    "/{slug}/programma/",
    "/{slug}/programma/lijst/",
    "/kennisbank/",
    "/kennisbank/feed.atom",
    "/{slug}/schedule.json",
    "/{slug}/schedule.xml",
]
SESSION = "/{slug}/programma/sessie/{pk}/"


def _url(path: str, session) -> str:
    return (SESSION if path == "session" else path).format(slug=session.event.slug, pk=session.pk)


def _csrf_token(body: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)


@pytest.mark.parametrize("path", [*PUBLIC_PAGES, "session"])
def test_the_next_anonymous_visitor_costs_no_query(path, client, django_assert_num_queries):
    """Once one visitor without a login has opened a public page, the next one is answered from the
    worker's cache without a database query (before: every visitor cost the page's queries)."""
    session = SessionFactory()
    url = _url(path, session)
    first = client.get(url)

    with django_assert_num_queries(0):
        again = Client().get(url)

    assert (first.status_code, again.status_code) == (200, 200)


@pytest.mark.parametrize(
    "path", ["/{slug}/programma/", "/{slug}/programma/lijst/", "/{slug}/schedule.json", "session"]
)
def test_a_programme_change_shows_at_once(path, client):
    """A saved session title shows on the very next request, although the page was cached."""
    session = SessionFactory(title="Oude titel")
    url = _url(path, session)
    client.get(url)
    session.title = "Nieuwe titel"
    session.save()

    body = Client().get(url).content.decode()

    assert ("Nieuwe titel" in body, "Oude titel" in body) == (True, False)


def test_a_theme_given_to_a_session_shows_at_once_in_the_cached_kennisbank(client):
    """Themes are part of the kennisbank's cached page and filter; tagging a session bumps the version."""
    session = SessionFactory(title="Digitale post")
    OutcomeReport.objects.create(
        session=session, status=OutcomeReport.Status.PUBLISHED, snapshot={}, published_at=timezone.now()
    )
    theme = Theme.objects.create(name="Vereenvoudiging", slug="vereenvoudiging")
    url = "/kennisbank/?thema=vereenvoudiging"
    assert "Digitale post" not in client.get(url).content.decode()

    session.themes.add(theme)

    assert "Digitale post" in Client().get(url).content.decode()


def test_a_signup_updates_the_free_seats_on_the_cached_session_page(client):
    """Free seats are part of the cached page; a sign-up changes them on the next anonymous request."""
    session = SessionFactory(capacity=10)
    user = UserFactory()
    RegistrationFactory(user=user, event=session.event)
    url = _url("session", session)
    assert "10 van 10 plaatsen vrij" in client.get(url).content.decode()

    signup_create(user=user, session=session)

    assert "9 van 10 plaatsen vrij" in Client().get(url).content.decode()


def test_a_signed_in_visitor_sees_their_own_state_not_the_cached_page(client):
    """The anonymous page (with its login button) is cached; a signed-in attendee with a seat still sees
    that they are signed up, and the next anonymous visitor still sees the login button."""
    session = SessionFactory()
    user = UserFactory()
    RegistrationFactory(user=user, event=session.event)
    signup_create(user=user, session=session)
    url = _url("session", session)
    client.get(url)
    signed_in = Client()
    signed_in.force_login(user)

    mine = signed_in.get(url).content.decode()
    anonymous = Client().get(url).content.decode()

    assert "U bent ingeschreven voor deze sessie." in mine
    assert "Log in om u in te schrijven" not in mine
    assert "Log in om u in te schrijven" in anonymous
    assert user.name not in anonymous


def test_a_cached_page_carries_the_visitors_own_csrf_token():
    """Forms on a cached page (the language switch) work for the visitor who got it from the cache."""
    EventFactory()
    Client().get("/")
    visitor = Client(enforce_csrf_checks=True)

    body = visitor.get("/").content.decode()
    response = visitor.post(
        "/taal/", {"language": "en", "next": "/", "csrfmiddlewaretoken": _csrf_token(body)}
    )

    assert response.status_code == 302


def test_the_language_choice_is_part_of_the_cache_key(client):
    """An English visitor does not get the Dutch page a Dutch visitor cached."""
    EventFactory()
    dutch = client.get("/").content.decode()
    english = Client()
    english.cookies["django_language"] = "en"

    body = english.get("/").content.decode()

    assert ('lang="nl"' in dutch, 'lang="en"' in body) == (True, True)


@pytest.mark.django_db(transaction=True)
def test_a_change_committed_by_another_request_shows_at_once(client):
    """A change saved inside a transaction (as a form post or the admin does) shows once committed."""
    session = SessionFactory(title="Voor de wijziging")
    url = _url("/{slug}/programma/", session)
    client.get(url)

    with transaction.atomic():
        row = Session.objects.get(pk=session.pk)
        row.title = "Na de wijziging"
        row.save()

    assert "Na de wijziging" in Client().get(url).content.decode()


def test_a_reservation_that_ends_by_itself_leaves_the_cache_then(client):
    """A cached page lives no longer than the next reservation: once it ends, reserved seats are gone."""
    session = SessionFactory(
        reserved_politiek=2, reserved_until=timezone.now() + timezone.timedelta(seconds=2)
    )
    url = _url("session", session)
    assert "Een deel van de plaatsen is gereserveerd" in client.get(url).content.decode()

    time.sleep(3.1)
    body = Client().get(url).content.decode()

    assert "Een deel van de plaatsen is gereserveerd" not in body
