"""Writes for accounts: profile, roles, Kamerlid invitations and privacy self-service."""

import datetime as dt
import hashlib
import secrets

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ORGANISER_GROUP, AuditLog, KamerlidInvitation, Perspective, User
from trialoog.mail import mail_send

INVITATION_VALIDITY = dt.timedelta(days=14)
PROFILE_FIELDS = (
    "name",
    "organisation",
    "function",
    "perspective",
    "consent_photos",
    "consent_contact",
    "consent_listed",
    "consent_needs",
    "diet",
    "access_needs",
)


def audit_log(
    *, actor: User | None, action: str, target_user: User | None = None, detail: dict | None = None
) -> AuditLog:
    """Append one line to the audit log. Never updated or deleted by the application."""
    return AuditLog.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        target_user=target_user,
        target=f"user:{target_user.pk}" if target_user else "",
        detail=detail or {},
    )


@transaction.atomic
def profile_update(*, user: User, data: dict) -> User:
    """
    Save the profile fields in `data` (already shape-checked by ProfileForm).

    A Kamerlid keeps the politiek perspective. Withdrawing consent for needs
    deletes the needs at once.
    """
    for field in PROFILE_FIELDS:
        if field in data:
            setattr(user, field, data[field])
    if user.is_kamerlid and user.perspective != Perspective.POLITIEK:
        raise ValidationError({"perspective": _("Als Kamerlid is uw perspectief altijd politiek.")})
    if not user.consent_needs:
        user.diet = ""
        user.access_needs = ""
    user.full_clean(exclude=["password"])
    user.save()
    return user


def _is_organiser(user: User) -> bool:
    return user.is_authenticated and user.is_organiser


@transaction.atomic
def kamerlid_set(*, actor: User, user: User, value: bool, via: str = "organiser") -> User:
    """
    Mark or unmark a user as Kamerlid. Only organisers may do this directly.

    Marking also sets the perspective to politiek. Writes an audit line.
    """
    if not _is_organiser(actor):
        raise PermissionDenied
    return _kamerlid_apply(actor=actor, user=user, value=value, via=via)


def _kamerlid_apply(*, actor: User | None, user: User, value: bool, via: str) -> User:
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_kamerlid == value:
        return user
    user.is_kamerlid = value
    if value:
        user.perspective = Perspective.POLITIEK
    user.save(update_fields=["is_kamerlid", "perspective"])
    audit_log(
        actor=actor,
        action="role.kamerlid.granted" if value else "role.kamerlid.revoked",
        target_user=user,
        detail={"via": via},
    )
    return user


@transaction.atomic
def organiser_set(*, actor: User, user: User, value: bool) -> User:
    """Add a user to, or remove them from, the organiser group (with admin access). Superusers only."""
    if not (actor.is_authenticated and actor.is_superuser):
        raise PermissionDenied
    group, _created = Group.objects.get_or_create(name=ORGANISER_GROUP)
    if value:
        user.groups.add(group)
    else:
        user.groups.remove(group)
    user.is_staff = value or user.is_superuser
    user.save(update_fields=["is_staff"])
    audit_log(
        actor=actor, action="role.organiser.granted" if value else "role.organiser.revoked", target_user=user
    )
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def kamerlid_invitation_create(
    *, actor: User, email: str, send: bool = True
) -> tuple[KamerlidInvitation, str]:
    """
    Create a single-use Kamerlid invitation bound to `email`; return it with its secret token.

    Only the token's hash is stored. Emails the link after commit when `send`.
    """
    if not _is_organiser(actor):
        raise PermissionDenied
    token = secrets.token_urlsafe(32)
    invitation = KamerlidInvitation(
        email=email.strip().lower(),
        token_hash=_token_hash(token),
        expires_at=timezone.now() + INVITATION_VALIDITY,
        created_by=actor,
    )
    invitation.full_clean()
    invitation.save()
    audit_log(actor=actor, action="invitation.kamerlid.created", detail={"invitation": invitation.pk})
    if send:
        transaction.on_commit(
            lambda: mail_send(
                to=invitation.email,
                template="kamerlid_invitation",
                context={"token": token, "expires_at": invitation.expires_at},
            )
        )
    return invitation, token


def kamerlid_invitation_get(*, token: str) -> KamerlidInvitation | None:
    """Return the invitation for a token, or None for an unknown (forged) token."""
    if not token or len(token) > 100:
        return None
    return KamerlidInvitation.objects.filter(token_hash=_token_hash(token)).first()


@transaction.atomic
def kamerlid_invitation_accept(*, user: User, token: str) -> User:
    """
    Make `user` a Kamerlid through an invitation.

    The invitation must exist, be unused and unexpired, and be addressed to
    one of the user's verified email addresses. Marks it used. Writes an
    audit line.
    """
    from allauth.account.models import EmailAddress

    invitation = kamerlid_invitation_get(token=token)
    if invitation is None:
        raise ValidationError(_("Deze uitnodiging bestaat niet."), code="invitation_unknown")
    invitation = KamerlidInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.used_at is not None:
        raise ValidationError(_("Deze uitnodiging is al gebruikt."), code="invitation_used")
    if invitation.expires_at <= timezone.now():
        raise ValidationError(
            _("Deze uitnodiging is verlopen. Vraag de organisatie om een nieuwe."), code="invitation_expired"
        )
    if not EmailAddress.objects.filter(user=user, email__iexact=invitation.email, verified=True).exists():
        raise ValidationError(
            _(
                "Deze uitnodiging is voor een ander e-mailadres. Log in met het adres waarop u de uitnodiging kreeg."
            ),
            code="invitation_wrong_email",
        )
    invitation.used_at = timezone.now()
    invitation.used_by = user
    invitation.save(update_fields=["used_at", "used_by"])
    return _kamerlid_apply(actor=user, user=user, value=True, via=f"invitation:{invitation.pk}")


@transaction.atomic
def user_delete(*, user: User) -> None:
    """
    Delete the account and every personal field.

    Seats are given up first (so the waitlist moves on). Questions and notes
    stay, anonymised, because their author link is set to NULL; approved and
    published reports, which keep a frozen copy, lose the person's name and
    organisation too (`reports.services.report_author_erase`). Writes an
    audit line without personal data.
    """
    from events.models import Registration
    from events.services.registration import registration_cancel
    from reports.services import report_author_erase

    for registration in Registration.objects.filter(user=user).select_related("event"):
        registration_cancel(user=user, event=registration.event)
    report_author_erase(user=user)
    pk = user.pk
    user.delete()
    AuditLog.objects.create(action="account.deleted", target=f"user:{pk}")
