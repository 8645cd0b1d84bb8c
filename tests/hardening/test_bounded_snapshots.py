"""
A room with 3,000 questions and 2,000 notes: connects, pages and paging keep working.

Before snapshots were bounded, such a room sent a ~6 MB `room.snapshot`, over
the 1 MiB frame limit, so every connect failed, and the room page weighed 18 MB.
"""

import asyncio

import pytest
from asgiref.sync import sync_to_async
from django.test import Client
from django.urls import reverse
from websockets.asyncio.client import connect

from realtime.models import LiveRoom, Question
from realtime.snapshots import room_snapshot
from tests.factories import RegistrationFactory, SessionFactory, UserFactory
from tests.hardening.conftest import session_cookie
from tests.large_room import large_room_fill

pytestmark = pytest.mark.django_db(transaction=True)

FRAME_LIMIT = 2**20  # 1 MiB: daphne's and the websockets client's default message limit
PAGE_LIMIT = 500 * 1024


@pytest.fixture
def large_room(db):
    room = LiveRoom.objects.create(session=SessionFactory(), is_open=True)
    attendee = UserFactory(perspective="uitvoering")
    RegistrationFactory(user=attendee, event=room.session.event)
    moderator = UserFactory(perspective="beleid")
    room.session.moderators.add(moderator)
    filled = large_room_fill(room=room, author=attendee)
    return room, attendee, moderator, filled


def _get(user, url: str, **params):
    client = Client()
    client.force_login(user)
    return client.get(url, params)


async def test_connect_to_a_large_room_gets_a_snapshot_under_the_frame_limit(daphne_server, large_room):
    """A participant and a moderator each connect over a real socket and get a snapshot of less than 1 MiB."""
    room, attendee, moderator, _filled = large_room
    url = daphne_server.base.replace("http://", "ws://") + f"/ws/rooms/{room.session.code}/"
    sizes = {}
    for name, user in (("participant", attendee), ("moderator", moderator)):
        cookie = await sync_to_async(session_cookie)(user)
        async with connect(
            url, origin=daphne_server.base, additional_headers={"Cookie": cookie}, max_size=FRAME_LIMIT
        ) as socket:
            text = await asyncio.wait_for(socket.recv(), 10)
        sizes[name] = len(text.encode())
        assert '"type":"room.snapshot"' in text

    assert sizes["participant"] < FRAME_LIMIT
    assert sizes["moderator"] < FRAME_LIMIT


def test_room_console_and_projector_pages_of_a_large_room_stay_under_500_kb(large_room):
    """The HTML of the room page, the console and the projector are each under 500 KB."""
    room, attendee, moderator, _filled = large_room
    code = room.session.code

    room_page = _get(attendee, reverse("realtime:room", args=[code]))
    console = _get(moderator, reverse("realtime:console", args=[code]))
    projector = Client().get(reverse("realtime:projector_token", args=[room.projector_token]))

    assert (room_page.status_code, console.status_code, projector.status_code) == (200, 200, 200)
    assert len(room_page.content) < PAGE_LIMIT
    assert len(console.content) < PAGE_LIMIT
    assert len(projector.content) < PAGE_LIMIT


def _walk(user, code: str, name: str, after=None) -> tuple[list[int], int]:
    """Follow a list's pages from `after` to its end; the ids in order and the number of pages."""
    ids, pages = [], 0
    while True:
        params = {"lijst": name} if after is None else {"lijst": name, "na": after}
        response = _get(user, reverse("realtime:room_more", args=[code]), **params)
        assert response.status_code == 200
        page = response.json()
        ids += [item["id"] for item in page["items"]]
        pages += 1
        after = page["next"]
        if after is None:
            return ids, pages


def test_paging_returns_every_visible_question_and_note_exactly_once(large_room, settings):
    """From the start to the end, the pages hold each visible question and note once, and nothing else."""
    # Large pages: every page counts against the person's room-action limit.
    settings.ROOM_PAGE_SIZE = 200
    room, attendee, _moderator, filled = large_room

    questions, question_pages = _walk(attendee, room.session.code, "questions")
    notes, _note_pages = _walk(attendee, room.session.code, "notes")

    assert sorted(questions) == sorted(filled.visible_questions)
    assert len(questions) == len(set(questions))
    assert question_pages == -(-len(filled.visible_questions) // 200)
    assert sorted(notes) == sorted(filled.visible_notes)
    assert len(notes) == len(set(notes))


def test_snapshot_plus_its_pages_is_the_whole_room(large_room, settings):
    """A client that starts from the snapshot and follows its cursor ends up with every visible question."""
    settings.ROOM_PAGE_SIZE = 200
    room, attendee, _moderator, filled = large_room
    code = room.session.code
    visible = Question.objects.filter(room=room, status__in=["visible", "answered"])
    top = set(visible.order_by("-upvotes", "-created_at", "-pk")[:100].values_list("pk", flat=True))
    newest = set(visible.order_by("-pk")[:50].values_list("pk", flat=True))

    snapshot = room_snapshot(room=room, user=attendee, role="participant")
    paged, _pages = _walk(attendee, code, "questions", after=snapshot["more"]["questions"])

    assert snapshot["totals"]["questions"] == len(filled.visible_questions)
    assert {q["id"] for q in snapshot["questions"]} == top | newest
    assert set(paged) | {q["id"] for q in snapshot["questions"]} == set(filled.visible_questions)


def test_pending_queue_pages_for_moderators_only(large_room):
    """The moderator pages through the whole pending queue; a participant asking for it gets 404."""
    room, attendee, moderator, filled = large_room
    code = room.session.code
    pending = set(
        Question.objects.filter(room=room, status=Question.Status.PENDING).values_list("pk", flat=True)
    )

    paged, _pages = _walk(moderator, code, "pending")
    refused = _get(attendee, reverse("realtime:room_more", args=[code]), lijst="pending")

    assert paged == sorted(pending)
    assert refused.status_code == 404
    assert set(filled.other_questions) >= pending
