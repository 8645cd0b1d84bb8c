import pytest
from django.core.management import call_command

from accounts.models import User
from events import demo
from events.models import Event, Room
from reports.models import OutcomeReport

pytestmark = pytest.mark.django_db


def test_home_shows_event_name_and_dutch_date(client):
    """The home page names the example day and its date in Dutch."""
    call_command("seed_demo", verbosity=0)

    response = client.get("/")

    content = response.content.decode()
    assert response.status_code == 200
    assert "Dag van de Publieke Dienstverlening 2026" in content
    assert "17 juni 2026" in content
    assert '<html lang="nl">' in content


def test_seed_twice_creates_no_duplicates():
    """Running the demo seed twice leaves three events, their rooms and the five demo accounts."""
    call_command("seed_demo", verbosity=0)
    counts = (Event.objects.count(), Room.objects.count(), User.objects.count())

    call_command("seed_demo", verbosity=0)

    assert (Event.objects.count(), Room.objects.count(), User.objects.count()) == counts
    assert counts[0] == 3  # the 2026 day, the province's trialoog, the 2027 day
    assert counts[2] == len(demo.DEMO_ACCOUNTS) == 5


def test_demo_accounts_can_log_in_with_the_demo_password(client):
    """Each demo account logs in with demo-trialoog."""
    call_command("seed_demo", verbosity=0)

    for email in [
        "organisator@example.org",
        "moderator@example.org",
        "kamerlid@example.org",
        "deelnemer@example.org",
    ]:
        assert client.login(email=email, password="demo-trialoog"), email


def test_home_links_a_past_event_to_its_page_and_outcomes(client):
    """The demo day is over: the home lists it under past events, with its page, and its kennisbank
    outcomes when the demo published any."""
    call_command("seed_demo", verbosity=0)

    content = client.get("/").content.decode()

    assert '<h2 id="past-title">Eerdere evenementen</h2>' in content
    assert '<a href="/dvdpd-2026/">Dag van de Publieke Dienstverlening 2026</a>' in content
    published = OutcomeReport.objects.filter(session__event__slug="dvdpd-2026", status="published").exists()
    assert ('<a href="/kennisbank/?event=dvdpd-2026">' in content) == published
