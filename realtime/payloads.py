"""
The wire shapes of a live room: a question, poll, note, action, phase and the room itself as dicts.

Pure: every function takes model instances (with the relations its docstring
names already loaded) and figures that were already read and tallied, and
returns a dict. Nothing here queries the database or computes a lens:
realtime/snapshots.py reads (realtime/selectors.py), tallies
(realtime/tallies.py) and hands the results here. The same shapes reach the
socket (docs/realtime-protocol.md) and the HTML pages.

This is also the one place that names the statuses in which a question is
public and the perspectives in their fixed order; the lens, the room and the
reports all take them from here.
"""

from accounts.models import TRIALOOG_PERSPECTIVES, Perspective
from realtime.models import Question

PUBLIC_STATUSES = (Question.Status.VISIBLE, Question.Status.ANSWERED)
PERSPECTIVES = tuple(p.value for p in Perspective)  # all four: politiek, beleid, uitvoering, anders
LENS_PERSPECTIVES = tuple(p.value for p in TRIALOOG_PERSPECTIVES)  # the three a lens compares
REACTION_KINDS = ("recognise", "agree", "disagree")


def zeros() -> dict[str, int]:
    """A count of 0 for every perspective."""
    return dict.fromkeys(PERSPECTIVES, 0)


def question_payload(question: Question, by_perspective: dict, *, names: bool = True) -> dict:
    """
    The public shape of a question. Names appear only when the author chose so and still exists.

    With `names` false (a Chatham House session) no name or organisation
    appears, whatever the author chose. Reads `question.author` (select it
    along). `by_perspective` is the published breakdown of its upvotes
    (realtime.tallies.question_breakdown: withheld perspectives are None).
    The question's lens is left to the report: sent with every question and
    score frame it tripled their size (measured in bench/live_room.py), and
    no live screen shows it.
    """
    author = question.author if names and question.show_name and question.author_id else None
    return {
        "id": question.pk,
        "text": question.text,
        "perspective": question.perspective,
        "kamerlid": question.is_kamerlid,
        "author": (author.display_name if author else None),
        "organisation": (author.organisation if author else None),
        "status": question.status,
        "upvotes": question.upvotes,
        "by_perspective": by_perspective,
        "created_at": question.created_at.isoformat(),
    }


def question_score_payload(question_id: int, upvotes: int, by_perspective: dict) -> dict:
    """One entry of a `question.scores` frame."""
    return {"question": question_id, "upvotes": upvotes, "by_perspective": by_perspective}


def phase_payload(phase) -> dict:
    return {"id": phase.pk, "position": phase.position, "title": phase.title, "prompt": phase.prompt}


def room_state(room) -> dict:
    """The room's own settings. Reads `room.session` and `room.current_phase` (select them along)."""
    phase = room.current_phase if room.current_phase_id else None
    return {
        "code": room.session.code,
        "title": room.session.title,
        "open": room.is_open,
        "premoderation": room.premoderation,
        "pinned": room.pinned_question_id,
        "projector_mode": room.projector_mode,
        "phase": phase_payload(phase) if phase else None,
    }


def option_dicts(poll) -> list[dict]:
    """A poll's options in display order. Reads `poll.options` (prefetch them)."""
    return [{"id": o.pk, "label": o.label, "value": o.value} for o in poll.options.all()]


def poll_payload(poll, results: dict | None) -> dict:
    """The shape of a poll on the wire and in templates; `results` as published, or None when not allowed."""
    return {
        "id": poll.pk,
        "text": poll.text,
        "kind": poll.kind,
        "state": poll.state,
        "show_live": poll.show_live,
        "revealed": poll.revealed,
        "options": option_dicts(poll),
        "results": results,
    }


def note_payload(note, tally: dict) -> dict:
    """
    The public shape of a note (never its author). Reads `note.phase` (select it along).

    `tally` is the note's published reactions and lens (realtime.tallies.note_tally).
    """
    return {
        "id": note.pk,
        "kind": note.kind,
        "perspective": note.perspective,
        "phase": note.phase_id,
        "phase_title": note.phase.title if note.phase_id else None,
        "text": note.text,
        "status": note.status,
        "mark": note.mark,
        "merged_into": note.merged_into_id,
        "reactions": tally["reactions"],
        "reactions_by_perspective": tally["reactions_by_perspective"],
        "lens": tally["lens"],
        "created_at": note.created_at.isoformat(),
    }


def note_score_payload(note_id: int, tally: dict) -> dict:
    """One entry of a `note.scored` frame."""
    return {"note": note_id, **tally}


def action_payload(action) -> dict:
    return {
        "id": action.pk,
        "what": action.what,
        "owner_name": action.owner_name,
        "owner_organisation": action.owner_organisation,
        "perspective": action.perspective,
        "due_date": action.due_date.isoformat() if action.due_date else None,
        "status": action.status,
    }
