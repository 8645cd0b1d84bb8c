"""
Every URL and every WebSocket action, crossed with every role.

The lists are generated from the URL configuration and from the protocol's
action table, so a new view or action without an entry in EXPECTED_URLS or
EXPECTED_ACTIONS fails `test_every_url_has_an_entry` / `test_every_action_has_an_entry`.
The Django admin and allauth's account pages are probed by path (THIRD_PARTY_PAGES).
"""

import pytest
from asgiref.sync import sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.db import transaction
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse

from realtime.live.actions import ROOM_ACTIONS
from realtime.models import LiveRoom, Poll
from realtime.routing import websocket_urlpatterns
from realtime.services import notes as note_services

ROLES = [
    "anonymous",
    "registered",
    "signed_up",
    "kamerlid",
    "moderator_elsewhere",
    "rapporteur",
    "moderator",
    "organiser",
    "event_team",
    "team_elsewhere",
]


def _url_names() -> dict[str, str]:
    """Named project URLs → their pattern, without the admin and allauth."""

    def walk(patterns, prefix="", namespace=None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if str(pattern.pattern).startswith(("admin/", "account/")):
                    continue
                yield from walk(
                    pattern.url_patterns, prefix + str(pattern.pattern), pattern.namespace or namespace
                )
            elif pattern.name:
                yield (
                    (f"{namespace}:{pattern.name}" if namespace else pattern.name),
                    prefix + str(pattern.pattern),
                )

    return dict(walk(get_resolver().url_patterns))


# The world's room admits only people signed up for its session (tests/hardening/conftest.py `world`):
# registered attendees and moderators of another session are refused its room pages and posts.
# The two teams are not registered for the event, and neither holds the right to run its live rooms.
TEAMS_404 = {"event_team": 404, "team_elsewhere": 404}
TEAMS_403 = {"event_team": 403, "team_elsewhere": 403}
NOT_SIGNED_UP_403 = {"registered": 403, "moderator_elsewhere": 403, **TEAMS_403}

G, P = "GET", "POST"

# An event's back-office: only its team (event_team holds the programme right) and platform admins
# get in; another organisation's team (team_elsewhere) gets 404 like everyone else, anonymous a login.
BACKOFFICE = {"*": 404, "anonymous": 302, "organiser": 200, "event_team": 200}
BACKOFFICE_POST = {"*": 404, "anonymous": 302, "organiser": 302, "event_team": 302}
# A form that is posted empty: answered with the form and its errors.
BACKOFFICE_FORM_POST = {"*": 404, "anonymous": 302, "organiser": 200, "event_team": 200}
ORGANISER_URLS: dict[str, tuple[str, dict]] = {
    "organiser:overview": (G, BACKOFFICE),
    "organiser:event_edit": (G, BACKOFFICE),
    "organiser:event_publish": (P, BACKOFFICE_POST),
    "organiser:event_clone": (G, BACKOFFICE),
    "organiser:rooms": (G, BACKOFFICE),
    "organiser:room_edit": (G, BACKOFFICE),
    # The world's room is in use: refused with a message and a redirect.
    "organiser:room_delete": (P, BACKOFFICE_POST),
    "organiser:sessions": (G, BACKOFFICE),
    "organiser:session_create": (G, BACKOFFICE),
    "organiser:session_edit": (G, BACKOFFICE),
    "organiser:session_duplicate": (G, BACKOFFICE),
    "organiser:session_cancel": (G, BACKOFFICE),
    "organiser:session_phases": (G, BACKOFFICE),
    "organiser:session_team": (G, BACKOFFICE),
    # Without a person in the form: 404 for everyone.
    "organiser:session_team_add": (P, {"*": 404, "anonymous": 302}),
    "organiser:session_team_remove": (P, {"*": 404, "anonymous": 302}),
    "organiser:session_team_invite": (P, BACKOFFICE_FORM_POST),
    "organiser:programme_import": (G, BACKOFFICE),
    "organiser:programme_export": (G, BACKOFFICE),
}

# url name → (method, {role: expected status}); "*" means every role.
# 302 for anonymous = sent to the login page; 404 = hidden from this role; 405 = wrong method.
EXPECTED_URLS: dict[str, tuple[str, dict]] = {
    "accessibility": (G, {"*": 200}),
    # Everyone is first sent to log in or to confirm their password (re-authentication).
    "accounts:data_download": (G, {"*": 302}),
    "accounts:delete": (G, {"*": 200, "anonymous": 302}),
    "accounts:invitation_accept": (G, {"*": 404}),
    "accounts:logout_everywhere": (P, {"*": 302}),
    "accounts:invitations": (G, {"*": 404, "anonymous": 302, "organiser": 200}),
    "accounts:privacy": (G, {"*": 200, "anonymous": 302}),
    "accounts:profile": (G, {"*": 200, "anonymous": 302}),
    "agenda_feed": (G, {"*": 404}),
    "agenda_feed_rotate": (P, {"*": 302}),
    # An event's own pages under /<event_slug>/ (the world's event has a published programme).
    "event:agenda": (G, {"*": 200, "anonymous": 302}),
    "event:home": (G, {"*": 200}),
    "event:programme_grid": (G, {"*": 200}),
    "event:programme_list": (G, {"*": 200}),
    "event:registration": (G, {"*": 200, "anonymous": 302}),
    "event:registration_cancel": (P, {"*": 302}),
    "event:registration_create": (P, {"*": 302}),
    "event:schedule_ics": (G, {"*": 200}),
    "event:schedule_json": (G, {"*": 200}),
    "event:schedule_xml": (G, {"*": 200}),
    "event:session_cancel": (P, {"*": 302}),
    "event:session_detail": (G, {"*": 200}),
    "event:session_signup": (P, {"*": 302}),
    "event:session_swap": (P, {"*": 302}),
    "healthz": (G, {"*": 200}),
    # The root addresses from before events had their own pages: redirects for one release.
    "legacy_agenda": (G, {"*": 302}),
    "legacy_programme_grid": (G, {"*": 302}),
    "legacy_programme_list": (G, {"*": 302}),
    "legacy_registration": (G, {"*": 302}),
    "legacy_schedule_ics": (G, {"*": 302}),
    "legacy_schedule_json": (G, {"*": 302}),
    "legacy_schedule_xml": (G, {"*": 302}),
    "legacy_session_detail": (G, {"*": 301}),
    "my_registrations": (G, {"*": 200, "anonymous": 302}),
    "home": (G, {"*": 200}),
    "privacy": (G, {"*": 200}),
    "realtime:action_save": (
        P,
        {
            "*": 302,
            "registered": 404,
            "signed_up": 404,
            "kamerlid": 404,
            "moderator_elsewhere": 404,
            **TEAMS_404,
        },
    ),
    "realtime:ask": (P, {"*": 302, **NOT_SIGNED_UP_403}),
    "realtime:console": (
        G,
        {"*": 404, "anonymous": 302, "rapporteur": 200, "moderator": 200, "organiser": 200},
    ),
    "realtime:edit": (
        P,
        {
            "*": 302,
            "registered": 404,
            "signed_up": 404,
            "kamerlid": 404,
            "moderator_elsewhere": 404,
            **TEAMS_404,
        },
    ),
    "realtime:join": (G, {"*": 200}),
    "realtime:moderate": (
        P,
        {
            "*": 302,
            "registered": 404,
            "signed_up": 404,
            "kamerlid": 404,
            "moderator_elsewhere": 404,
            **TEAMS_404,
        },
    ),
    "realtime:note_add": (P, {"*": 302, **NOT_SIGNED_UP_403}),
    "realtime:note_curate": (
        P,
        {
            "*": 302,
            "registered": 404,
            "signed_up": 404,
            "kamerlid": 404,
            "moderator_elsewhere": 404,
            **TEAMS_404,
        },
    ),
    "realtime:note_edit": (
        P,
        {
            "*": 302,
            "registered": 404,
            "signed_up": 404,
            "kamerlid": 404,
            "moderator_elsewhere": 404,
            **TEAMS_404,
        },
    ),
    "realtime:note_merge": (
        P,
        {
            "*": 302,
            "registered": 404,
            "signed_up": 404,
            "kamerlid": 404,
            "moderator_elsewhere": 404,
            **TEAMS_404,
        },
    ),
    "realtime:note_react": (P, {"*": 302, **NOT_SIGNED_UP_403}),
    "realtime:phase_next": (
        P,
        {
            "*": 302,
            "registered": 404,
            "signed_up": 404,
            "kamerlid": 404,
            "moderator_elsewhere": 404,
            **TEAMS_404,
        },
    ),
    "realtime:phase_save": (
        P,
        {
            "*": 302,
            "registered": 404,
            "signed_up": 404,
            "kamerlid": 404,
            "moderator_elsewhere": 404,
            **TEAMS_404,
        },
    ),
    "realtime:phase_set": (
        P,
        {
            "*": 302,
            "registered": 404,
            "signed_up": 404,
            "kamerlid": 404,
            "moderator_elsewhere": 404,
            **TEAMS_404,
        },
    ),
    "realtime:pin": (
        P,
        {
            "*": 302,
            "registered": 404,
            "signed_up": 404,
            "kamerlid": 404,
            "moderator_elsewhere": 404,
            **TEAMS_404,
        },
    ),
    "realtime:poll_create": (
        P,
        {
            "*": 302,
            "registered": 404,
            "signed_up": 404,
            "kamerlid": 404,
            "moderator_elsewhere": 404,
            **TEAMS_404,
        },
    ),
    "realtime:poll_step": (
        P,
        {
            "*": 302,
            "registered": 404,
            "signed_up": 404,
            "kamerlid": 404,
            "moderator_elsewhere": 404,
            **TEAMS_404,
        },
    ),
    "realtime:poll_vote": (P, {"*": 302, **NOT_SIGNED_UP_403}),
    "realtime:projector": (
        G,
        {"*": 404, "anonymous": 302, "moderator": 200, "organiser": 200},
    ),
    "realtime:projector_mode": (
        P,
        {
            "*": 302,
            "registered": 404,
            "signed_up": 404,
            "kamerlid": 404,
            "moderator_elsewhere": 404,
            **TEAMS_404,
        },
    ),
    "realtime:projector_reset": (
        P,
        {
            "*": 302,
            "registered": 404,
            "signed_up": 404,
            "kamerlid": 404,
            "moderator_elsewhere": 404,
            **TEAMS_404,
        },
    ),
    "realtime:projector_token": (G, {"*": 200}),
    "realtime:room": (
        G,
        {"*": 200, "anonymous": 302, "registered": 403, "moderator_elsewhere": 403, **TEAMS_403},
    ),
    # Without `lijst` no list is named: 404 for everyone who may join (lists are tested in test_bounded_snapshots).
    "realtime:room_more": (
        G,
        {"*": 404, "anonymous": 302, "registered": 403, "moderator_elsewhere": 403, **TEAMS_403},
    ),
    "realtime:set_open": (
        P,
        {
            "*": 302,
            "registered": 404,
            "signed_up": 404,
            "kamerlid": 404,
            "moderator_elsewhere": 404,
            **TEAMS_404,
        },
    ),
    "realtime:set_premoderation": (
        P,
        {
            "*": 302,
            "registered": 404,
            "signed_up": 404,
            "kamerlid": 404,
            "moderator_elsewhere": 404,
            **TEAMS_404,
        },
    ),
    "realtime:vote": (P, {"*": 302, **NOT_SIGNED_UP_403}),
    "realtime:withdraw": (P, {"*": 302, **NOT_SIGNED_UP_403}),
    # Any right in the event opens the dashboard and the programme export; registrations and the
    # reports' ZIP need their own right, which event_team (programme only) does not hold.
    "reports:dashboard": (G, {"*": 404, "organiser": 200, "event_team": 200}),
    "reports:dashboard_live": (G, {"*": 404, "organiser": 200, "event_team": 200}),
    "reports:export_event_zip": (G, {"*": 404, "organiser": 200}),
    "reports:export_programme": (G, {"*": 404, "organiser": 200, "event_team": 200}),
    "reports:export_registrations": (G, {"*": 404, "organiser": 200}),
    # The old addresses send everyone on to the current event's.
    "reports:legacy_dashboard": (G, {"*": 302}),
    "reports:legacy_dashboard_live": (G, {"*": 302}),
    "reports:legacy_export_event_zip": (G, {"*": 302}),
    "reports:legacy_export_programme": (G, {"*": 302}),
    "reports:legacy_export_registrations": (G, {"*": 302}),
    "reports:kennisbank": (G, {"*": 200}),
    "reports:kennisbank_detail": (G, {"*": 404}),
    "reports:kennisbank_feed": (G, {"*": 200}),
    "reports:my_sessions": (G, {"*": 200, "anonymous": 302}),
    "reports:report_approve": (P, {"*": 404, "rapporteur": 302, "moderator": 302, "organiser": 302}),
    "reports:report_detail": (G, {"*": 404, "rapporteur": 200, "moderator": 200, "organiser": 200}),
    "reports:report_download": (G, {"*": 404, "rapporteur": 200, "moderator": 200, "organiser": 200}),
    "reports:report_publish": (P, {"*": 404, "rapporteur": 302, "moderator": 302, "organiser": 302}),
    "reports:report_table_csv": (G, {"*": 404, "rapporteur": 200, "moderator": 200, "organiser": 200}),
    "reports:report_unpublish": (P, {"*": 404, "rapporteur": 302, "moderator": 302, "organiser": 302}),
    "security_txt": (G, {"*": 200}),
    "set_language": (G, {"*": 302}),
    **ORGANISER_URLS,
}


def _probe(client: Client, method: str, url: str) -> int:
    return (client.get(url) if method == G else client.post(url, {})).status_code


def _kwargs(pattern: str, world) -> dict:
    room = world["room"]
    kwargs = {}
    if "<slug:event_slug>" in pattern:
        kwargs["event_slug"] = room.session.event.slug
    if "<int:room_pk>" in pattern:
        kwargs["room_pk"] = room.session.room_id
    if "<str:code>" in pattern:
        kwargs["code"] = room.session.code
    if "<int:pk>" in pattern:
        kwargs["pk"] = room.session.pk
    if "<slug:event_slug>" in pattern:
        kwargs["event_slug"] = room.session.event.slug
    if "<str:token>" in pattern:
        kwargs["token"] = room.projector_token if pattern.startswith("projector/") else "unknown-token"
    if "<str:fmt>" in pattern:
        kwargs["fmt"] = "json" if "verslag" in pattern else "csv"
    if "<str:table>" in pattern:
        kwargs["table"] = "vragen"
    return kwargs


def test_every_url_has_an_entry():
    """A new view must be added to the matrix, with its expected answer for every role."""
    assert sorted(_url_names()) == sorted(EXPECTED_URLS)


@pytest.mark.django_db
def test_url_matrix(world):
    """Each URL answers each role exactly as the matrix says."""
    observed, expected = {}, {}
    for name, pattern in sorted(_url_names().items()):
        method, table = EXPECTED_URLS.get(name, (G, {}))
        url = reverse(name, kwargs=_kwargs(pattern, world))
        for role in ROLES:
            # Each probe runs in a savepoint that is rolled back, so no probe changes what the next one sees.
            with transaction.atomic():
                client = Client()
                if role != "anonymous":
                    client.force_login(world["users"][role])
                observed[(name, role)] = _probe(client, method, url)
                transaction.set_rollback(True)
            expected[(name, role)] = table.get(role, table.get("*"))

    mismatches = {key: (observed[key], expected[key]) for key in observed if observed[key] != expected[key]}
    assert sorted(mismatches.items()) == []


# --- The admin and allauth's pages --------------------------------------------------------

# Not in the URL configuration's own names, so listed by path. In the admin only the organiser
# (staff) gets in; everyone else is sent to the one rate-limited login, and a logged-in person
# who is not staff gets 403 from /admin/login/ instead of a second login form.
SIGNED_IN_200 = {"*": 200, "anonymous": 302}
ANONYMOUS_ONLY = {"*": 302, "anonymous": 200}
THIRD_PARTY_PAGES: dict[str, dict] = {
    "/admin/": {"*": 302, "organiser": 200},
    "/admin/login/": {"*": 403, "anonymous": 302, "organiser": 302},
    "/admin/accounts/user/": {"*": 302, "organiser": 200},
    "/admin/accounts/auditlog/": {"*": 302, "organiser": 200},
    "/admin/events/session/": {"*": 302, "organiser": 200},
    "/account/login/": ANONYMOUS_ONLY,
    "/account/login/code/": ANONYMOUS_ONLY,
    "/account/signup/": ANONYMOUS_ONLY,
    "/account/password/reset/": {"*": 200},
    "/account/email/": SIGNED_IN_200,
    "/account/password/change/": SIGNED_IN_200,
    "/account/2fa/": SIGNED_IN_200,
    "/account/reauthenticate/": SIGNED_IN_200,
    "/account/logout/": SIGNED_IN_200,
}


@pytest.mark.django_db
def test_admin_and_allauth_pages_matrix(world):
    """Each admin and account page answers each role exactly as THIRD_PARTY_PAGES says."""
    observed, expected = {}, {}
    for path, table in THIRD_PARTY_PAGES.items():
        for role in ROLES:
            with transaction.atomic():
                client = Client()
                if role != "anonymous":
                    client.force_login(world["users"][role])
                observed[(path, role)] = client.get(path).status_code
                transaction.set_rollback(True)
            expected[(path, role)] = table.get(role, table.get("*"))

    assert {key: (observed[key], expected[key]) for key in observed if observed[key] != expected[key]} == {}


# --- WebSocket actions ----------------------------------------------------------------------

MODERATORS = {"moderator", "organiser"}
# What a report needs (notes, actions, phases and what the projector shows): rapporteurs too.
REPORTERS = {"rapporteur", "moderator", "organiser"}
PEOPLE = {"signed_up", "kamerlid", "rapporteur", "moderator", "organiser"}
# action → roles that are not refused with "forbidden" (anonymous cannot even connect: 4403).
EXPECTED_ACTIONS: dict[str, set[str]] = {
    "question.ask": PEOPLE,
    "question.upvote": PEOPLE,
    "question.unvote": PEOPLE,
    "question.withdraw": {"signed_up"},
    **{
        f"question.{a}": MODERATORS
        for a in ("approve", "reject", "hide", "answer", "reopen", "edit", "pin", "unpin")
    },
    "room.open": MODERATORS,
    "room.close": MODERATORS,
    "room.premoderation": MODERATORS,
    "room.projector_mode": REPORTERS,
    "poll.vote": PEOPLE,
    **{f"poll.{a}": MODERATORS for a in ("create", "open", "close", "reveal", "hide", "show_live")},
    "note.add": PEOPLE,
    "note.react": PEOPLE,
    **{
        f"note.{a}": REPORTERS
        for a in ("approve", "hide", "common_ground", "not_agreed", "unmark", "edit", "merge")
    },
    "action.save": REPORTERS,
    "phase.next": REPORTERS,
    "phase.set": REPORTERS,
    "phase.save": REPORTERS,
}


def _payload(action: str, world) -> dict:
    q, p, n, n2 = world["question"].pk, world["poll"].pk, world["note"].pk, world["note2"].pk
    option = world["poll"].options.first().pk
    return {
        "question.ask": {"text": "Vraag"},
        "question.edit": {"question": q, "text": "Verbeterd"},
        "question.unpin": {},
        "room.open": {},
        "room.close": {},
        "room.premoderation": {"enabled": True},
        "room.projector_mode": {"mode": "notes"},
        "poll.vote": {"poll": p, "choices": [option]},
        "poll.create": {"text": "Stelling", "kind": "scale"},
        "poll.show_live": {"poll": p, "enabled": True},
        "note.add": {"kind": "dilemma", "text": "Notitie"},
        "note.react": {"note": n, "reaction": "agree"},
        "note.edit": {"note": n, "text": "Bewerkt"},
        "note.merge": {"note": n2, "into": n},
        "action.save": {"what": "Doen", "owner_name": "Sam", "status": "open"},
        "phase.next": {},
        "phase.set": {},
        "phase.save": {"title": "Fase", "prompt": "Vraag"},
    }.get(action) or (
        {"poll": p}
        if action.startswith("poll.")
        else {"note": n}
        if action.startswith("note.")
        else {"question": q}
    )


def _restore(world) -> None:
    from realtime.models import Note, Question

    LiveRoom.objects.filter(pk=world["room"].pk).update(is_open=True, premoderation=False)
    Question.objects.filter(pk=world["question"].pk).update(
        status="visible", author=world["users"]["signed_up"]
    )
    Poll.objects.filter(pk=world["poll"].pk).update(state="open")
    Note.objects.filter(pk__in=[world["note"].pk, world["note2"].pk]).update(
        status="visible", merged_into=None
    )


async def _send(code: str, user, frame: dict) -> dict | int:
    communicator = WebsocketCommunicator(URLRouter(websocket_urlpatterns), f"/ws/rooms/{code}/")
    communicator.scope["user"] = user
    await communicator.connect(timeout=5)
    first = await communicator.receive_output(timeout=5)
    if first["type"] == "websocket.close":
        return first["code"]
    await communicator.send_json_to(frame)
    while True:
        reply = await communicator.receive_json_from(timeout=5)
        if reply["type"] in ("ack", "error"):
            await communicator.disconnect()
            return reply


def test_every_action_has_an_entry():
    """A new protocol action must be added to the matrix."""
    assert ROOM_ACTIONS == sorted(EXPECTED_ACTIONS)


@pytest.fixture
def world_with_duplicate(world):
    world["note2"], _ = note_services.note_add(
        user=world["users"]["signed_up"], room=world["room"], kind="dilemma", text="Dubbel"
    )
    return world


@pytest.mark.django_db(transaction=True)
async def test_action_matrix(world_with_duplicate):
    """
    Each WebSocket action is refused with 'forbidden' for exactly the roles outside its entry.

    Who may not join the room at all (anonymous; in this signed-up-only room also registered
    attendees and moderators of another session) is refused at connect with 4403.
    """
    world = world_with_duplicate
    code = await sync_to_async(lambda: world["room"].session.code)()
    allowed, refused_at_connect = {}, set()
    for action in ROOM_ACTIONS:
        allowed[action] = set()
        payload = await sync_to_async(_payload)(action, world)
        for role in ROLES:
            await sync_to_async(_restore)(world)
            reply = await _send(code, world["users"][role], {"action": action, "id": "m", **payload})
            if reply == 4403:
                refused_at_connect.add((action, role))
            elif reply["type"] == "ack" or reply["code"] != "forbidden":
                allowed[action].add(role)

    assert allowed == EXPECTED_ACTIONS
    assert refused_at_connect == {
        (action, role)
        for action in ROOM_ACTIONS
        for role in ("anonymous", "registered", "moderator_elsewhere", "event_team", "team_elsewhere")
    }
