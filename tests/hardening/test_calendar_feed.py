"""The secret calendar-feed address can be replaced by its owner; the old address then shows nothing."""

import pytest

from tests.factories import EventFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_rotating_the_feed_token_makes_the_old_address_answer_404(client):
    """After 'Maak een nieuw agenda-adres' the old feed is 404 and the agenda page shows the working new one."""
    person = UserFactory()
    old = f"/agenda/{person.calendar_token}/trialoog.ics"
    client.force_login(person)
    before = client.get(old).status_code

    response = client.post("/agenda/nieuw-adres/")

    person.refresh_from_db()
    new = f"/agenda/{person.calendar_token}/trialoog.ics"
    assert (before, response.status_code, response["Location"]) == (200, 302, "/mijn-aanmeldingen/")
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    assert f"http://testserver{new}" in client.get("/mijn-aanmeldingen/").content.decode()


def test_only_the_owner_rotates_their_own_feed(client):
    """The button changes the logged-in person's address and nobody else's."""
    person, other = UserFactory(), UserFactory()
    token = other.calendar_token
    client.force_login(person)

    client.post("/agenda/nieuw-adres/")

    other.refresh_from_db()
    assert other.calendar_token == token


def test_agenda_page_has_the_rotate_button(client):
    """The button sits next to the feed address, in a POST form, and comes back to the page."""
    client.force_login(UserFactory())

    page = client.get(f"/{EventFactory().slug}/agenda/").content.decode()

    assert 'action="/agenda/nieuw-adres/"' in page
    assert "Maak een nieuw agenda-adres" in page
    assert '<input type="hidden" name="next" value="/' in page
