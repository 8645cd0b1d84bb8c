import datetime as dt
import secrets
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Perspective

# Letters and digits that cannot be mistaken for one another when typed from a screen.
JOIN_CODE_ALPHABET = "ACDEFGHJKLMNPQRTUVWXY34679"
JOIN_CODE_LENGTH = 6


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def new_vote_salt() -> str:
    return secrets.token_hex(32)


# First path segments of the site itself: an event's slug (its pages live under /<slug>/) may not be one.
RESERVED_SLUGS = frozenset(
    {
        "aanmelden", "aanmelding", "account", "accounts", "admin", "agenda", "api", "evenement",
        "evenementen", "healthz", "kamerlid", "kennisbank", "media", "mijn-aanmeldingen",
        "mijn-gegevens", "mijn-sessies", "organisatie", "organisaties", "organisator", "privacy",
        "profiel", "programma", "projector", "schedule", "static", "taal", "toegankelijkheid",
        "verslag", "ws", "zaal",
    }
)  # fmt: skip


def validate_event_slug(value: str) -> None:
    if value.lower() in RESERVED_SLUGS or value.lower().startswith(("schedule.", ".well-known")):
        raise ValidationError(
            _("“%(slug)s” is al een adres van de site zelf. Kies een andere korte naam."),
            code="reserved",
            params={"slug": value},
        )


class Organisation(models.Model):
    """A ministry, province, municipality, service provider or the programme itself: it owns events."""

    class Kind(models.TextChoices):
        PROGRAMME = "programme", _("Programma")
        MINISTRY = "ministry", _("Ministerie")
        PROVINCE = "province", _("Provincie")
        MUNICIPALITY = "municipality", _("Gemeente")
        PROVIDER = "provider", _("Uitvoeringsorganisatie")
        OTHER = "other", _("Andere organisatie")

    name = models.CharField(_("naam"), max_length=200, unique=True)
    slug = models.SlugField(_("korte naam"), unique=True)
    kind = models.CharField(_("soort"), max_length=20, choices=Kind.choices, default=Kind.OTHER)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisatie")
        verbose_name_plural = _("organisaties")

    def __str__(self):
        return self.name


PROGRAMME_ORGANISATION_SLUG = "programma"


def programme_organisation() -> Organisation:
    """The programme itself (Dag van de Publieke Dienstverlening): owner of events that name no other."""
    organisation, _created = Organisation.objects.get_or_create(
        slug=PROGRAMME_ORGANISATION_SLUG,
        defaults={
            "name": "Programma Dag van de Publieke Dienstverlening",
            "kind": Organisation.Kind.PROGRAMME,
        },
    )
    return organisation


class Event(models.Model):
    name = models.CharField(_("naam"), max_length=200)
    slug = models.SlugField(
        _("korte naam"),
        unique=True,
        validators=[validate_event_slug],
        help_text=_("Deel van het adres: /korte-naam/programma/. Kleine letters, cijfers en streepjes."),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name=_("organisatie"),
        null=True,  # filled in by save(): the programme's own organisation
    )
    acronym = models.CharField(
        _("acroniem"),
        max_length=40,
        help_text=_("Kleine letters en cijfers, bijvoorbeeld dvdpd2026."),
    )
    date = models.DateField(_("datum"), help_text=_("De (eerste) dag."))
    end_date = models.DateField(
        _("laatste dag"), null=True, blank=True, help_text=_("Alleen bij een evenement van meer dagen.")
    )
    programme_published = models.BooleanField(
        _("programma gepubliceerd"),
        default=False,
        help_text=_("Tot dan zien alleen de teams van de organisatie het programma."),
    )
    venue = models.CharField(_("locatie"), max_length=200, blank=True)
    time_zone = models.CharField(_("tijdzone"), max_length=64, default="Europe/Amsterdam")
    description = models.TextField(_("beschrijving"), blank=True)
    registration_open = models.BooleanField(
        _("aanmelden open"),
        default=True,
        help_text=_("De organisator opent en sluit de aanmelding; de datum van vandaag telt niet mee."),
    )
    registration_closes_at = models.DateTimeField(_("aanmelden sluit op"), null=True, blank=True)
    # Part of the keyed hash under which votes, upvotes and reactions are stored
    # (realtime/hashing.py). The purge empties it: from then on nobody can link
    # a vote of this event to a person, and voting in its rooms is refused.
    vote_salt = models.CharField(max_length=64, blank=True, default=new_vote_salt, editable=False)

    class Meta:
        ordering = ["date"]
        verbose_name = _("evenement")
        verbose_name_plural = _("evenementen")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if self.organisation_id is None:
            self.organisation = programme_organisation()
        super().save(*args, **kwargs)

    @property
    def last_date(self):
        """The last day of the event (the first, for an event of one day)."""
        return self.end_date or self.date

    @property
    def days(self) -> list:
        """Every day of the event, in order."""
        return [self.date + dt.timedelta(days=n) for n in range((self.last_date - self.date).days + 1)]

    def covers(self, day) -> bool:
        return self.date <= day <= self.last_date

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def registration_is_open(self, now=None) -> bool:
        now = now or timezone.now()
        if not self.registration_open:
            return False
        return self.registration_closes_at is None or now < self.registration_closes_at

    def clean(self):
        try:
            zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValidationError({"time_zone": _("Onbekende tijdzone.")})
        if self.end_date and self.date and self.end_date < self.date:
            raise ValidationError({"end_date": _("De laatste dag kan niet voor de eerste dag liggen.")})


