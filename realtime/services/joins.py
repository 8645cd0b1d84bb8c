"""
Joining and leaving a live room, for a crowd at once.

When the venue Wi-Fi comes back, everyone in the plenary reconnects in the
same second. One join used to cost some twenty queries (session, user, role,
presence, snapshot) per person. Here the joins that arrive together
(realtime/groupcommit.py) are resolved together: the logins behind their
session cookies, their roles, their presence rows and their snapshots take a
fixed handful of queries for the whole group.
"""

import collections
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import Count
from django.utils import timezone

from accounts.selectors import users_for_session_keys
from realtime import broadcast, events, snapshots
from realtime.hashing import presence_holder
from realtime.models import PRESENCE_TTL, LiveRoom, Presence
from realtime.permissions import roles_in_room


@dataclass(frozen=True)
class Resume:
    """Where a reconnecting client left off: the last `seq` and `cseq` it applied, in which role."""

    seq: int
    cseq: int
    role: str


@dataclass(frozen=True)
class Join:
    channel_name: str
    user: object = None  # the person, when already known; else the login behind session_key
    session_key: str | None = None
    projector_token: str | None = None
    code: str | None = None  # the join code used; a room whose code has changed since is not found
    resume: Resume | None = None


@dataclass(frozen=True)
class Joined:
    room: LiveRoom | None  # None: no such room (close 4404)
    role: str | None  # None: may not join (close 4403); else participant, moderator or projector
    user: object
    snapshot: str | None  # the serialized room.snapshot frame; None when admitted with `replay`
    refusal: int | None = None  # a close code when refused for another reason than the role (4429)
    replay: list[str] | None = None  # instead of a snapshot: the frames missed, then `room.resumed`


# A reconnecting client that missed at most this many events gets them from the log, not a snapshot.
REPLAY_LIMIT = 200


def catch_up(room: LiveRoom, role: str, resume: Resume | None, cache: dict | None = None) -> list[str] | None:
    """
    The frames that bring a client from `resume` to now, ending with `room.resumed`; None when it needs a snapshot.

    Only when nothing but logged events changed: the same role (not a
    moderator's, whose queues are not replayed) and no counter frame since
    (`cseq`), because counters are not logged. `cache` shares the log reads
    of a crowd that reconnects together.
    """
    if (
        resume is None
        or role == "moderator"
        or resume.role != role
        or resume.cseq != room.counts_seq
        or not 0 <= room.seq - resume.seq <= REPLAY_LIMIT
    ):
        return None
    cache = {} if cache is None else cache
    if resume.seq not in cache:
        cache[resume.seq] = broadcast.events_after(
            room_id=room.pk, after=resume.seq, upto=room.seq, limit=REPLAY_LIMIT
        )
    rows = cache[resume.seq]
    if rows is None:
        return None
    seq = rows[-1][0] if rows else resume.seq
    return [text for _seq, text in rows] + [
        broadcast.frame("room.resumed", seq=seq, cseq=resume.cseq, role=role)
    ]


CLOSE_TOO_MANY_SOCKETS = 4429


def joins_record(room_id: int, requests: list[Join]) -> list[Joined]:
    """Resolve, admit and count many joins of one room; one outcome per request, in order."""
    room = LiveRoom.objects.select_related("session__event", "session__room").filter(pk=room_id).first()
    gone = Joined(None, None, AnonymousUser(), None)
    if room is None:
        return [gone for _request in requests]
    # The consumer found this room through a per-process cache of join codes: a code changed in
    # the admin since then belongs to another session or to none, so it does not open this room.
    current = [r for r in requests if _code_matches(r, room)]
    answers = iter(_admit(room, current) if current else [])
    return [next(answers) if _code_matches(r, room) else gone for r in requests]


def _code_matches(request: Join, room: LiveRoom) -> bool:
    return request.code is None or request.code.strip().upper() == room.session.code


