"""
Pages and downloads with personal data answer `Cache-Control: no-store`; public pages stay cacheable.

Before, only "download my data" said so: the privacy pages, the agenda and
its feed (cached for five minutes, so a rotated token kept working in a
cache), the room and the moderator console, the projector link, report
downloads with names and every registration export could be kept by a
browser or a proxy after logout or account deletion.
"""

import pytest

from accounts.services import kamerlid_invitation_create
from reports.services import report_approve, report_publish

pytestmark = pytest.mark.django_db

# (who asks, path) for every page or download that shows personal data.
PERSONAL = {
    "privacy page": ("attendee", "/mijn-gegevens/"),
    "data download": ("attendee", "/mijn-gegevens/download/"),
    "delete account": ("attendee", "/mijn-gegevens/verwijderen/"),
    "profile": ("attendee", "/profiel/"),
    "registration": ("attendee", "/{slug}/aanmelden/"),
    "agenda": ("attendee", "/{slug}/agenda/"),
    "my registrations": ("attendee", "/mijn-aanmeldingen/"),
    "calendar feed": ("anonymous", "/agenda/{feed_token}/trialoog.ics"),
    "room": ("attendee", "/zaal/{code}/"),
    "email addresses (allauth)": ("attendee", "/account/email/"),
    "programme as a logged-in person": ("attendee", "/{slug}/programma/"),
    "moderator console": ("moderator", "/zaal/{code}/console/"),
    "my sessions": ("moderator", "/mijn-sessies/"),
    "projector page": ("moderator", "/zaal/{code}/projector/"),
    "projector link": ("anonymous", "/projector/{projector_token}/"),
    "report page": ("moderator", "/verslag/sessie/{session}/"),
    "report json": ("moderator", "/verslag/sessie/{session}/verslag.json"),
    "report pdf": ("moderator", "/verslag/sessie/{session}/verslag.pdf"),
    "report xlsx": ("moderator", "/verslag/sessie/{session}/verslag.xlsx"),
    "report table csv": ("moderator", "/verslag/sessie/{session}/tabel/vragen.csv"),
    "registrations csv": ("organiser", "/{event}/organisator/export/aanmeldingen.csv"),
    "registrations xlsx": ("organiser", "/{event}/organisator/export/aanmeldingen.xlsx"),
    "registrations ods": ("organiser", "/{event}/organisator/export/aanmeldingen.ods"),
    "event zip": ("organiser", "/{event}/organisator/export/evenement.zip"),
    "programme export": ("organiser", "/{event}/organisator/export/programma.csv"),
    "dashboard": ("organiser", "/{event}/organisator/dashboard/"),
    "dashboard live": ("organiser", "/{event}/organisator/dashboard/live.json"),
    "Kamerlid invitations": ("organiser", "/organisator/kamerleden/"),
    "Kamerlid invitation link": ("anonymous", "/kamerlid/uitnodiging/{invitation_token}/"),
    "admin page of a person": ("organiser", "/admin/accounts/user/{attendee}/change/"),
}

# Pages that are the same for every visitor: caches may keep them.
PUBLIC = {
    "home": "/",
    "event home": "/{slug}/",
    "programme": "/{slug}/programma/",
    "programme list": "/{slug}/programma/lijst/",
    "session page": "/{slug}/programma/sessie/{session}/",
    "kennisbank": "/kennisbank/",
    "kennisbank report": "/kennisbank/{report}/",
    "kennisbank feed": "/kennisbank/feed.atom",
    "schedule json": "/{slug}/schedule.json",
    "schedule xml": "/{slug}/schedule.xml",
    "schedule ics": "/{slug}/schedule.ics",
    "security.txt": "/.well-known/security.txt",
    "privacy statement": "/privacy/",
    "accessibility statement": "/toegankelijkheid/",
    "join": "/zaal/",
}


@pytest.fixture
def places(world):
    """The values the paths above need, for the world's room and people."""
    users = world["users"]
    session = world["room"].session
    report_approve(session=session, user=users["organiser"])
    report = report_publish(session=session, user=users["organiser"])
    _invitation, token = kamerlid_invitation_create(
        actor=users["organiser"], email="kl@example.org", send=False
    )
    return {
        "code": session.code,
        "slug": session.event.slug,
        "session": session.pk,
        "report": report.pk,
        "feed_token": users["attendee"].calendar_token,
        "projector_token": world["room"].projector_token,
        "invitation_token": token,
        "attendee": users["attendee"].pk,
        "event": session.event.slug,
    }


def cache_control(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


@pytest.mark.parametrize("what", PERSONAL)
def test_personal_page_is_never_stored(client, world, places, reauthenticate, what):
    """The page or download answers 200 with no-store in its Cache-Control."""
    role, path = PERSONAL[what]
    if role != "anonymous":
        client.force_login(world["users"][role])
        reauthenticate(client, "demo-trialoog")

    response = client.get(path.format(**places))

    assert response.status_code == 200
    assert "no-store" in cache_control(response)


@pytest.mark.parametrize("what", PUBLIC)
def test_public_page_stays_cacheable(client, places, what):
    """For an anonymous visitor a public page answers 200 without no-store."""
    response = client.get(PUBLIC[what].format(**places))

    assert response.status_code == 200
    assert "no-store" not in cache_control(response)


def test_public_feed_keeps_its_own_caching_for_a_logged_in_person(client, world):
    """A view that chose its caching keeps it, also for someone logged in."""
    client.force_login(world["users"]["attendee"])

    response = client.get(f"/{world['room'].session.event.slug}/schedule.json")

    assert cache_control(response) == {"max-age=300", "public"}