class Team(models.Model):
    """
    People of an organisation with rights in its events (as pretix's teams).

    A team holds its rights in every event of the organisation (`all_events`)
    or in the events it names. Every check goes through events/permissions.py.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(_("naam"), max_length=200)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="teams", verbose_name=_("leden")
    )
    all_events = models.BooleanField(_("alle evenementen van de organisatie"), default=False)
    events = models.ManyToManyField(Event, blank=True, related_name="teams", verbose_name=_("evenementen"))
    can_manage_programme = models.BooleanField(_("programma beheren"), default=False)
    can_view_registrations = models.BooleanField(_("aanmeldingen inzien"), default=False)
    can_view_health_data = models.BooleanField(
        _("gezondheidsgegevens inzien"),
        default=False,
        help_text=_("Dieetwensen en toegankelijkheid; alleen samen met aanmeldingen inzien."),
    )
    can_run_rooms = models.BooleanField(_("live zalen leiden"), default=False)
    can_approve_reports = models.BooleanField(_("verslagen goedkeuren en publiceren"), default=False)
    can_send_messages = models.BooleanField(_("berichten sturen"), default=False)

    class Meta:
        ordering = ["organisation__name", "name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="team_name_unique")]

    def __str__(self):
        return f"{self.organisation} – {self.name}"


class Theme(models.Model):
    """A theme organisers tag sessions with (vereenvoudiging, gegevensdeling, ...): one managed list."""

    name = models.CharField(_("naam"), max_length=100, unique=True)
    slug = models.SlugField(_("korte naam"), unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("thema")
        verbose_name_plural = _("thema's")

    def __str__(self):
        return self.name


class Room(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(_("naam"), max_length=100)
    capacity = models.PositiveIntegerField(_("capaciteit"))
    position = models.PositiveSmallIntegerField(_("volgorde"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("zaal")
        verbose_name_plural = _("zalen")
        constraints = [models.UniqueConstraint(fields=["event", "name"], name="room_name_unique_per_event")]

    def __str__(self):
        return self.name


class SessionKind(models.TextChoices):
    TRIALOOG = "trialoog", _("Trialoog")
    WHOLE_SYSTEM = "whole_system", _("Whole system in the room")
    RONDETAFEL = "rondetafel", _("Rondetafel")
    WORKSHOP = "workshop", _("Workshop")
    PLENARY = "plenary", _("Plenair")


class RoomAccess(models.TextChoices):
    """Who may join a session's live room, besides its moderators, rapporteurs and the organisers."""

    AUTO = (
        "auto",
        _("Automatisch: alleen ingeschreven bij Chatham House of alleen Kamerleden, anders iedereen"),
    )
    EVENT = "event", _("Iedereen die is aangemeld voor het evenement")
    SIGNED_UP = "signed_up", _("Alleen wie is ingeschreven voor deze sessie")


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Gepland")
    DRAFT = "draft", _("Concept")
    CANCELLED = "cancelled", _("Geannuleerd")


