"""Reads for accounts: the personal data export, and logins behind session keys."""

import re

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import (
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
    get_user_model,
    load_backend,
)
from django.contrib.auth.backends import ModelBackend
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.module_loading import import_string

from accounts.models import CONSENT_FIELDS, AuditLog, User
from events.models import Registration, SessionSignup
from mail.models import OutgoingEmail
from realtime.hashing import voter_hash
from realtime.models import Action, Note, NoteReaction, Poll, PollChoice, PollVote, Question, QuestionUpvote

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


HASH_CHUNK = 50_000


def _found(rows, kind: str, user: User, targets: list[tuple[int, str]], field: str = "voter_hash"):
    """
    The person's opinion rows of one kind, found by recomputing their hash for each (target id, event salt).

    One query per HASH_CHUNK targets. Targets of purged events have no salt
    and are skipped: nothing of theirs can be found any more.
    """
    hashes = [voter_hash(kind, user.pk, target, salt=salt) for target, salt in targets if salt]
    for start in range(0, len(hashes), HASH_CHUNK):
        yield from rows.filter(**{f"{field}__any": hashes[start : start + HASH_CHUNK]})


def _opinions(user: User) -> dict:
    """The person's own poll votes, upvotes and note reactions, sorted by text (they carry no time)."""
    salt = "room__session__event__vote_salt"
    questions = list(Question.objects.filter(upvotes__gt=0).values_list("pk", salt))
    polls = list(
        Poll.objects.filter(Exists(PollVote.objects.filter(poll=OuterRef("pk")))).values_list("pk", salt)
    )
    notes = list(
        Note.objects.filter(Exists(NoteReaction.objects.filter(note=OuterRef("pk")))).values_list("pk", salt)
    )
    votes: dict[int, dict] = {}
    choices = PollChoice.objects.select_related("option", "vote__poll__room__session")
    for choice in _found(choices, "poll", user, polls, field="vote__voter_hash"):
        poll = choice.vote.poll
        vote = votes.setdefault(
            poll.pk, {"session": poll.room.session.title, "poll": poll.text, "options": []}
        )
        vote["options"].append(choice.option)
    upvotes = QuestionUpvote.objects.select_related("question__room__session")
    reactions = NoteReaction.objects.select_related("note__room__session")
    return {
        "poll_votes": sorted(
            (
                {
                    "session": vote["session"],
                    "poll": vote["poll"],
                    "choices": [o.label for o in sorted(vote["options"], key=lambda o: (o.position, o.pk))],
                }
                for vote in votes.values()
            ),
            key=lambda entry: (entry["session"], entry["poll"]),
        ),
        "upvotes": sorted(
            (
                {"session": row.question.room.session.title, "question": row.question.text}
                for row in _found(upvotes, "question", user, questions)
            ),
            key=lambda entry: (entry["session"], entry["question"]),
        ),
        "note_reactions": sorted(
            (
                {"session": row.note.room.session.title, "note": row.note.text, "reaction": row.kind}
                for row in _found(reactions, "note", user, notes)
            ),
            key=lambda entry: (entry["session"], entry["note"]),
        ),
    }


def _contributions(user: User) -> dict:
    """The person's own questions and notes in live rooms, with their status and perspective."""
    return {
        "questions": [
            {
                "session": q.room.session.title,
                "text": q.text,
                "status": q.status,
                "perspective": q.perspective,
                "created_at": _iso(q.created_at),
            }
            for q in Question.objects.filter(author=user)
            .select_related("room__session")
            .order_by("created_at")
        ],
        "notes": [
            {
                "session": n.room.session.title,
                "text": n.text,
                "kind": n.kind,
                "status": n.status,
                "perspective": n.perspective,
                "created_at": _iso(n.created_at),
            }
            for n in Note.objects.filter(author=user).select_related("room__session").order_by("created_at")
        ],
    }


def _consents(user: User) -> list[dict]:
    """Each consent with its name on the account and whether it is given. No queries."""
    return [
        {
            "consent": field,
            "label": str(User._meta.get_field(field).verbose_name),
            "given": getattr(user, field),
        }
        for field in CONSENT_FIELDS
    ]


def _emails(addresses: list[str]) -> list[dict]:
    """The emails sent (or still waiting to be sent) to any of the person's addresses: subject and dates only."""
    query = Q()
    for address in addresses:
        query |= Q(to__iexact=address)
    return [
        {"subject": mail.subject, "created_at": _iso(mail.created_at), "sent_at": _iso(mail.sent_at)}
        for mail in OutgoingEmail.objects.filter(query).order_by("created_at", "pk")
    ]


def _audit_lines(user: User) -> list[dict]:
    """Audit lines about the person and lines of what they did themselves (as moderator or organiser)."""
    lines = AuditLog.objects.filter(Q(target_user=user) | Q(actor=user)).order_by("created_at", "pk")
    return [
        {
            "action": line.action,
            "at": _iso(line.created_at),
            "by_you": line.actor_id == user.pk,
            "about_you": line.target_user_id == user.pk,
        }
        for line in lines
    ]


