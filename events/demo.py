"""
The example day: Dag van de Publieke Dienstverlening 2026, 17 June 2026.

Every function here is idempotent: running the seed twice leaves one copy.
"""

import datetime as dt

from allauth.account.models import EmailAddress
from django.db import transaction

from accounts.models import Perspective, User
from accounts.roles import organiser_group_ensure
from events.models import Event, Room

DEMO_PASSWORD = "demo-trialoog"
EVENT_SLUG = "dvdpd-2026"

DEMO_ACCOUNTS = [
    # email, name, organisation, function, perspective, role
    (
        "organisator@example.org",
        "Olga Organisator",
        "Werk aan Uitvoering",
        "Programmamanager",
        Perspective.BELEID,
        "organiser",
    ),
    (
        "moderator@example.org",
        "Mo de Moderator",
        "Werk aan Uitvoering",
        "Gespreksleider",
        Perspective.UITVOERING,
        "moderator",
    ),
    ("kamerlid@example.org", "Kim Kamerlid", "Tweede Kamer", "Kamerlid", Perspective.POLITIEK, "kamerlid"),
    (
        "deelnemer@example.org",
        "Daan Deelnemer",
        "UWV",
        "Adviseur uitvoering",
        Perspective.UITVOERING,
        "attendee",
    ),
]

ROOMS = [
    ("Plenaire zaal", 500),
    ("Thorbeckezaal", 60),
    ("Troelstrazaal", 40),
    ("Schermerhornzaal", 30),
    ("Groen van Prinstererzaal", 25),
]


def event_seed() -> Event:
    """Create the example event and its rooms."""
    event, _ = Event.objects.get_or_create(
        slug=EVENT_SLUG,
        defaults={
            "name": "Dag van de Publieke Dienstverlening 2026",
            "acronym": "dvdpd2026",
            "date": dt.date(2026, 6, 17),
            "venue": "Tweede Kamer, Den Haag",
            "time_zone": "Europe/Amsterdam",
            "description": (
                "Politiek, beleid en uitvoering werken samen aan dilemma's uit de praktijk, "
                "voordat er besluiten vallen."
            ),
            "registration_open": True,
        },
    )
    for position, (name, capacity) in enumerate(ROOMS):
        Room.objects.get_or_create(
            event=event, name=name, defaults={"capacity": capacity, "position": position}
        )
    return event


def accounts_seed() -> list[User]:
    """Create the four demo accounts with verified email addresses."""
    organisers = organiser_group_ensure()
    users = []
    for email, name, organisation, function, perspective, role in DEMO_ACCOUNTS:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email=email,
                password=DEMO_PASSWORD,
                name=name,
                organisation=organisation,
                function=function,
                perspective=perspective,
                is_kamerlid=role == "kamerlid",
                is_staff=role == "organiser",
            )
        EmailAddress.objects.get_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        if role == "organiser":
            user.groups.add(organisers)
        users.append(user)
    return users


@transaction.atomic
def demo_seed() -> Event:
    """Seed the example event, its rooms and the demo accounts."""
    event = event_seed()
    accounts_seed()
    return event
