"""Reads for accounts: the personal data export, and logins behind session keys."""

import re

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


SESSION_KEY_SHAPE = re.compile(r"[a-z0-9]{8,40}")


def users_for_session_keys(keys) -> dict:
    """
    The logged-in user behind each session key, as `django.contrib.auth.get_user` finds it, for many keys at once.

    Used when a crowd (re)connects to a live room at the same moment: two
    queries for the whole crowd instead of two per person. The same checks as
    Django: the session is not expired, names a configured backend and an
    active user, and carries that user's current session hash (or one made
    with a SECRET_KEY_FALLBACKS key). Keys without such a user are left out.
    Only the database session engine is read in bulk; others one by one.
    """
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, load_backend
    from django.contrib.auth.backends import ModelBackend
    from django.contrib.sessions.models import Session
    from django.core.exceptions import ValidationError
    from django.utils.crypto import constant_time_compare
    from django.utils.module_loading import import_string

    # Django makes keys of 32 characters from [a-z0-9]; anything else (a NUL byte, say) is no
    # session, and must not reach the query that answers for everyone else in the batch.
    keys = {key for key in keys if isinstance(key, str) and SESSION_KEY_SHAPE.fullmatch(key)}
    store_class = import_string(f"{settings.SESSION_ENGINE}.SessionStore")
    if settings.SESSION_ENGINE == "django.contrib.sessions.backends.db":
        store = store_class()
        rows = Session.objects.filter(session_key__in=keys, expire_date__gt=timezone.now())
        sessions = {row.session_key: store.decode(row.session_data) for row in rows}
    else:
        sessions = {key: store_class(session_key=key).load() for key in keys}
    wanted = {}
    for key, data in sessions.items():
        try:
            user_id = User._meta.pk.to_python(data[SESSION_KEY])
            backend_path = data[BACKEND_SESSION_KEY]
        except (KeyError, ValidationError):
            continue
        if backend_path in settings.AUTHENTICATION_BACKENDS:
            wanted[key] = (user_id, load_backend(backend_path), data.get(HASH_SESSION_KEY))
    by_pk = User.objects.in_bulk({user_id for user_id, _backend, _hash in wanted.values()})
    found = {}
    for key, (user_id, backend, session_hash) in wanted.items():
        if isinstance(backend, ModelBackend):
            user = by_pk.get(user_id)
            user = user if user is not None and backend.user_can_authenticate(user) else None
        else:
            user = backend.get_user(user_id)
        if user is None or not session_hash:
            continue
        if constant_time_compare(session_hash, user.get_session_auth_hash()) or any(
            constant_time_compare(session_hash, fallback)
            for fallback in user.get_session_auth_fallback_hash()
        ):
            found[key] = user
    return found