def _actions(user: User) -> list[dict]:
    """The actions the person wrote down as moderator or rapporteur."""
    return [
        {
            "session": a.room.session.title,
            "what": a.what,
            "owner_name": a.owner_name,
            "owner_organisation": a.owner_organisation,
            "created_at": _iso(a.created_at),
        }
        for a in Action.objects.filter(created_by=user).select_related("room__session").order_by("created_at")
    ]


def user_data_export(*, user: User) -> dict:
    """
    Everything held about one person, as JSON-ready data (AVG art. 15 and 20).

    Includes their own poll votes, upvotes and note reactions, found by
    recomputing their keyed hashes with each event's salt (a fixed number
    of queries, however many there are); after an event's purge destroyed
    its salt, nobody can find those any more, so they are not included.
    Also their questions, notes and actions in live rooms, their consents,
    the emails sent to them (subject and dates; bodies may hold login
    links) and the audit lines about them or by them.
    """
    addresses = list(EmailAddress.objects.filter(user=user).order_by("email"))
    data = {
        "exported_at": timezone.now().isoformat(),
        "account": {field: _iso(getattr(user, field)) for field in USER_FIELDS},
        "consents": _consents(user),
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in addresses
        ],
        "emails": _emails(sorted({user.email, *(address.email for address in addresses)})),
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
        "audit_log": _audit_lines(user),
        **_contributions(user),
        "actions": _actions(user),
        **_opinions(user),
    }
    return data


# Django makes session keys of 32 characters from [a-z0-9]; anything else (a NUL byte, say) is no
# session, and must not reach the one query that answers for everyone else in the batch.
SESSION_KEY_SHAPE = re.compile(r"[a-z0-9]{8,40}")


def users_for_session_keys(keys) -> dict:
    """
    The logged-in user behind each session key, as `django.contrib.auth.get_user` finds it, for many keys at once.

    A crowd that (re)connects to a live room at the same moment costs two
    queries here instead of two per person (docs/performance.md, "Logins of a
    crowd"). Every rule is get_user's, through Django's own functions: the
    session engine loads and decodes the session (an expired one is not
    found); its backend must still be in AUTHENTICATION_BACKENDS and is loaded
    with `load_backend`; the backend's `get_user` finds the user; the session
    hash must match `get_session_auth_hash()` or a SECRET_KEY_FALLBACKS hash
    (`constant_time_compare`). Only where a backend uses ModelBackend's own
    `get_user` are its users read in one query, then checked with its
    `user_can_authenticate`, as that method does per user.

    Keys without a user are left out. Unlike get_user this writes nothing: a
    session that fails the hash check is not flushed here (the next page view
    does that), and one made with an old secret is not re-keyed.
    """
    claims = {}
    for key, data in _sessions(keys).items():
        try:
            user_id = get_user_model()._meta.pk.to_python(data[SESSION_KEY])
            backend_path = data[BACKEND_SESSION_KEY]
        except (KeyError, ValidationError):
            continue
        if backend_path in settings.AUTHENTICATION_BACKENDS:
            claims[key] = (user_id, load_backend(backend_path), data.get(HASH_SESSION_KEY))
    in_bulk = get_user_model()._default_manager.in_bulk(
        {user_id for user_id, backend, _hash in claims.values() if _uses_model_backend_get_user(backend)}
    )
    found = {}
    for key, (user_id, backend, session_hash) in claims.items():
        if _uses_model_backend_get_user(backend):
            user = in_bulk.get(user_id)
            user = user if user is not None and backend.user_can_authenticate(user) else None
        else:
            user = backend.get_user(user_id)
        if user is not None and _session_hash_verified(user, session_hash):
            found[key] = user
    return found


def _sessions(keys) -> dict:
    """The decoded data of each live session among `keys`: in one query with the database engine."""
    keys = {key for key in keys if isinstance(key, str) and SESSION_KEY_SHAPE.fullmatch(key)}
    store_class = import_string(f"{settings.SESSION_ENGINE}.SessionStore")
    if not issubclass(store_class, DatabaseSessionStore):
        return {key: data for key in keys if (data := store_class(session_key=key).load())}
    # The same rows DatabaseSessionStore.load() reads one by one (cached_db's cache is skipped:
    # the database holds every session it has).
    store = store_class()
    rows = store_class.get_model_class().objects.filter(session_key__in=keys, expire_date__gt=timezone.now())
    return {row.session_key: store.decode(row.session_data) for row in rows}


def _uses_model_backend_get_user(backend) -> bool:
    return isinstance(backend, ModelBackend) and type(backend).get_user is ModelBackend.get_user


def _session_hash_verified(user, session_hash: str | None) -> bool:
    """get_user's session verification, without its writes."""
    if not hasattr(user, "get_session_auth_hash"):
        return True
    if not session_hash:
        return False
    return constant_time_compare(session_hash, user.get_session_auth_hash()) or any(
        constant_time_compare(session_hash, fallback) for fallback in user.get_session_auth_fallback_hash()
    )
