import pytest

pytestmark = pytest.mark.django_db

PAGES = [
    "/profiel/",
    "/dvdpd-2026/aanmelden/",
    "/mijn-gegevens/",
    "/mijn-gegevens/download/",
    "/organisator/kamerleden/",
    "/admin/",
]

# role -> expected status per page in PAGES order; the download first asks to re-authenticate (302)
MATRIX = {
    "anonymous": [302, 302, 302, 302, 302, 302],
    "attendee": [200, 200, 200, 302, 404, 302],
    "kamerlid": [200, 200, 200, 302, 404, 302],
    "organiser": [200, 200, 200, 302, 200, 200],
}


@pytest.fixture
def login_as(client, make_user, event):
    def login(role):
        if role == "anonymous":
            return client
        fields = {
            "attendee": {},
            "kamerlid": {"perspective": "politiek", "is_kamerlid": True},
            "organiser": {"organiser": True},
        }[role]
        client.force_login(make_user(f"{role}@example.org", **fields))
        return client

    return login


@pytest.mark.parametrize("role", MATRIX)
def test_role_sees_exactly_the_pages_it_may(login_as, role):
    """Each role gets the expected answer on every protected page (302 = sent to login, 404 = hidden)."""
    client = login_as(role)

    statuses = [client.get(page).status_code for page in PAGES]

    assert statuses == MATRIX[role]
