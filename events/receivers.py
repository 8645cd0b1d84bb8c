"""An invitation to a session's team is accepted when its address is verified (at sign-up)."""

from allauth.account.signals import email_confirmed
from django.dispatch import receiver

from events.services.session_team import session_team_invitations_accept


@receiver(email_confirmed, dispatch_uid="events-team-invitations-on-confirm")
def accept_team_invitations(sender, request=None, email_address=None, **kwargs):
    if email_address is not None and email_address.user_id is not None:
        session_team_invitations_accept(user=email_address.user, email=email_address.email)
