"""
Benchmark the outcome report on a large session, against a real PostgreSQL.

Starts a throwaway PostgreSQL (or uses DATABASE_URL when set), migrates it,
and seeds one session with 5,000 questions (20,000 upvotes), 50,000 poll
votes over 10 polls, 2,000 dilemma notes (10,000 reactions) and 200
actions, all with bulk_create. Then times building the report and rendering
it as JSON and as PDF, and counts the queries of each run.

    .venv/bin/python bench/export.py [--questions 5000] [--votes 50000] [--notes 2000] [--actions 200]
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PERSPECTIVES = ("politiek", "beleid", "uitvoering", "anders")


def setup_django():
    server = None
    if not os.environ.get("DATABASE_URL"):
        from scripts.services import Postgres

        server = Postgres().start()
        os.environ["DATABASE_URL"] = server.url
    os.environ.pop("REDIS_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "trialoog.settings.test"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return server


def seed(*, questions: int, votes: int, notes: int, actions: int):
    import datetime as dt

    from events.models import Event, Room, Session, SessionKind
    from realtime.models import (
        Action,
        LiveRoom,
        Note,
        NoteReaction,
        Poll,
        PollChoice,
        PollOption,
        PollVote,
        Question,
        QuestionUpvote,
    )
    from realtime.models.polls import SCALE_LABELS

    tag = str(time.monotonic_ns())
    event = Event.objects.create(
        name="Bench", slug=tag, acronym="bench2026", date=dt.date(2026, 6, 17), programme_published=True
    )
    start = dt.datetime(2026, 6, 17, 10, 30, tzinfo=event.tz)
    room = Room.objects.create(event=event, name="Zaal", capacity=500)
    session = Session.objects.create(
        event=event,
        room=room,
        kind=SessionKind.TRIALOOG,
        title="Grote trialoog",
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=75),
    )
    live = LiveRoom.objects.create(session=session)
    batch = 5000

    Question.objects.bulk_create(
        (
            Question(
                room=live,
                text=f"Vraag {i}: hoe werkt dit uit voor de uitvoering?",
                perspective=PERSPECTIVES[i % 4],
                is_kamerlid=i % 50 == 0,
                status="answered" if i % 7 == 0 else "visible",
                upvotes=4,
            )
            for i in range(questions)
        ),
        batch_size=batch,
    )
    question_ids = list(Question.objects.filter(room=live).values_list("pk", flat=True))
    QuestionUpvote.objects.bulk_create(
        (
            QuestionUpvote(question_id=pk, voter_hash=f"u{pk}-{k}", perspective=PERSPECTIVES[k])
            for pk in question_ids
            for k in range(4)
        ),
        batch_size=batch,
    )

    polls = 10
    for p in range(polls):
        poll = Poll.objects.create(
            room=live, text=f"Stelling {p}", kind=Poll.Kind.SCALE, state=Poll.State.CLOSED
        )
        options = [
            PollOption.objects.create(poll=poll, label=str(label), value=value, position=value)
            for value, label in SCALE_LABELS
        ]
        per_poll = votes // polls
        PollVote.objects.bulk_create(
            (
                PollVote(poll=poll, voter_hash=f"v{p}-{i}", perspective=PERSPECTIVES[i % 4])
                for i in range(per_poll)
            ),
            batch_size=batch,
        )
        vote_ids = list(PollVote.objects.filter(poll=poll).order_by("pk").values_list("pk", flat=True))
        PollChoice.objects.bulk_create(
            (PollChoice(vote_id=pk, option=options[(i * 7 + p) % 5]) for i, pk in enumerate(vote_ids)),
            batch_size=batch,
        )

    kinds = [k for k, _ in Note.Kind.choices]
    Note.objects.bulk_create(
        (
            Note(
                room=live,
                text=f"Notitie {i} over de gevolgen voor mensen en bedrijven",
                perspective=PERSPECTIVES[i % 4],
                kind=kinds[i % len(kinds)],
                mark=["", "common_ground", "not_agreed"][i % 3],
            )
            for i in range(notes)
        ),
        batch_size=batch,
    )
    note_ids = list(Note.objects.filter(room=live).values_list("pk", flat=True))
    NoteReaction.objects.bulk_create(
        (
            NoteReaction(
                note_id=pk,
                voter_hash=f"r{pk}-{k}",
                perspective=PERSPECTIVES[k % 4],
                kind=("recognise", "agree", "disagree")[(pk + k) % 3],
            )
            for pk in note_ids
            for k in range(5)
        ),
        batch_size=batch,
    )
    Action.objects.bulk_create(
        Action(
            room=live,
            what=f"Actie {i}",
            owner_name=f"Eigenaar {i}",
            owner_organisation="UWV",
            due_date=dt.date(2026, 9, 1) + dt.timedelta(days=i),
        )
        for i in range(actions)
    )
    return session


def measure(label: str, fn):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - started
    print(
        f"{label:<28} {elapsed * 1000:9.0f} ms  {len(queries.captured_queries):3d} queries  {len(result):>10,} bytes"
    )
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--questions", type=int, default=5000)
    parser.add_argument("--votes", type=int, default=50_000)
    parser.add_argument("--notes", type=int, default=2000)
    parser.add_argument("--actions", type=int, default=200)
    args = parser.parse_args()
    server = setup_django()
    try:
        from reports.renderers.jsonfile import report_json
        from reports.renderers.pdf import report_pdf
        from reports.renderers.tables import ods_bytes, report_tables, xlsx_bytes
        from reports.selectors import report_build, report_document

        started = time.perf_counter()
        session = seed(questions=args.questions, votes=args.votes, notes=args.notes, actions=args.actions)
        print(
            f"seeded {args.questions:,} questions, {args.votes:,} votes, {args.notes:,} notes, "
            f"{args.actions:,} actions in {time.perf_counter() - started:.1f} s"
        )
        measure("report_build", lambda: str(report_build(session=session)))
        measure("JSON (build + render)", lambda: report_json(report_document(session=session)))
        measure("PDF (build + render)", lambda: report_pdf(report_document(session=session)))
        measure("XLSX tables", lambda: xlsx_bytes(report_tables(report_document(session=session))))
        measure("ODS tables", lambda: ods_bytes(report_tables(report_document(session=session))))
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
