"""
Moderators and rapporteurs of a session: added from a search, removed, or invited by email.

Only people among the event's registrations and the organisation's team
members can be added (`events.organiser_selectors.session_team_candidates`),
so an organiser cannot browse every account on the platform. An address
without an account gets an invitation (`SessionTeamInvitation`) by email; it is
accepted when that address is verified, at sign-up. Adding or removing goes
through the m2m relation, whose signals make the person's open live-room
sockets check their role again (realtime/receivers.py).
"""

import datetime as dt

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import audit_log
from events.models import Session, SessionTeamInvitation
from events.organiser_selectors import session_team_candidates
from events.services.programme import require_programme
from mail.services import mail_send

INVITATION_VALIDITY = dt.timedelta(days=30)
Role = SessionTeamInvitation.Role


def _relation(session: Session, role: str):
    if role == Role.MODERATOR:
        return session.moderators
    if role == Role.RAPPORTEUR:
        return session.rapporteurs
    raise ValidationError(_("Onbekende rol."), code="unknown_role")


@transaction.atomic
def session_team_add(*, user: User, session: Session, person: User, role: str) -> None:
    """Make `person` a moderator or rapporteur of the session. Writes an audit line."""
    require_programme(user, session.event)
    relation = _relation(session, role)
    if not session_team_candidates(event=session.event).filter(pk=person.pk).exists():
        raise ValidationError(
            _(
                "Deze persoon is niet aangemeld voor het evenement en zit niet in een team van de organisatie."
            ),
            code="not_a_candidate",
        )
    relation.add(person)
    audit_log(actor=user, action=f"session.{role}.added", target_user=person, detail={"session": session.pk})


@transaction.atomic
def session_team_remove(*, user: User, session: Session, person: User, role: str) -> None:
    """Take `person` off the session's moderators or rapporteurs. Writes an audit line."""
    require_programme(user, session.event)
    _relation(session, role).remove(person)
    audit_log(
        actor=user, action=f"session.{role}.removed", target_user=person, detail={"session": session.pk}
    )


@transaction.atomic
def session_team_invite(
    *, user: User, session: Session, email: str, role: str
) -> SessionTeamInvitation | None:
    """
    Invite an email address to moderate or report on the session.

    When a verified account already has the address, that person is added
    straight away (they must be a candidate, as for `session_team_add`) and None
    is returned. Otherwise an invitation is stored and emailed after commit;
    inviting the same address for the same role again sends it again with a
    new expiry.
    """
    require_programme(user, session.event)
    _relation(session, role)
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": _("Vul een geldig e-mailadres in.")}) from None
    account = EmailAddress.objects.filter(email__iexact=email, verified=True).select_related("user").first()
    if account is not None:
        session_team_add(user=user, session=session, person=account.user, role=role)
        return None
    invitation, _created = SessionTeamInvitation.objects.update_or_create(
        session=session,
        email=email,
        role=role,
        accepted_at=None,
        defaults={"expires_at": timezone.now() + INVITATION_VALIDITY, "created_by": user},
    )
    mail_send(
        to=email,
        template="session_team_invitation",
        context={"session": session, "event": session.event, "role": invitation.get_role_display()},
    )
    audit_log(
        actor=user,
        action="session.invitation.created",
        detail={"session": session.pk, "invitation": invitation.pk},
    )
    return invitation


@transaction.atomic
def session_team_invitations_accept(*, user: User, email: str) -> int:
    """
    Accept every open, unexpired invitation to `email` now that `user` has verified it; return how many.

    Called when an address is confirmed (events/receivers.py). The person
    becomes moderator or rapporteur of each session; each invitation is marked
    accepted and an audit line written.
    """
    open_invitations = SessionTeamInvitation.objects.select_for_update().filter(
        email__iexact=email, accepted_at__isnull=True, expires_at__gt=timezone.now()
    )
    accepted = 0
    for invitation in open_invitations.select_related("session"):
        _relation(invitation.session, invitation.role).add(user)
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        audit_log(
            actor=user,
            action=f"session.{invitation.role}.accepted",
            target_user=user,
            detail={"session": invitation.session_id, "invitation": invitation.pk},
        )
        accepted += 1
    return accepted
