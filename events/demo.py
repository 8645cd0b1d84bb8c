"""
The example day: Dag van de Publieke Dienstverlening 2026, 17 June 2026; a standalone trialoog
of a province (11 February 2027) with its own team; and the 2027 day, cloned from the 2026 one.

Every function here is idempotent: running the seed twice leaves one copy.
"""

import datetime as dt

from allauth.account.models import EmailAddress
from django.db import transaction

from accounts.models import Perspective, User
from accounts.roles import organiser_group_ensure
from events.models import Event, Organisation, Room, Session, SessionKind, SessionStatus, Team, Theme
from events.services.clone import event_clone

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
        "provincie@example.org",
        "Petra Provincie",
        "Provincie Utrecht",
        "Programmaleider trialogen",
        Perspective.BELEID,
        "team",
    ),
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
            "programme_published": True,
        },
    )
    for position, (name, capacity) in enumerate(ROOMS):
        Room.objects.get_or_create(
            event=event, name=name, defaults={"capacity": capacity, "position": position}
        )
    return event


def accounts_seed() -> list[User]:
    """Create the demo accounts with verified email addresses."""
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


# title, kind, room, start, end, capacity (None: the room's), reserved politiek seats, host, description
PROGRAMME = [
    (
        "Opening: werk aan uitvoering, samen met de Kamer",
        SessionKind.PLENARY,
        "Plenaire zaal",
        "09:30",
        "10:15",
        None,
        0,
        "Werk aan Uitvoering",
        "Welkom door de voorzitter van de Tweede Kamer en de programmadirecteur. "
        "Wat vraagt goede publieke dienstverlening van politiek, beleid en uitvoering?",
    ),
    (
        "Trialoog: de Vereenvoudigingswet",
        SessionKind.TRIALOOG,
        "Thorbeckezaal",
        "10:30",
        "11:45",
        None,
        6,
        "Ministerie van BZK",
        "Eén wet die knelpunten in vele wetten tegelijk oplost. Wat betekent dat voor de uitvoering, "
        "wat vraagt het van professionals en hoe merken mensen en bedrijven het?",
    ),
    (
        "Trialoog: gegevensdeling tussen uitvoerders",
        SessionKind.TRIALOOG,
        "Troelstrazaal",
        "10:30",
        "11:45",
        None,
        4,
        "UWV, SVB en gemeenten",
        "Mensen willen hun gegevens niet steeds opnieuw aanleveren. Waar botsen privacy, "
        "rechtmatigheid en gemak, en wie beslist?",
    ),
    (
        "Rondetafel: de menselijke maat in brieven en beschikkingen",
        SessionKind.RONDETAFEL,
        "Schermerhornzaal",
        "10:30",
        "11:45",
        None,
        0,
        "Belastingdienst",
        "Professionals en ervaringsdeskundigen lezen echte brieven en zoeken samen naar heldere taal.",
    ),
    (
        "Rondetafel: kleine kring met Kamerleden",
        SessionKind.RONDETAFEL,
        "Groen van Prinstererzaal",
        "10:30",
        "11:45",
        3,
        1,
        "Tweede Kamer",
        "Een klein gezelschap spreekt vrijuit met Kamerleden over signalen uit de uitvoering. "
        "Er zijn weinig plaatsen; vol is wachtlijst.",
    ),
    (
        "Trialoog: de uitvoeringstoets en de oplegger",
        SessionKind.TRIALOOG,
        "Thorbeckezaal",
        "12:45",
        "14:00",
        None,
        6,
        "Ministerie van SZW",
        "Hoe zorgt de oplegger bij een wetsvoorstel ervoor dat de uitkomst van de uitvoeringstoets "
        "echt meeweegt in het debat?",
    ),
    (
        "Trialoog: de sneltoets op moties en amendementen",
        SessionKind.TRIALOOG,
        "Troelstrazaal",
        "12:45",
        "14:00",
        None,
        4,
        "Werk aan Uitvoering",
        "Een motie is snel aangenomen, maar is ze ook uitvoerbaar? Oefen met een sneltoets op echte voorstellen.",
    ),
    (
        "Whole system in the room: bestaanszekerheid en schulden",
        SessionKind.WHOLE_SYSTEM,
        "Schermerhornzaal",
        "12:45",
        "15:30",
        None,
        0,
        "Werk aan Uitvoering",
        "Alle betrokkenen verkennen samen verleden, heden en gewenste toekomst, zoeken gedeelde grond "
        "en eindigen met acties die een eigenaar hebben.",
    ),
    (
        "Trialoog: Beleid zoekt Uitvoerder",
        SessionKind.TRIALOOG,
        "Thorbeckezaal",
        "14:15",
        "15:30",
        None,
        6,
        "Ministerie van OCW en DUO",
        "Beleidsmakers en uitvoerders ruilen een dag van werk. Wat leer je als je de ander echt ziet werken?",
    ),
    (
        "Trialoog: grip op arbeidsmarktschaarste",
        SessionKind.TRIALOOG,
        "Troelstrazaal",
        "14:15",
        "15:30",
        None,
        4,
        "UWV",
        "Uitvoerders vinden te weinig mensen. Welke wensen uit politiek en beleid kunnen dan niet, of later?",
    ),
    (
        "Rondetafel: ervaringen van ondernemers met de overheid",
        SessionKind.RONDETAFEL,
        "Groen van Prinstererzaal",
        "14:15",
        "15:30",
        None,
        0,
        "KVK",
        "Ondernemers vertellen waar ze vastlopen; uitvoerders en beleidsmakers luisteren en vragen door.",
    ),
    (
        "Slot: wat nemen we mee?",
        SessionKind.PLENARY,
        "Plenaire zaal",
        "16:00",
        "16:45",
        None,
        0,
        "Werk aan Uitvoering",
        "De rapporteurs delen de gedeelde grond en de acties van de dag. Daarna een borrel.",
    ),
]


