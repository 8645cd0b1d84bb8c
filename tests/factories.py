"""
One factory per model, with no surprises.

Times are aware datetimes on the event day (17 June 2026, Europe/Amsterdam),
so sessions pass `Session.clean()` unless a test says otherwise.
"""

import datetime as dt
import zoneinfo

import factory
from allauth.account.models import EmailAddress

from accounts.models import Perspective, User
from events.models import Event, Organisation, Registration, Room, Session, SessionKind, SessionSignup, Team

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")
EVENT_DATE = dt.date(2026, 6, 17)


def at(hour: int, minute: int = 0, date: dt.date = EVENT_DATE) -> dt.datetime:
    """An aware datetime at the given Amsterdam wall-clock time on the event day."""
    return dt.datetime.combine(date, dt.time(hour, minute), tzinfo=AMSTERDAM)


def event_path(rest: str = "", event: Event | None = None) -> str:
    """The path of an event's page, `/<slug>/<rest>`: of `event`, else of the demo day when seeded, else of the only event."""
    slug = (event or Event.objects.filter(slug="dvdpd-2026").first() or Event.objects.get()).slug
    return f"/{slug}/{rest}"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"persoon{n}@example.org")
    name = factory.Sequence(lambda n: f"Persoon {n}")
    organisation = "UWV"
    function = "Adviseur"
    perspective = Perspective.UITVOERING
    password = factory.django.Password("demo-trialoog")

    @factory.post_generation
    def verified_email(obj, create, extracted, **kwargs):
        """Give the user a verified, primary allauth address; pass verified_email=False to skip."""
        if create and extracted is not False:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event
        django_get_or_create = ("slug",)

    name = "Dag van de Publieke Dienstverlening 2026"
    slug = factory.Sequence(lambda n: f"dvdpd-2026-{n}")
    acronym = "dvdpd2026"
    date = EVENT_DATE
    venue = "Tweede Kamer, Den Haag"
    time_zone = "Europe/Amsterdam"
    registration_open = True
    programme_published = True


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Provincie {n}")
    slug = factory.Sequence(lambda n: f"provincie-{n}")
    kind = Organisation.Kind.PROVINCE


class TeamFactory(factory.django.DjangoModelFactory):
    """A team of an organisation; pass the rights (can_manage_programme=True, ...) and events=[...]."""

    class Meta:
        model = Team
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Team {n}")

    @factory.post_generation
    def members(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.members.set(extracted)

    @factory.post_generation
    def events(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.events.set(extracted)


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    event = factory.SubFactory(EventFactory)
    name = factory.Sequence(lambda n: f"Zaal {n}")
    capacity = 40
    position = factory.Sequence(lambda n: n)


class SessionFactory(factory.django.DjangoModelFactory):
    """A trialoog from 10:30 to 11:45 in its own room."""

    class Meta:
        model = Session

    event = factory.SubFactory(EventFactory)
    room = factory.SubFactory(RoomFactory, event=factory.SelfAttribute("..event"))
    kind = SessionKind.TRIALOOG
    title = factory.Sequence(lambda n: f"Trialoog {n}")
    description = "Een concreet dilemma, besproken door politiek, beleid en uitvoering."
    starts_at = factory.LazyFunction(lambda: at(10, 30))
    ends_at = factory.LazyFunction(lambda: at(11, 45))


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    user = factory.SubFactory(UserFactory)
    event = factory.SubFactory(EventFactory)
    status = Registration.Status.REGISTERED


class SessionSignupFactory(factory.django.DjangoModelFactory):
    """A confirmed seat; the factory writes the row directly and enforces no capacity rules."""

    class Meta:
        model = SessionSignup

    user = factory.SubFactory(UserFactory)
    session = factory.SubFactory(SessionFactory)
    status = SessionSignup.Status.CONFIRMED
    perspective = factory.SelfAttribute("user.perspective")
    waitlist_position = None
