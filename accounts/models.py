import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class Perspective(models.TextChoices):
    POLITIEK = "politiek", _("Politiek")
    BELEID = "beleid", _("Beleid")
    UITVOERING = "uitvoering", _("Uitvoering")
    ANDERS = "anders", _("Anders")


TRIALOOG_PERSPECTIVES = (Perspective.POLITIEK, Perspective.BELEID, Perspective.UITVOERING)


def new_calendar_token() -> str:
    return secrets.token_urlsafe(24)


class UserManager(DjangoUserManager):
    """Manager for a user model that logs in with email instead of a username."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person with an account. Email is the login; the profile lives on the same row."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("e-mailadres"), unique=True)
    name = models.CharField(_("naam"), max_length=150, blank=True)
    organisation = models.CharField(_("organisatie"), max_length=150, blank=True)
    function = models.CharField(_("functie"), max_length=150, blank=True)
    perspective = models.CharField(_("perspectief"), max_length=12, choices=Perspective.choices, blank=True)
    is_kamerlid = models.BooleanField(
        _("Kamerlid"),
        default=False,
        help_text=_("Alleen via een uitnodiging of door een organisator."),
    )
    consent_photos = models.BooleanField(_("toestemming voor foto's"), default=False)
    consent_contact = models.BooleanField(_("contact na het evenement"), default=False)
    consent_listed = models.BooleanField(_("naam op de deelnemerslijst"), default=False)
    consent_needs = models.BooleanField(_("toestemming voor wensen en behoeften"), default=False)
    diet = models.CharField(_("dieetwensen"), max_length=300, blank=True)
    access_needs = models.CharField(_("toegankelijkheid"), max_length=300, blank=True)
    calendar_token = models.CharField(max_length=64, unique=True, default=new_calendar_token)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("gebruiker")
        verbose_name_plural = _("gebruikers")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_kamerlid=False) | models.Q(perspective="politiek"),
                name="kamerlid_is_politiek",
            ),
            models.CheckConstraint(
                condition=models.Q(consent_needs=True) | (models.Q(diet="") & models.Q(access_needs="")),
                name="needs_only_with_consent",
            ),
        ]

    def __str__(self):
        return self.name or self.email

    @property
    def display_name(self) -> str:
        return self.name or self.email.split("@")[0]

    @property
    def profile_complete(self) -> bool:
        return bool(self.name and self.organisation and self.perspective)

    @property
    def is_organiser(self) -> bool:
        return self.is_superuser or self.groups.filter(name=ORGANISER_GROUP).exists()


ORGANISER_GROUP = "Organisatoren"
CONSENT_FIELDS = ("consent_photos", "consent_contact", "consent_listed", "consent_needs")


class AuditLog(models.Model):
    """Who changed what and when, for role changes and moderator corrections."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=64)
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    target = models.CharField(max_length=200, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("auditregel")
        verbose_name_plural = _("auditlog")

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.target}"


class KamerlidInvitation(models.Model):
    """
    A single-use invitation that makes the invited email address a Kamerlid.

    Only a SHA-256 hash of the token is stored, so a database leak cannot be
    turned into working links.
    """

    email = models.EmailField(_("e-mailadres"))
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(_("verloopt op"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("Kamerlid-uitnodiging")
        verbose_name_plural = _("Kamerlid-uitnodigingen")

    def __str__(self):
        return self.email