def programme_seed(event: Event) -> list[Session]:
    """
    Create the example day's programme, with the demo moderator leading every trialoog.

    The reserved politiek seats have no deadline, so they stay held until an
    organiser releases them; sessions are looked up by event and title.
    """
    rooms = {room.name: room for room in event.rooms.all()}
    moderator = User.objects.filter(email="moderator@example.org").first()
    sessions = []
    for title, kind, room, start, end, capacity, politiek, host, description in PROGRAMME:
        starts_at, ends_at = (
            dt.datetime.combine(event.date, dt.time.fromisoformat(t), tzinfo=event.tz) for t in (start, end)
        )
        session = Session.objects.filter(event=event, title=title).first()
        if session is None:
            session = Session(
                event=event,
                title=title,
                kind=kind,
                room=rooms[room],
                starts_at=starts_at,
                ends_at=ends_at,
                capacity=capacity,
                reserved_politiek=politiek,
                host_organisation=host,
                description=description,
            )
            session.full_clean()
            session.save()
        if moderator and kind == SessionKind.TRIALOOG:
            session.moderators.add(moderator)
        sessions.append(session)
    return sessions


# The managed list of themes organisers tag sessions with, and which demo sessions carry which.
THEMES = [
    ("arbeidsmarkt", "Arbeidsmarkt"),
    ("dienstverlening", "Dienstverlening"),
    ("gegevensdeling", "Gegevensdeling"),
    ("uitvoeringstoets", "Uitvoeringstoets"),
    ("vereenvoudiging", "Vereenvoudiging"),
]
THEMES_BY_WORD = {
    "vereenvoudig": ["vereenvoudiging"],
    "gegevens": ["gegevensdeling"],
    "werk": ["arbeidsmarkt"],
    "uitvoeringstoets": ["uitvoeringstoets"],
    "dienstverlening": ["dienstverlening"],
}


def themes_seed() -> dict[str, Theme]:
    return {slug: Theme.objects.get_or_create(slug=slug, defaults={"name": name})[0] for slug, name in THEMES}


def session_themes_seed(sessions: list[Session], themes: dict[str, Theme]) -> None:
    """Tag each demo session with the themes its title and description speak of."""
    for session in sessions:
        text = f"{session.title} {session.description}".lower()
        slugs = {slug for word, found in THEMES_BY_WORD.items() if word in text for slug in found}
        session.themes.add(*(themes[slug] for slug in sorted(slugs)))


