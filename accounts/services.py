"""Writes for accounts: profile, roles, Kamerlid invitations and privacy self-service."""

import datetime as dt
import hashlib
import secrets

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from accounts.models import (
    CONSENT_FIELDS,
    ORGANISER_GROUP,
    AuditLog,
    KamerlidInvitation,
    Perspective,
    User,
    new_calendar_token,
)
from accounts.selectors import user_data_export
from accounts.signals import sessions_revoked
from mail.services import mail_send

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


def user_data_download(*, user: User) -> dict:
    """
    Everything held about the person, for "download my data" (AVG art. 15 and 20).

    Writes an audit line first, so the export lists this download too.
    """
    audit_log(actor=user, action="privacy.data_downloaded", target_user=user)
    return user_data_export(user=user)


def _where(path: str) -> str:
    return "admin" if path.startswith("/admin/") else "site"


def login_audit(*, user: User, path: str) -> AuditLog:
    """Write an audit line for a successful login, and where it happened (the site or the admin)."""
    return audit_log(actor=user, action="login.succeeded", target_user=user, detail={"where": _where(path)})


def login_identifier_hash(identifier: str) -> str:
    """
    A keyed hash (HMAC-SHA256 with SECRET_KEY) of a login identifier, trimmed and in lower case.

    Failed logins are audited under this hash, never the typed text: a typo
    may be someone else's address, and a password typed into the email
    field must not be stored. With SECRET_KEY, the hash of a known address
    can be computed again to find its failed logins.
    """
    normalised = " ".join(str(identifier).split()).lower()
    return salted_hmac("trialoog.login-identifier", normalised, algorithm="sha256").hexdigest()


def login_failed_audit(*, credentials: dict, path: str) -> AuditLog:
    """
    Write an audit line for a failed login, without the password or the typed identifier.

    The line holds the identifier's keyed hash (`login_identifier_hash`)
    and, when an account has that address, links to it so the person sees
    the attempt in "download my data".
    """
    identifier = next((credentials[k] for k in ("email", "username", "login") if credentials.get(k)), "")
    target = User.objects.filter(email__iexact=str(identifier).strip()).first() if identifier else None
    return audit_log(
        actor=None,
        action="login.failed",
        target_user=target,
        detail={
            "identifier_hash": login_identifier_hash(identifier) if identifier else "",
            "where": _where(path),
        },
    )


@transaction.atomic
def profile_update(*, user: User, data: dict) -> User:
    """
    Save the profile fields in `data` (already shape-checked by ProfileForm).

    A Kamerlid keeps the politiek perspective. Withdrawing consent for needs
    deletes the needs at once. A consent given or withdrawn writes an audit
    line naming which.
    """
    consents_before = consents_stored(user)
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
    consent_audit(actor=user, user=user, before=consents_before)
    return user


def consents_stored(user: User) -> dict[str, bool]:
    """
    The person's consents as stored, to compare after a change (one query; none for an unsaved user).

    Read from the database, not the instance: a model form has already put
    the new values on the instance before the service runs.
    """
    stored = User.objects.filter(pk=user.pk).values(*CONSENT_FIELDS).first() if user.pk else None
    return stored or dict.fromkeys(CONSENT_FIELDS, False)


def consent_audit(*, actor: User | None, user: User, before: dict[str, bool]) -> AuditLog | None:
    """
    Write one audit line when consents differ from `before`; return it, or None when nothing changed.

    The line names the consents given and withdrawn, and who changed them
    (the person, or an organiser in the admin).
    """
    after = {field: getattr(user, field) for field in CONSENT_FIELDS}
    given = sorted(field for field in CONSENT_FIELDS if after[field] and not before[field])
    withdrawn = sorted(field for field in CONSENT_FIELDS if before[field] and not after[field])
    if not (given or withdrawn):
        return None
    return audit_log(
        actor=actor,
        action="consent.changed",
        target_user=user,
        detail={"given": given, "withdrawn": withdrawn},
    )


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


def user_sessions_delete(*, user: User) -> int:
    """
    Delete every stored login session of `user`, on every device; return how many.

    The database session engines (`db`, `cached_db`: the project uses `db`)
    keep the user id only inside each encoded row, so every row is decoded.
    Deleting through the session store also empties a cache in front of it.
    With a cache-only engine the sessions cannot be listed; they end when
    they expire, and the user they name no longer exists.
    """
    if settings.SESSION_ENGINE not in {
        "django.contrib.sessions.backends.db",
        "django.contrib.sessions.backends.cached_db",
    }:
        return 0
    store = import_string(f"{settings.SESSION_ENGINE}.SessionStore")()
    keys = [
        key
        for key, data in Session.objects.values_list("session_key", "session_data").iterator()
        if store.decode(data).get(SESSION_KEY) == str(user.pk)
    ]
    for key in keys:
        store.delete(key)
    return len(keys)


@transaction.atomic
def user_delete(*, user: User) -> None:
    """
    Delete the account and every personal field.

    Seats are given up first (so the waitlist moves on). Questions and notes
    stay, anonymised, because their author link is set to NULL; actions that
    name the person as owner lose that name (`action_owner_erase`), and
    approved and published reports, which keep a frozen copy, lose the
    person's name and organisation too (`report_person_erase`); the rooms'
    replay logs, whose frames may carry the name, are emptied
    (`room_events_forget`). Every login
    session of the person ends (`user_sessions_delete`) and
    `sessions_revoked` is sent, so open room sockets close. Writes an audit
    line without personal data.
    """
    # Imported here: the services of events, realtime and reports import audit_log from this
    # module, so importing theirs at the top would be a circle. (Moving the erasure out of
    # accounts.services would lift it; see docs/architecture.md.)
    from events.models import Registration
    from events.services.registration import registration_cancel
    from realtime.selectors import session_ids_with_person
    from realtime.services.notes import action_owner_erase
    from realtime.services.rooms import room_events_forget
    from reports.services import report_person_erase

    session_ids = session_ids_with_person(user=user)
    report_person_erase(user=user, session_ids=session_ids)
    # First the frames that may carry the name, then the erasure's own frames (action.saved without it).
    room_events_forget(session_ids=session_ids)
    action_owner_erase(user=user, session_ids=session_ids)
    for registration in Registration.objects.filter(user=user).select_related("event"):
        registration_cancel(user=user, event=registration.event)
    user_sessions_delete(user=user)
    sessions_revoked.send(sender=User, user=user)
    pk = user.pk
    user.delete()
    AuditLog.objects.create(action="account.deleted", target=f"user:{pk}")


@transaction.atomic
def user_sessions_end(*, user: User) -> int:
    """
    End every session of this person, on every device, the current one included; return how many.

    Deletes the rows through `user_sessions_delete` and sends
    `accounts.signals.sessions_revoked`, so the live rooms close that person's
    sockets (they act after commit). Writes an audit line.
    """
    ended = user_sessions_delete(user=user)
    audit_log(actor=user, action="account.sessions.ended", target_user=user, detail={"sessions": ended})
    sessions_revoked.send(sender=User, user=user)
    return ended


def calendar_token_rotate(*, user: User) -> str:
    """
    Give the person a new secret calendar-feed address; the old address answers 404 from now on.

    Returns the new token.
    """
    user.calendar_token = new_calendar_token()
    user.save(update_fields=["calendar_token"])
    audit_log(actor=user, action="account.calendar_token.rotated", target_user=user)
    return user.calendar_token
