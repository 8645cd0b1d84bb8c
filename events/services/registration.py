"""Event registration (person ↔ event)."""

from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from events.models import Event, Registration, SessionSignup
from events.services import signup as signup_services
from mail.services import mail_send


def user_has_verified_email(user: User) -> bool:
    return EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists()


@transaction.atomic
def registration_create(*, user: User, event: Event) -> Registration:
    """
    Register the user for the event, or re-activate a cancelled registration.

    Requires a verified email address, a complete profile and open
    registration. Sends a confirmation email after commit. Registering twice
    returns the existing registration and sends nothing.
    """
    if not user.is_authenticated or not user_has_verified_email(user):
        raise PermissionDenied(_("Bevestig eerst uw e-mailadres."))
    if not user.profile_complete:
        raise ValidationError(
            _("Vul eerst uw naam, organisatie en perspectief in."), code="profile_incomplete"
        )
    registration = Registration.objects.select_for_update().filter(user=user, event=event).first()
    if registration and registration.status == Registration.Status.REGISTERED:
        return registration
    if not event.registration_is_open():
        raise ValidationError(_("De aanmelding voor dit evenement is gesloten."), code="registration_closed")
    if registration is None:
        registration = Registration(user=user, event=event)
    registration.status = Registration.Status.REGISTERED
    registration.full_clean()
    registration.save()
    transaction.on_commit(
        lambda: mail_send(
            to=user.email,
            template="registration_confirmed",
            context={"user": user, "event": event},
        )
    )
    return registration


@transaction.atomic
def registration_cancel(*, user: User, event: Event) -> Registration | None:
    """
    Cancel the user's registration and every session seat or waitlist place they hold.

    Freed seats go to the waitlist through the sign-up service, so nobody
    has to promote anyone by hand.
    """
    registration = Registration.objects.select_for_update().filter(user=user, event=event).first()
    if registration is None or registration.status == Registration.Status.CANCELLED:
        return registration
    active = SessionSignup.objects.filter(user=user, session__event=event).exclude(
        status=SessionSignup.Status.CANCELLED
    )
    # Sessions in pk order, the same order the swap service locks them in, so the two cannot deadlock.
    for signup in active.select_related("session").order_by("session_id"):
        signup_services.signup_cancel(user=user, session=signup.session)
    registration.status = Registration.Status.CANCELLED
    registration.save(update_fields=["status", "updated_at"])
    return registration