PROVINCE_SLUG = "provincie-utrecht"
PROVINCE_EVENT_SLUG = "trialoog-werk-in-de-regio-2027"


def province_seed(themes: dict[str, Theme]) -> Event:
    """
    A standalone trialoog organised by a province, run by its own team (the demo account provincie@).

    The team holds every right in the province's events except the health data.
    """
    province, _ = Organisation.objects.get_or_create(
        slug=PROVINCE_SLUG, defaults={"name": "Provincie Utrecht", "kind": Organisation.Kind.PROVINCE}
    )
    event, _ = Event.objects.get_or_create(
        slug=PROVINCE_EVENT_SLUG,
        defaults={
            "name": "Trialoog: werk vinden in de regio",
            "acronym": "utrecht2027",
            "organisation": province,
            "date": dt.date(2027, 2, 11),
            "venue": "Provinciehuis Utrecht",
            "time_zone": "Europe/Amsterdam",
            "description": (
                "Statenleden, beleidsmakers van provincie en gemeenten en de uitvoering (UWV, "
                "werkgeversservicepunten) zoeken samen naar wat mensen helpt om in de regio werk te vinden."
            ),
            "registration_open": True,
            "programme_published": True,
        },
    )
    room, _ = Room.objects.get_or_create(event=event, name="Statenzaal", defaults={"capacity": 60})
    team, _ = Team.objects.get_or_create(
        organisation=province,
        name="Team trialogen",
        defaults={
            "all_events": True,
            "can_manage_programme": True,
            "can_view_registrations": True,
            "can_run_rooms": True,
            "can_approve_reports": True,
            "can_send_messages": True,
        },
    )
    lead = User.objects.filter(email="provincie@example.org").first()
    if lead is not None:
        team.members.add(lead)
    title = "Trialoog: werk vinden in de regio"
    session = Session.objects.filter(event=event, title=title).first()
    if session is None:
        session = Session(
            event=event,
            title=title,
            kind=SessionKind.TRIALOOG,
            room=room,
            starts_at=dt.datetime.combine(event.date, dt.time(14, 0), tzinfo=event.tz),
            ends_at=dt.datetime.combine(event.date, dt.time(16, 30), tzinfo=event.tz),
            reserved_politiek=8,
            host_organisation="Provincie Utrecht",
            description=(
                "Werkzoekenden vallen tussen regelingen van gemeente, UWV en provincie. "
                "Welke knelpunten ziet de uitvoering, en wat kan de politiek er nu aan doen?"
            ),
        )
        session.full_clean()
        session.save()
    session.themes.add(themes["arbeidsmarkt"])
    if lead is not None:
        session.moderators.add(lead)
    return event


@transaction.atomic
def demo_seed() -> Event:
    """
    Seed the example day (its rooms, programme and themes), the demo accounts, the province's trialoog
    and the next edition of the day, cloned from it. Returns the example day.
    """
    event = event_seed()
    accounts_seed()
    themes = themes_seed()
    session_themes_seed(programme_seed(event), themes)
    province_seed(themes)
    next_edition_seed(event)
    return event


NEXT_EDITION_SLUG = "dvdpd-2027"


def next_edition_seed(day: Event) -> Event | None:
    """
    The 2027 day, cloned from the example day as an organiser would (events/services/clone.py).

    Its programme is published at once and registration is open, so the demo
    shows an edition people can sign up for; its sessions have no moderators yet.
    """
    found = Event.objects.filter(slug=NEXT_EDITION_SLUG).first()
    if found is not None:
        return found
    organiser = User.objects.filter(email="organisator@example.org").first()
    if organiser is None:
        return None
    edition = event_clone(
        user=organiser,
        source=day,
        name="Dag van de Publieke Dienstverlening 2027",
        slug=NEXT_EDITION_SLUG,
        acronym="dvdpd2027",
        date=dt.date(2027, 6, 16),
    )
    edition.sessions.update(status=SessionStatus.SCHEDULED)
    Event.objects.filter(pk=edition.pk).update(programme_published=True, registration_open=True)
    edition.refresh_from_db()
    return edition
