"""
Fault-injection fixtures: a daphne process and a Redis that each test may stop and restart.

The servers run against the suite's test database, so tests here are
`django_db(transaction=True)`: a server process only sees committed rows.
"""

import asyncio
import datetime as dt
import http.cookiejar
import json
import os
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from accounts.roles import organiser_group_ensure
from events.models import RoomAccess
from events.permissions import Right
from realtime.models import LiveRoom, Poll
from realtime.services import notes as note_services
from realtime.services import polls as poll_services
from realtime.services import questions as question_services
from scripts.services import Redis, free_port
from tests.factories import (
    EventFactory,
    OrganisationFactory,
    RegistrationFactory,
    SessionFactory,
    SessionSignupFactory,
    TeamFactory,
    UserFactory,
)
from tests.production import _wait_until_healthy, suite_database_url
from tests.realtime.conftest import (  # noqa: F401 - shared fixtures
    live_room,
    make_moderator,
    make_participant,
    room_socket,
)
from tests.realtime.live.conftest import compose_server  # noqa: F401 - shared fixture

ROOT = Path(__file__).resolve().parent.parent.parent


class Daphne:
    """A daphne process on a fixed port that can be killed and started again."""

    def __init__(self, tmp_path: Path, redis_url: str, database: str | None = None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = tmp_path / f"daphne-{self.port}.log"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_"))},
            "DJANGO_SETTINGS_MODULE": "trialoog.settings.test",
            "DATABASE_URL": database or suite_database_url(),
            "REDIS_URL": redis_url,
            "SECRET_KEY": settings.SECRET_KEY,
            "SITE_URL": self.base,
        }
        self.proc = None
        self.log_file = None

    def start(self) -> "Daphne":
        self.log_file = open(self.log_path, "a")  # noqa: SIM115 - closed in kill()
        daphne = Path(sys.executable).parent / "daphne"
        self.proc = subprocess.Popen(
            [str(daphne), "-b", "127.0.0.1", "-p", str(self.port), "trialoog.asgi:application"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
        )
        _wait_until_healthy(f"{self.base}/healthz", self.proc)
        return self

    def wait_listening(self) -> None:
        import socket
        import time

        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("daphne is not listening")

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        if self.log_file is not None:
            self.log_file.close()
            self.log_file = None

    def log(self) -> str:
        return self.log_path.read_text() if self.log_path.exists() else ""


@pytest.fixture
def redis_server():
    server = Redis().start()
    yield server
    server.stop()


@pytest.fixture
def daphne_server(tmp_path, redis_server):
    server = Daphne(tmp_path, redis_server.url).start()
    yield server
    server.kill()


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


class Browserless:
    """A plain HTTP client with cookies, CSRF and no redirects followed: a person without JavaScript."""

    def __init__(self, base: str, cookie: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        name, value = cookie.split("=", 1)
        self.jar.set_cookie(
            http.cookiejar.Cookie(
                0,
                name,
                value,
                None,
                False,
                "127.0.0.1",
                False,
                False,
                "/",
                True,
                False,
                None,
                True,
                None,
                None,
                {},
            )
        )
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())

    def get(self, path: str) -> tuple[int, str]:
        return self._open(urllib.request.Request(self.base + path))

    def post(self, path: str, data: dict) -> tuple[int, str]:
        self.get(path.rsplit("/", 2)[0] + "/")
        token = next((c.value for c in self.jar if c.name == "csrftoken"), "")
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}).encode()
        request = urllib.request.Request(self.base + path, data=body, headers={"Referer": self.base + path})
        return self._open(request)

    def _open(self, request) -> tuple[int, str]:
        try:
            with self.opener.open(request, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class RoomClient:
    """A WebSocket client with an outbox, like room.js: unacked actions are resent with the same id."""

    def __init__(self, base: str, code: str, cookie: str):
        self.url = base.replace("http://", "ws://") + f"/ws/rooms/{code}/"
        self.origin = base
        self.cookie = cookie
        self.outbox: dict[str, dict] = {}
        self.socket = None
        self.snapshot = None

    async def connect(self, timeout: float = 5) -> dict:
        self.socket = await connect(
            self.url, origin=self.origin, additional_headers={"Cookie": self.cookie}, open_timeout=timeout
        )
        self.snapshot = await self.next("room.snapshot", timeout)
        return self.snapshot

    async def reconnect(self, within: float) -> dict:
        """Retry with a short backoff until a snapshot arrives, like the live client."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        delay = 0.2
        while True:
            try:
                return await self.connect()
            except (OSError, InvalidStatus, ConnectionClosed, TimeoutError):
                if loop.time() > deadline:
                    raise
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2)

    async def next(self, kind: str, timeout: float = 5) -> dict:
        while True:
            frame = json.loads(await asyncio.wait_for(self.socket.recv(), timeout))
            if frame["type"] == kind or (kind == "reply" and frame["type"] in ("ack", "error")):
                return frame

    def queue(self, action: dict) -> None:
        self.outbox[action["id"]] = action

    async def flush(self) -> list[dict]:
        """Send every queued action, collect the replies, keep only those not acked."""
        replies = []
        for action in list(self.outbox.values()):
            await self.socket.send(json.dumps(action))
            reply = await self.next("reply")
            replies.append(reply)
            if reply["type"] == "ack":
                self.outbox.pop(action["id"], None)
        return replies

    async def close(self) -> None:
        if self.socket is not None:
            await self.socket.close()


@pytest.fixture
def organiser(db):
    """An organiser with admin access."""
    user = UserFactory(perspective="beleid", is_staff=True)
    user.groups.add(organiser_group_ensure())
    return user


@pytest.fixture
def world(db):
    """
    One room with a question and an open poll, and one user per role.

    The room is open only to people signed up for its session (the setting
    Chatham House and Kamerleden-only sessions get), so being registered for
    the event is not enough: `registered` and `moderator_elsewhere` are
    registered but not signed up; `signed_up` (the author of the question and
    the note, also called `attendee`) and `kamerlid` have a seat.
    """
    room = LiveRoom.objects.create(session=SessionFactory(room_access=RoomAccess.SIGNED_UP), is_open=True)
    other_room = LiveRoom.objects.create(session=SessionFactory(event=room.session.event), is_open=True)
    users = {"anonymous": AnonymousUser()}
    users["registered"] = UserFactory(perspective="uitvoering")
    users["signed_up"] = users["attendee"] = UserFactory(perspective="uitvoering")
    users["kamerlid"] = UserFactory(perspective="politiek", is_kamerlid=True)
    users["moderator_elsewhere"] = UserFactory(perspective="beleid")
    users["moderator"] = UserFactory(perspective="beleid")
    users["organiser"] = UserFactory(perspective="beleid", is_staff=True)
    users["organiser"].groups.add(organiser_group_ensure())
    users["rapporteur"] = UserFactory(perspective="beleid")
    event = room.session.event
    users["event_team"] = UserFactory(perspective="beleid")
    TeamFactory(
        organisation=event.organisation,
        members=[users["event_team"]],
        events=[event],
        can_manage_programme=True,
    )
    users["team_elsewhere"] = UserFactory(perspective="beleid")
    elsewhere = OrganisationFactory()
    EventFactory(organisation=elsewhere, date=dt.date(2025, 9, 15))  # the world's event stays the current one
    TeamFactory(
        organisation=elsewhere,
        members=[users["team_elsewhere"]],
        all_events=True,
        **{right: True for right in Right.ALL},
    )
    for role in ("registered", "signed_up", "kamerlid", "moderator_elsewhere", "moderator", "rapporteur"):
        RegistrationFactory(user=users[role], event=room.session.event)
    for role in ("signed_up", "kamerlid"):
        SessionSignupFactory(user=users[role], session=room.session)
    room.session.moderators.add(users["moderator"])
    room.session.rapporteurs.add(users["rapporteur"])
    other_room.session.moderators.add(users["moderator_elsewhere"])
    question, _ = question_services.question_ask(user=users["signed_up"], room=room, text="Vraag")
    poll = poll_services.poll_create(
        user=users["moderator"], room=room, text="Stelling", kind=Poll.Kind.SCALE
    )
    poll_services.poll_open(user=users["moderator"], poll=poll)
    note, _ = note_services.note_add(user=users["signed_up"], room=room, kind="dilemma", text="Notitie")
    return {"room": room, "users": users, "question": question, "poll": poll, "note": note}


@pytest.fixture(scope="module")
def production_stack(django_db_setup, tmp_path_factory):
    """The compose web command with production settings (uvicorn --proxy-headers), for the whole module."""
    from tests.production import production_web

    with production_web(
        database_url=suite_database_url(),
        redis_url=settings.REDIS_URL,
        tmp_path=tmp_path_factory.mktemp("production"),
    ) as base:
        yield base


class RawHTTP:
    """
    One visitor of a server over plain HTTP who keeps `__Host-` cookies by hand.

    Browsers and http.cookiejar keep Secure cookies for HTTPS only; behind the
    TLS proxy the web process speaks HTTP, so the test carries them itself.
    """

    def __init__(self, base: str, forwarded_for: str):
        self.base = base
        self.forwarded_for = forwarded_for
        self.cookies: dict[str, str] = {}
        self.set_cookie_headers: list[str] = []

    def request(self, method: str, path: str, data: dict | None = None):
        import http.client
        import re

        host, port = self.base.removeprefix("http://").split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        headers = {"X-Forwarded-For": self.forwarded_for}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', self.request("GET", path)[1])
            body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token.group(1)})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode()
        for header in response.headers.get_all("Set-Cookie") or []:
            self.set_cookie_headers.append(header)
            name, value = header.split(";", 1)[0].split("=", 1)
            self.cookies[name] = value
        connection.close()
        return response.status, text, response.headers
