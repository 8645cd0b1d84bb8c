"""Reads for accounts: the personal data export."""

from django.utils import timezone

from accounts.models import AuditLog, User

USER_FIELDS = (
    "email",
    "name",
    "organisation",
    "function",
    "perspective",
    "is_kamerlid",
    "consent_photos",
    "consent_contact",
    "consent_listed",
    "consent_needs",
    "diet",
    "access_needs",
    "date_joined",
    "last_login",
)


def _iso(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def user_data_export(*, user: User) -> dict:
    """
    Everything held about one person, as JSON-ready data (AVG art. 15 and 20).

    Votes and upvotes are not included: they are stored unlinkably, so
    they cannot be found back for a person.
    """
    from allauth.account.models import EmailAddress

    from events.models import Registration, SessionSignup

    data = {
        "exported_at": timezone.now().isoformat(),
        "account": {field: _iso(getattr(user, field)) for field in USER_FIELDS},
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user=user).order_by("email")
        ],
        "registrations": [
            {"event": r.event.name, "status": r.status, "created_at": _iso(r.created_at)}
            for r in Registration.objects.filter(user=user).select_related("event").order_by("created_at")
        ],
        "session_signups": [
            {
                "session": s.session.title,
                "starts_at": _iso(s.session.starts_at),
                "status": s.status,
                "waitlist_position": s.waitlist_position,
                "created_at": _iso(s.created_at),
            }
            for s in SessionSignup.objects.filter(user=user).select_related("session").order_by("created_at")
        ],
        "roles": {
            "organiser": user.is_organiser,
            "moderator_of": list(user.moderated_sessions.values_list("title", flat=True)),
            "rapporteur_of": list(user.reported_sessions.values_list("title", flat=True)),
        },
        "audit_log": [
            {"action": line.action, "at": _iso(line.created_at)}
            for line in AuditLog.objects.filter(target_user=user).order_by("created_at")
        ],
    }
    return data
