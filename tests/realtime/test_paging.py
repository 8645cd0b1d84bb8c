"""Bounded snapshots and the pages of GET /zaal/<code>/meer/ (realtime/paging.py)."""

import pytest
from django.urls import reverse

from realtime import snapshots
from realtime.models import Note, Question
from realtime.paging import Limits
from realtime.services import votes

SMALL = Limits(top=2, newest=2, queue=2)


def _questions(room, author, upvotes: list[int], status=Question.Status.VISIBLE) -> list[Question]:
    return [
        Question.objects.create(
            room=room, author=author, text=f"Vraag {i}", perspective="beleid", status=status, upvotes=n
        )
        for i, n in enumerate(upvotes)
    ]


def _notes(room, count: int, status=Note.Status.VISIBLE, mark="") -> list[Note]:
    return [
        Note.objects.create(
            room=room, kind="dilemma", perspective="beleid", text=f"Notitie {i}", status=status, mark=mark
        )
        for i in range(count)
    ]


def test_snapshot_carries_the_top_the_newest_and_the_pinned_question(live_room, make_participant):
    """Of six questions: the two most upvoted, the two newest and the pinned one, in 'top' order."""
    asker = make_participant(live_room)
    q = _questions(live_room, asker, [5, 1, 9, 0, 2, 3])
    live_room.pinned_question = q[1]
    live_room.save()

    snapshot = snapshots.room_snapshot(room=live_room, user=asker, role="participant", limits=SMALL)

    assert [x["id"] for x in snapshot["questions"]] == [q[2].pk, q[0].pk, q[5].pk, q[4].pk, q[1].pk]
    assert snapshot["totals"] == {"questions": 6, "notes": 0}
    assert snapshot["more"] == {"questions": q[4].pk, "notes": None}


def test_snapshot_has_no_cursor_when_it_holds_every_question(live_room, make_participant):
    """Three questions all among the top two and newest two: nothing more to load."""
    asker = make_participant(live_room)
    _questions(live_room, asker, [7, 0, 0])

    snapshot = snapshots.room_snapshot(room=live_room, user=asker, role="participant", limits=SMALL)

    assert (len(snapshot["questions"]), snapshot["more"]["questions"]) == (3, None)


def test_snapshot_notes_are_the_newest_and_older_common_ground(live_room, make_participant):
    """The two newest notes and older notes marked common ground (as many as the newest), oldest first."""
    person = make_participant(live_room)
    ground = _notes(live_room, 3, mark=Note.Mark.COMMON_GROUND)
    plain = _notes(live_room, 4)

    snapshot = snapshots.room_snapshot(room=live_room, user=person, role="participant", limits=SMALL)

    assert [n["id"] for n in snapshot["notes"]] == [ground[1].pk, ground[2].pk, plain[2].pk, plain[3].pk]
    assert (snapshot["totals"]["notes"], snapshot["more"]["notes"]) == (7, plain[2].pk)


def test_moderator_queues_are_bounded_with_totals(live_room, make_participant, make_moderator):
    """Pending: the oldest two; hidden: the newest two; each with its total and where its pages start."""
    asker = make_participant(live_room)
    moderator = make_moderator(live_room)
    pending = _questions(live_room, asker, [0, 0, 0], status=Question.Status.PENDING)
    hidden = _questions(live_room, asker, [0, 0, 0], status=Question.Status.HIDDEN)

    snapshot = snapshots.room_snapshot(room=live_room, user=moderator, role="moderator", limits=SMALL)

    assert [x["id"] for x in snapshot["pending"]] == [pending[1].pk, pending[0].pk]
    assert [x["id"] for x in snapshot["hidden"]] == [hidden[2].pk, hidden[1].pk]
    assert snapshot["queue_totals"] == {"pending": 3, "hidden": 3, "pending_notes": 0, "hidden_notes": 0}
    assert snapshot["queue_more"] == {
        "pending": pending[1].pk,
        "hidden": hidden[1].pk,
        "pending_notes": None,
        "hidden_notes": None,
    }


