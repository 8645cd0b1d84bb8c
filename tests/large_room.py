"""
A live room as large as a long day makes it: thousands of questions and notes, written with bulk_create.

Used by tests/hardening/test_bounded_snapshots.py and bench/snapshot.py. The
texts are long (questions 400 characters, notes 600), so the sizes measured
are those of a room full of real sentences, not of short stubs.
"""

from dataclasses import dataclass

from realtime.models import LiveRoom, Note, Question

QUESTION_TEXT = (
    "Hoe zorgen we dat de uitvoering vroeg meedenkt over deze wet, ook als de planning krap is? " * 5
)
NOTE_TEXT = (
    "Beleid en uitvoering zien hier elk een ander risico: de één de planning, de ander de mensen. " * 7
)


@dataclass
class LargeRoom:
    visible_questions: list[int]  # visible and answered: what the room shows
    other_questions: list[int]  # pending, hidden, rejected
    visible_notes: list[int]
    other_notes: list[int]


def _question_status(i: int) -> str:
    if i % 30 == 1:
        return Question.Status.PENDING
    if i % 30 == 2:
        return Question.Status.HIDDEN
    if i % 30 == 3:
        return Question.Status.REJECTED
    if i % 10 == 4:
        return Question.Status.ANSWERED
    return Question.Status.VISIBLE


def _note_status(i: int) -> str:
    if i % 20 == 1:
        return Note.Status.PENDING
    if i % 20 == 2:
        return Note.Status.HIDDEN
    return Note.Status.VISIBLE


def large_room_fill(*, room: LiveRoom, author, questions: int = 3000, notes: int = 2000) -> LargeRoom:
    """Add `questions` questions and `notes` notes by `author` to the room, in a spread of statuses and scores."""
    perspectives = ("politiek", "beleid", "uitvoering", "anders")
    made = Question.objects.bulk_create(
        [
            Question(
                room=room,
                author=author,
                text=f"{i}: {QUESTION_TEXT}"[:400],
                perspective=perspectives[i % 4],
                show_name=i % 3 == 0,
                status=_question_status(i),
                # Many ties, a long tail: like the votes of a real room.
                upvotes=(i * 37) % 61,
            )
            for i in range(questions)
        ],
        batch_size=1000,
    )
    written = Note.objects.bulk_create(
        [
            Note(
                room=room,
                author=author,
                kind=Note.Kind.DILEMMA,
                perspective=perspectives[i % 4],
                text=f"{i}: {NOTE_TEXT}"[:600],
                status=_note_status(i),
                mark=Note.Mark.COMMON_GROUND if i % 25 == 0 else "",
            )
            for i in range(notes)
        ],
        batch_size=1000,
    )
    public = (Question.Status.VISIBLE, Question.Status.ANSWERED)
    return LargeRoom(
        visible_questions=[q.pk for q in made if q.status in public],
        other_questions=[q.pk for q in made if q.status not in public],
        visible_notes=[n.pk for n in written if n.status == Note.Status.VISIBLE],
        other_notes=[n.pk for n in written if n.status != Note.Status.VISIBLE],
    )