class Session(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="sessions")
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=SessionStatus.choices,
        default=SessionStatus.SCHEDULED,
        help_text=_(
            "Een concept ziet alleen het team; een geannuleerde sessie blijft zichtbaar als geannuleerd."
        ),
    )
    themes = models.ManyToManyField(Theme, blank=True, related_name="sessions", verbose_name=_("thema's"))
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("zaal"))
    kind = models.CharField(_("soort"), max_length=20, choices=SessionKind.choices)
    title = models.CharField(_("titel"), max_length=200)
    description = models.TextField(_("beschrijving"), blank=True)
    host_organisation = models.CharField(_("organiserende organisatie"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("begint om"))
    ends_at = models.DateTimeField(_("eindigt om"))
    capacity = models.PositiveIntegerField(
        _("capaciteit"), null=True, blank=True, help_text=_("Leeg laten voor de capaciteit van de zaal.")
    )
    reserved_politiek = models.PositiveIntegerField(_("gereserveerd voor politiek"), default=0)
    reserved_beleid = models.PositiveIntegerField(_("gereserveerd voor beleid"), default=0)
    reserved_uitvoering = models.PositiveIntegerField(_("gereserveerd voor uitvoering"), default=0)
    reserved_until = models.DateTimeField(
        _("reservering vervalt op"),
        null=True,
        blank=True,
        help_text=_("Daarna zijn gereserveerde plaatsen open voor iedereen."),
    )
    signup_open = models.BooleanField(_("inschrijven open"), default=True)
    chatham_house = models.BooleanField(
        _("Chatham House-regel"),
        default=False,
        help_text=_("Inhoud mag gebruikt worden, maar exports noemen nooit namen."),
    )
    room_access = models.CharField(
        _("toegang tot de live zaal"),
        max_length=12,
        choices=RoomAccess.choices,
        default=RoomAccess.AUTO,
        help_text=_(
            "Gespreksleiders, rapporteurs en organisatoren komen er altijd in. "
            "Automatisch betekent: alleen ingeschreven deelnemers bij een Chatham House-sessie "
            "of een sessie met alleen plaatsen voor Kamerleden."
        ),
    )
    code = models.CharField(_("deelnamecode"), max_length=12, unique=True, default=new_join_code)
    moderators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="moderated_sessions",
        verbose_name=_("gespreksleiders"),
    )
    rapporteurs = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="reported_sessions", verbose_name=_("rapporteurs")
    )

    class Meta:
        ordering = ["starts_at", "room__position", "title"]
        verbose_name = _("sessie")
        verbose_name_plural = _("sessies")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start"
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def seat_capacity(self) -> int:
        return self.capacity if self.capacity is not None else self.room.capacity

    def reserved_for(self, perspective: str) -> int:
        return getattr(self, f"reserved_{perspective}", 0) if perspective else 0

    @property
    def reserved_total(self) -> int:
        return self.reserved_politiek + self.reserved_beleid + self.reserved_uitvoering

    def reservation_active(self, now=None) -> bool:
        if self.reserved_total == 0:
            return False
        return self.reserved_until is None or (now or timezone.now()) < self.reserved_until

    @property
    def kamerleden_only(self) -> bool:
        """Every seat is reserved for politiek: a session for Kamerleden only."""
        capacity = (
            self.capacity if self.capacity is not None else (self.room.capacity if self.room_id else None)
        )
        return bool(capacity) and self.reserved_politiek >= capacity

    @property
    def effective_room_access(self) -> str:
        """`room_access` with "auto" resolved: signed up only for Chatham House and Kamerleden-only sessions."""
        if self.room_access != RoomAccess.AUTO:
            return self.room_access
        if self.chatham_house or self.kamerleden_only:
            return RoomAccess.SIGNED_UP
        return RoomAccess.EVENT

    def clean(self):
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("Het einde moet na het begin liggen.")
        event = self.event if self.event_id else None
        if event and self.starts_at and self.ends_at:
            tz = event.tz
            start_day, end_day = self.starts_at.astimezone(tz).date(), self.ends_at.astimezone(tz).date()
            if start_day != end_day or not event.covers(start_day):
                if event.end_date and event.end_date != event.date:
                    errors["starts_at"] = _(
                        "De sessie moet op één dag van het evenement (%(first)s tot en met %(last)s) vallen."
                    ) % {
                        "first": event.date.strftime("%d-%m-%Y"),
                        "last": event.end_date.strftime("%d-%m-%Y"),
                    }
                else:
                    errors["starts_at"] = _(
                        "De sessie moet op de dag van het evenement (%(date)s) vallen."
                    ) % {"date": event.date.strftime("%d-%m-%Y")}
        if self.room_id and event and self.room.event_id != event.pk:
            errors["room"] = _("Deze zaal hoort bij een ander evenement.")
        if self.room_id and self.starts_at and self.ends_at and not errors:
            # A cancelled session frees its room, and a cancelled session occupies none.
            clash = (
                Session.objects.filter(
                    room_id=self.room_id, starts_at__lt=self.ends_at, ends_at__gt=self.starts_at
                )
                .exclude(pk=self.pk)
                .exclude(status=SessionStatus.CANCELLED)
                .first()
                if self.status != SessionStatus.CANCELLED
                else None
            )
            if clash:
                errors["room"] = _("Deze zaal is op dat moment al bezet door “%(title)s”.") % {
                    "title": clash.title
                }
        capacity = (
            self.capacity if self.capacity is not None else (self.room.capacity if self.room_id else None)
        )
        if capacity is not None and self.reserved_total > capacity:
            errors["reserved_politiek"] = _("Er zijn meer plaatsen gereserveerd dan er zijn.")
        if errors:
            raise ValidationError(errors)