def _admit(room: LiveRoom, requests: list[Join]) -> list[Joined]:
    """Who each request is, with which role; presence and snapshots for those admitted."""
    logins = users_for_session_keys(
        {r.session_key for r in requests if r.user is None and r.session_key is not None}
    )
    users = [r.user if r.user is not None else logins.get(r.session_key, AnonymousUser()) for r in requests]
    roles = roles_in_room(users, room)
    admitted = []
    for request, user in zip(requests, users, strict=True):
        if request.projector_token:
            role = "projector" if request.projector_token == room.projector_token else None
        else:
            role = roles.get(user.pk) if user.is_authenticated else None
        admitted.append(role)
    now = timezone.now()
    Presence.objects.filter(room=room, last_seen__lt=now - PRESENCE_TTL).delete()
    holders = [
        presence_holder(user.pk, room.pk) if role not in (None, "projector") else ""
        for user, role in zip(users, admitted, strict=True)
    ]
    refused = _over_socket_cap(room, holders)
    admitted = [None if i in refused else role for i, role in enumerate(admitted)]
    Presence.objects.bulk_create(
        [
            Presence(
                room=room,
                channel_name=request.channel_name,
                perspective="" if role == "projector" else (user.perspective or ""),
                holder=holder,
                last_seen=now,
            )
            for request, user, role, holder in zip(requests, users, admitted, holders, strict=True)
            if role is not None
        ]
    )
    accepted = [
        (None if role == "projector" else user, role)
        for user, role in zip(users, admitted, strict=True)
        if role is not None
    ]
    refusals = [CLOSE_TOO_MANY_SOCKETS if i in refused else None for i in range(len(users))]
    if not accepted:
        return [
            Joined(room, None, user, None, refusal) for user, refusal in zip(users, refusals, strict=True)
        ]
    logs: dict = {}
    replays = [
        catch_up(room, role, request.resume, logs) if role is not None else None
        for request, role in zip(requests, admitted, strict=True)
    ]
    viewers = [
        (None if role == "projector" else user, role)
        for user, role, replay in zip(users, admitted, replays, strict=True)
        if role is not None and replay is None
    ]
    frames = iter(snapshots.room_snapshot_texts(room=room, viewers=viewers) if viewers else [])
    events.presence_changed(room.pk)
    return [
        Joined(
            room,
            role,
            user,
            next(frames) if role is not None and replay is None else None,
            refusal,
            replay,
        )
        for user, role, refusal, replay in zip(users, admitted, refusals, replays, strict=True)
    ]


def _over_socket_cap(room: LiveRoom, holders: list[str]) -> set[int]:
    """The indexes of joins past ROOM_MAX_SOCKETS_PER_PERSON open sockets of the same person here."""
    wanted = {holder for holder in holders if holder}
    if not wanted:
        return set()
    open_now = collections.Counter(
        dict(
            Presence.objects.filter(room=room, holder__in=wanted)
            .values("holder")
            .annotate(n=Count("id"))
            .values_list("holder", "n")
        )
    )
    limit = settings.ROOM_MAX_SOCKETS_PER_PERSON
    refused = set()
    for index, holder in enumerate(holders):
        if not holder:
            continue
        if open_now[holder] >= limit:
            refused.add(index)
        else:
            open_now[holder] += 1
    return refused


def leaves_record(room_id: int, requests: list[str]) -> list[None]:
    """Forget the presence of many closed connections (channel names) of one room."""
    Presence.objects.filter(channel_name__in=requests).delete()
    events.presence_changed(room_id)
    return [None] * len(requests)


def snapshots_record(room_id: int, requests: list[tuple]) -> list[str]:
    """Fresh snapshots for many viewers `(user, role)` of one room (resyncs), serialized."""
    room = LiveRoom.objects.select_related("session").get(pk=room_id)
    return snapshots.room_snapshot_texts(room=room, viewers=requests)
