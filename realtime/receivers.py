"""
Live rooms follow changes to who may be in them, at once.

- A logout closes the sockets opened with that login session (close 4401).
- "Log out everywhere" and account deletion (`accounts.signals.sessions_revoked`)
  close every socket of that person (4401).
- Adding or removing a moderator or rapporteur of a session makes that person's
  sockets in its room check their role again: out of the moderator stream,
  into it, or closed (4403) when they may no longer join.

Each send happens after the surrounding transaction commits and never fails the
request that caused it. With Redis down the close is lost: those sockets stay
open until they reconnect, when the join checks the login again. Sessions that
end by the idle or absolute timeout send nothing either.
"""

import logging

from django.contrib.auth.signals import user_logged_out
from django.db import transaction
from django.db.models.signals import m2m_changed
from django.dispatch import receiver

from accounts.signals import sessions_revoked
from events.models import Session
from realtime import broadcast
from realtime.models import LiveRoom

logger = logging.getLogger(__name__)


def _after_commit(fn, **kwargs) -> None:
    def send():
        try:
            fn(**kwargs)
        except Exception:  # noqa: BLE001 - a logout must work while Redis is down
            logger.warning("closing live-room sockets failed: %s", fn.__name__)

    transaction.on_commit(send)


@receiver(user_logged_out, dispatch_uid="realtime-close-on-logout")
def close_sockets_of_login(sender, request=None, user=None, **kwargs):
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if session_key:
        _after_commit(broadcast.sockets_close_login, session_key=session_key)


@receiver(sessions_revoked, dispatch_uid="realtime-close-on-revoke")
def close_sockets_of_person(sender, user=None, **kwargs):
    if user is not None and user.pk is not None:
        _after_commit(broadcast.sockets_close_person, user_id=user.pk)


_cleared: dict[tuple, set[int]] = {}


def _team_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """A session's moderators or rapporteurs changed (from either side of the relation)."""
    if action == "pre_clear":
        # After the clear the relation no longer says who was in it.
        related = sender.objects.filter(**{("user_id" if reverse else "session_id"): instance.pk})
        _cleared[(sender, instance.pk, reverse)] = set(
            related.values_list("session_id" if reverse else "user_id", flat=True)
        )
        return
    if action == "post_clear":
        pk_set = _cleared.pop((sender, instance.pk, reverse), set())
    elif action not in ("post_add", "post_remove"):
        return
    if not pk_set:
        return
    session_ids, user_ids = (set(pk_set), {instance.pk}) if reverse else ({instance.pk}, set(pk_set))
    room_ids = set(LiveRoom.objects.filter(session_id__in=session_ids).values_list("pk", flat=True))
    if room_ids:
        _after_commit(broadcast.sockets_recheck, user_ids=user_ids, room_ids=room_ids)


def connect() -> None:
    for through in (Session.moderators.through, Session.rapporteurs.through):
        m2m_changed.connect(_team_changed, sender=through, dispatch_uid=f"realtime-team-{through.__name__}")