class Registration(models.Model):
    """A person's registration for the event (person ↔ event)."""

    class Status(models.TextChoices):
        REGISTERED = "registered", _("Aangemeld")
        CANCELLED = "cancelled", _("Afgemeld")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="registrations")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.REGISTERED)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("aanmelding")
        verbose_name_plural = _("aanmeldingen")
        constraints = [models.UniqueConstraint(fields=["user", "event"], name="one_registration_per_event")]

    def __str__(self):
        return f"{self.user} – {self.event}"


class SessionSignup(models.Model):
    """A person's seat or waitlist place in one session (person ↔ session)."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Bevestigd")
        WAITLISTED = "waitlisted", _("Wachtlijst")
        CANCELLED = "cancelled", _("Geannuleerd")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="signups")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="signups")
    status = models.CharField(max_length=12, choices=Status.choices)
    perspective = models.CharField(max_length=12, choices=Perspective.choices, blank=True)
    reserved_seat = models.BooleanField(default=False)
    waitlist_position = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("inschrijving")
        verbose_name_plural = _("inschrijvingen")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "session"],
                condition=~models.Q(status="cancelled"),
                name="one_active_signup_per_session",
            ),
            models.CheckConstraint(
                condition=(models.Q(status="waitlisted") & models.Q(waitlist_position__isnull=False))
                | (~models.Q(status="waitlisted") & models.Q(waitlist_position__isnull=True)),
                name="waitlist_position_iff_waitlisted",
            ),
        ]
        indexes = [models.Index(fields=["session", "status"])]

    def __str__(self):
        return f"{self.user} – {self.session} ({self.status})"


class SessionTeamInvitation(models.Model):
    """
    An invitation to moderate or report on a session, sent to an email address that has no account yet.

    It is accepted when someone verifies that address (signing up with it):
    only the owner of the mailbox can, so the email needs no secret link.
    """

    class Role(models.TextChoices):
        MODERATOR = "moderator", _("Gespreksleider")
        RAPPORTEUR = "rapporteur", _("Rapporteur")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="team_invitations")
    email = models.EmailField(_("e-mailadres"))
    role = models.CharField(_("rol"), max_length=12, choices=Role.choices)
    expires_at = models.DateTimeField(_("verloopt op"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("uitnodiging voor een sessie")
        verbose_name_plural = _("uitnodigingen voor een sessie")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "email", "role"],
                condition=models.Q(accepted_at__isnull=True),
                name="one_open_team_invitation",
            )
        ]

    def __str__(self):
        return f"{self.email} – {self.session} ({self.role})"