def test_participant_snapshot_has_no_queues(live_room, make_participant):
    """Pending and hidden questions reach participants neither as items nor as cursors."""
    asker = make_participant(live_room)
    _questions(live_room, asker, [0], status=Question.Status.PENDING)

    snapshot = snapshots.room_snapshot(room=live_room, user=asker, role="participant", limits=SMALL)

    assert ("pending" in snapshot, "queue_more" in snapshot, snapshot["questions"]) == (False, False, [])


@pytest.fixture
def paging_client(client, settings, live_room, make_participant):
    settings.ROOM_PAGE_SIZE = 2
    person = make_participant(live_room)
    client.force_login(person)
    return client, person


def _page(client, room, **params):
    return client.get(reverse("realtime:room_more", args=[room.session.code]), params)


def test_page_continues_after_the_cursor_with_the_persons_upvotes(paging_client, live_room, make_participant):
    """Newest first after the given id, with the person's own upvotes and questions among them."""
    client, person = paging_client
    q = _questions(live_room, make_participant(live_room), [0, 0, 0, 0])
    mine = _questions(live_room, person, [0])[0]
    votes.question_upvote(user=person, question=q[1])

    first = _page(client, live_room, lijst="questions").json()
    second = _page(client, live_room, lijst="questions", na=first["next"]).json()

    assert ([i["id"] for i in first["items"]], first["next"]) == ([mine.pk, q[3].pk], q[3].pk)
    assert ([i["id"] for i in second["items"]], second["next"]) == ([q[2].pk, q[1].pk], q[1].pk)
    assert (first["my_questions"], second["my_upvotes"]) == ([mine.pk], [q[1].pk])
    assert second["items"][1]["upvotes"] == 1


def test_note_page_has_the_snapshot_shape(paging_client, live_room):
    """A page of notes carries the same dicts as the snapshot's notes."""
    client, person = paging_client
    _notes(live_room, 1)

    page = _page(client, live_room, lijst="notes").json()

    snapshot = snapshots.room_snapshot(room=live_room, user=person, role="participant")
    assert (page["items"], page["next"]) == (snapshot["notes"], None)


@pytest.mark.parametrize(("params", "status"), [({"lijst": "pending"}, 404), ({"lijst": "x"}, 404)])
def test_page_of_a_list_the_role_may_not_read_is_404(paging_client, live_room, params, status):
    client, _person = paging_client

    assert _page(client, live_room, **params).status_code == status


@pytest.mark.parametrize("cursor", ["abc", "-1", "1" * 13])
def test_page_with_a_malformed_cursor_is_400(paging_client, live_room, cursor):
    client, _person = paging_client

    assert _page(client, live_room, lijst="questions", na=cursor).status_code == 400


def test_page_is_not_stored_by_caches(paging_client, live_room):
    client, _person = paging_client

    assert _page(client, live_room, lijst="questions")["Cache-Control"] == "private, no-store"


def test_page_of_another_event_is_refused(client, live_room, make_participant):
    """Someone without a registration for the room's event gets the room's 403 page, not the list."""
    from tests.factories import UserFactory

    client.force_login(UserFactory())

    assert _page(client, live_room, lijst="questions").status_code == 403


def test_pages_count_against_the_room_action_limit(paging_client, live_room):
    """Past the per-person limit a page answers 429 with Retry-After, like a room action."""
    from realtime.ratelimit import LIMIT_PER_WINDOW

    client, _person = paging_client
    # Twice the limit and one: however the requests fall across two windows, one window overflows.
    responses = [_page(client, live_room, lijst="questions") for _ in range(2 * LIMIT_PER_WINDOW + 1)]
    refused = [r for r in responses if r.status_code == 429]

    assert {r.status_code for r in responses} == {200, 429}
    assert refused[0]["Retry-After"].isdigit()
    assert refused[0].json()["error"] == "rate_limited"
