"""realtime/store.py on its own: pure dicts in, new dicts out (tests/realtime/test_verify_action.py runs it on real frames)."""

import pytest

from realtime import store


def question(pk: int, status: str = "visible", **fields) -> dict:
    return {"id": pk, "text": f"Vraag {pk}", "status": status, "upvotes": 0, "by_perspective": {}, **fields}


def moderator_state(**fields) -> dict:
    return store.apply_snapshot(
        {
            "type": "room.snapshot",
            "seq": 4,
            "mod_seq": 7,
            "role": "moderator",
            "room": {"pinned": None},
            "questions": [question(1)],
            "pending": [question(2, "pending")],
            "hidden": [],
            "notes": [],
            "pending_notes": [],
            "hidden_notes": [],
            "polls": [],
            "actions": [],
            "totals": {"questions": 1, "notes": 0},
            "more": {"questions": None, "notes": None},
            "queue_totals": {"pending": 1, "hidden": 0, "pending_notes": 0, "hidden_notes": 0},
            "queue_more": {"pending": None, "hidden": None, "pending_notes": None, "hidden_notes": None},
            "stats": {},
            **fields,
        }
    )


def test_apply_snapshot_keys_lists_by_id_and_leaves_the_snapshot_alone():
    """The state holds each list by id; the snapshot it came from is not changed."""
    snapshot = {
        "type": "room.snapshot",
        "seq": 1,
        "role": "participant",
        "questions": [question(3)],
        "polls": [],
    }

    state = store.apply_snapshot(snapshot)
    state["questions"][3]["text"] = "changed"

    assert state["questions"].keys() == {3}
    assert snapshot["questions"] == [question(3)]


def test_question_changed_moves_a_question_between_the_moderators_lists_and_recounts_them():
    """Approving files the pending question under questions; the totals of whole lists follow."""
    before = moderator_state()

    after = store.apply_event(
        before, {"type": "question.changed", "mod_seq": 8, "question": question(2), "stats": {"beleid": 1}}
    )

    assert (after["questions"].keys(), after["pending"].keys()) == ({1, 2}, set())
    assert (after["totals"]["questions"], after["queue_totals"]["pending"]) == (2, 0)
    assert (after["mod_seq"], after["seq"], after["stats"]) == (8, 4, {"beleid": 1})
    assert before["pending"].keys() == {2}


def test_a_list_held_in_part_counts_only_new_questions():
    """With a next page outstanding, an asked question adds one; an update of an unknown row adds none."""
    state = moderator_state(totals={"questions": 40, "notes": 0}, more={"questions": 17, "notes": None})

    state = store.apply_event(state, {"type": "question.asked", "seq": 5, "question": question(9)})
    state = store.apply_event(state, {"type": "question.updated", "seq": 6, "question": question(8)})

    assert state["totals"]["questions"] == 41


def test_apply_ack_keeps_the_persons_own_fields_sorted():
    """Own questions and upvotes stay sorted lists, as in the snapshot; a reaction taken back leaves."""
    state = store.apply_snapshot(
        {
            "type": "room.snapshot",
            "my_questions": [5],
            "my_upvotes": [],
            "my_votes": {},
            "my_reactions": {"3": "agree"},
        }
    )

    state = store.apply_ack(state, {"type": "ack", "action": "question.ask", "question": 2})
    state = store.apply_ack(state, {"type": "ack", "action": "question.upvote", "question": 5})
    state = store.apply_ack(state, {"type": "ack", "action": "note.react", "note": 3, "reaction": None})
    state = store.apply_ack(state, {"type": "ack", "action": "poll.vote", "poll": 4, "choices": [7, 9]})

    assert (state["my_questions"], state["my_upvotes"]) == ([2, 5], [5])
    assert (state["my_reactions"], state["my_votes"]) == ({}, {"4": [7, 9]})


def test_store_refuses_an_event_it_does_not_know():
    """A new event type, or one on the wrong stream, fails a replay loudly instead of being skipped."""
    state = moderator_state()

    with pytest.raises(ValueError, match="room.future"):
        store.apply_event(state, {"type": "room.future", "seq": 5})
    with pytest.raises(ValueError, match="question.asked"):
        store.apply_event(state, {"type": "question.asked", "mod_seq": 8, "question": question(3)})
