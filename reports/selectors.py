"""
Reads for outcome reports, the kennisbank and the organiser dashboard.

`report_build` computes a session's outcome report from the database, every
time, in a constant number of queries whatever the size of the session: each
section runs a fixed set of aggregated queries and the rest is Python. The
shape is documented in docs/report-schema.md and docs/report-schema.json.

Anonymity is applied here, once, so no renderer can leak a name: a question
carries its author's name only when the author chose `show_name`, still
exists, and the session is not under the Chatham House rule.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count
from django.utils import timezone

from accounts.models import Perspective
from events.models import Event, Registration, Session, SessionSignup
from events.selectors import session_list_for_programme
from realtime.lens import Lens, rank
from realtime.models import (
    PRESENCE_TTL,
    Action,
    LiveRoom,
    Note,
    Phase,
    Poll,
    PollOption,
    PollVote,
    Presence,
    Question,
)
from realtime.payloads import PERSPECTIVES, PUBLIC_STATUSES, zeros
from realtime.selectors import poll_counts, reaction_counts, upvote_counts
from realtime.tallies import PollTally, note_tally, question_tally
from reports.models import OutcomeReport
from trialoog.text import text_clean_deep

SCHEMA_VERSION = 2  # 2: the lens with verdicts and withheld counts (1 had consensus/divergence)
TOP_QUESTIONS = 10
HIGHLIGHTS = 3


@dataclass(frozen=True)
class ReportContext:
    """What every section needs to know about the session it reports on."""

    session: Session
    room: LiveRoom | None
    named: bool  # False under the Chatham House rule: nobody is named anywhere

    @property
    def tz(self):
        return self.session.event.tz


def _iso(value: dt.datetime | None, tz) -> str | None:
    return value.astimezone(tz).isoformat() if value else None


# --- sections ------------------------------------------------------------------


def session_section(ctx: ReportContext) -> dict:
    """Which session this is. No queries (the session was loaded with its event and room)."""
    session = ctx.session
    return {
        "id": session.pk,
        "title": session.title,
        "kind": session.kind,
        "kind_label": str(session.get_kind_display()),
        "description": session.description,
        "host_organisation": session.host_organisation,
        "event": session.event.name,
        "date": session.starts_at.astimezone(ctx.tz).date().isoformat(),
        "starts_at": _iso(session.starts_at, ctx.tz),
        "ends_at": _iso(session.ends_at, ctx.tz),
        "room": session.room.name,
        "chatham_house": session.chatham_house,
    }


def participants_section(ctx: ReportContext) -> dict:
    """
    Participant counts per perspective, from confirmed sign-ups (one query).

    Sign-ups rather than presence: presence rows expire minutes after people
    leave, so they cannot be counted again after the session.
    """
    counts = zeros()
    rows = (
        SessionSignup.objects.filter(session=ctx.session, status=SessionSignup.Status.CONFIRMED)
        .values("perspective")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        counts[row["perspective"] or Perspective.ANDERS] += row["n"]
    return {"source": "signups", "total": sum(counts.values()), "by_perspective": counts}


def polls_section(ctx: ReportContext) -> list[dict]:
    """
    Every opened or closed poll with totals, the split per perspective and the lens (three queries).

    Results are included whether or not they were revealed in the room: the
    report is only published after a moderator approved it. Figures of a
    perspective below the minimum group are withheld (None) as in the room.
    Each entry carries its PollTally under "_tally" until `report_build`
    strips it.
    """
    if ctx.room is None:
        return []
    polls = list(
        Poll.objects.filter(room=ctx.room).exclude(state=Poll.State.DRAFT).order_by("position", "pk")
    )
    options: dict[int, list[dict]] = {p.pk: [] for p in polls}
    for option in PollOption.objects.filter(poll__room=ctx.room).order_by("position", "pk"):
        if option.poll_id in options:
            options[option.poll_id].append({"id": option.pk, "label": option.label, "value": option.value})
    counts = poll_counts(poll__room=ctx.room)
    section = []
    for poll in polls:
        voters, chosen = counts.get(poll.pk, ({}, {}))
        tally = PollTally(kind=poll.kind, options=options[poll.pk], voters=voters, chosen=chosen)
        section.append(
            {
                "id": poll.pk,
                "text": poll.text,
                "kind": poll.kind,
                "state": poll.state,
                **tally.published(with_breakdown=True),
                "_tally": tally,
            }
        )
    return section


def _question_entry(question: Question, tally: tuple[dict, Lens], ctx: ReportContext) -> dict:
    named = ctx.named and question.show_name and question.author_id is not None
    published, question_lens = tally
    return {
        "id": question.pk,
        "text": question.text,
        "perspective": question.perspective,
        "kamerlid": question.is_kamerlid,
        "status": question.status,
        "upvotes": question.upvotes,
        "upvotes_by_perspective": published["by_perspective"],
        "lens": published["lens"],
        "_lens": question_lens,
        "author": question.author.display_name if named else None,
        "organisation": question.author.organisation if named else None,
    }


def questions_section(ctx: ReportContext, participants: dict) -> dict:
    """
    Counts per perspective, the top questions and all Kamerlid questions apart (two queries).

    A question's lens counts upvoters out of the participants of each
    perspective (at least its upvoters): presence expires after the session.

    Only visible and answered questions appear; hidden, rejected, pending
    and withdrawn ones are counted nowhere but in `asked`/`answered`
    (which leave out rejected and withdrawn ones, as the console does).
    `all` holds every reported question, for the tables and the lens.
    """
    empty = {"total": 0, "by_perspective": {p: {"asked": 0, "answered": 0} for p in PERSPECTIVES}}
    if ctx.room is None:
        return {**empty, "top": [], "kamerlid": [], "all": []}
    questions = list(
        Question.objects.filter(room=ctx.room)
        .exclude(status__in=[Question.Status.WITHDRAWN, Question.Status.REJECTED])
        .select_related("author")
        .order_by("-upvotes", "created_at", "pk")
    )
    upvotes = upvote_counts(question__room=ctx.room)

    stats = empty["by_perspective"]
    reported = []
    for question in questions:
        stats[question.perspective]["asked"] += 1
        if question.status == Question.Status.ANSWERED:
            stats[question.perspective]["answered"] += 1
        if question.status in PUBLIC_STATUSES:
            tally = question_tally(upvotes.get(question.pk, zeros()), participants["by_perspective"])
            reported.append(_question_entry(question, tally, ctx))
    return {
        "total": len(questions),
        "by_perspective": stats,
        "top": reported[:TOP_QUESTIONS],
        "kamerlid": [q for q in reported if q["kamerlid"]],
        "all": reported,
    }


POSITION_KINDS = (
    Note.Kind.CONSIDERATION,
    Note.Kind.EXECUTION,
    Note.Kind.PROFESSIONALS,
    Note.Kind.PEOPLE,
)


def phases_section(ctx: ReportContext) -> list[dict]:
    """The session's phases in order (one query)."""
    if ctx.room is None:
        return []
    return [
        {"id": p.pk, "position": p.position, "title": p.title, "prompt": p.prompt}
        for p in Phase.objects.filter(room=ctx.room).order_by("position", "pk")
    ]


def notes_section(ctx: ReportContext, phases: list[dict]) -> list[dict]:
    """
    Every visible dilemma note with its reactions per kind and perspective and its lens (two queries).

    Notes never carry their author: they are reported by perspective only.
    Hidden, pending and merged notes are left out (a merged note lives on in
    the note it was merged into). The lens counts "herken ik" and "eens" as
    agreeing, out of every reaction from that perspective, as in the room.
    """
    if ctx.room is None:
        return []
    phase_titles = {p["id"]: p["title"] for p in phases}
    notes = list(
        Note.objects.filter(room=ctx.room, status=Note.Status.VISIBLE)
        .only("pk", "kind", "perspective", "phase_id", "text", "mark")
        .order_by("created_at", "pk")
    )
    reactions = reaction_counts(note__room=ctx.room)
    kind_labels = dict(Note.Kind.choices)
    section = []
    for note in notes:
        published, note_lens = note_tally(reactions.get(note.pk) or {})
        section.append(
            {
                "id": note.pk,
                "kind": note.kind,
                "kind_label": str(kind_labels.get(note.kind, note.kind)),
                "perspective": note.perspective,
                "phase": phase_titles.get(note.phase_id),
                "text": note.text,
                "mark": note.mark or None,
                **published,
                "_lens": note_lens,
            }
        )
    return section


def actions_section(ctx: ReportContext) -> list[dict]:
    """
    Every action with owner, organisation, due date and status (one query).

    Under the Chatham House rule the owner's name is left out; the
    organisation that owns the action stays, so it can be followed up.
    """
    if ctx.room is None:
        return []
    labels = dict(Action.Status.choices)
    return [
        {
            "id": a.pk,
            "what": a.what,
            "owner_name": a.owner_name if ctx.named else None,
            "owner_organisation": a.owner_organisation or None,
            "perspective": a.perspective or None,
            "due_date": a.due_date.isoformat() if a.due_date else None,
            "status": a.status,
            "status_label": str(labels.get(a.status, a.status)),
        }
        for a in Action.objects.filter(room=ctx.room).order_by("due_date", "created_at", "pk")
    ]


def dilemmas_section(ctx: ReportContext, notes: list[dict], actions: list[dict]) -> list[dict]:
    """
    Per dilemma: the dilemma itself, positions per perspective, common ground,
    points not agreed, open questions and actions (no queries).

    A trialoog discusses one concrete dilemma and notes are not linked to a
    particular dilemma note, so a session yields one dilemma entry, titled by
    the session and stated by its dilemma notes. A note marked as common
    ground or not agreed, or written as common ground or open question, is
    listed there and not again under the positions.
    """
    if not notes and not actions:
        return []
    entry = {
        "title": ctx.session.title,
        "statements": [n for n in notes if n["kind"] == Note.Kind.DILEMMA],
        "positions": {p: [] for p in PERSPECTIVES},
        "common_ground": [],
        "not_agreed": [],
        "open_questions": [],
        "actions": actions,
    }
    for note in notes:
        if note["mark"] == Note.Mark.COMMON_GROUND or note["kind"] == Note.Kind.COMMON_GROUND:
            entry["common_ground"].append(note)
        elif note["mark"] == Note.Mark.NOT_AGREED:
            entry["not_agreed"].append(note)
        elif note["kind"] == Note.Kind.OPEN_QUESTION:
            entry["open_questions"].append(note)
        elif note["kind"] in POSITION_KINDS:
            entry["positions"][note["perspective"]].append(note)
    return [entry]


def _statements(polls: list[dict], questions: dict, notes: list[dict]) -> list[tuple[dict, Lens]]:
    """Everything the lens can judge, with its Lens: scale polls, options of choice polls, notes, questions."""
    statements = []
    for poll in polls:
        tally: PollTally = poll["_tally"]
        if tally.voter_count == 0:
            continue
        if poll["lens"] is not None:
            statements.append(
                (
                    {"source": "poll", "ref": poll["id"], "text": poll["text"], "lens": poll["lens"]},
                    tally.scale_lens(),
                )
            )
            continue
        for option in poll["options"]:
            statement = {
                "source": "poll_option",
                "ref": option["id"],
                "text": f"{poll['text']} — {option['label']}",
                "lens": option["lens"],
            }
            statements.append((statement, tally.option_lens(option["id"])))
    for note in notes:
        if sum(note["_lens"].total.values()):
            statements.append(
                (
                    {"source": "note", "ref": note["id"], "text": note["text"], "lens": note["lens"]},
                    note["_lens"],
                )
            )
    for question in questions["all"]:
        if question["upvotes"]:
            statement = {"source": "question", "ref": question["id"], "text": question["text"]}
            statements.append(({**statement, "lens": question["lens"]}, question["_lens"]))
    return statements


def highlights_section(statements: list[tuple[dict, Lens]]) -> dict:
    """
    The statements where the perspectives diverge most and agree most (no queries).

    Divergent: verdict "apart", by the z statistic of the test, highest
    first. Consensual: verdict "agree", by the smallest lower bound over the
    three perspectives, highest first. Statements the lens cannot judge
    (too few votes) are listed apart under "too_few", never ranked. See
    realtime.lens.rank.
    """
    return rank(statements, HIGHLIGHTS)


def _strip_internal(value):
    """Drop the server-side objects ("_tally", "_lens") that must not reach any renderer."""
    if isinstance(value, dict):
        return {k: _strip_internal(v) for k, v in value.items() if not k.startswith("_")}
    if isinstance(value, list):
        return [_strip_internal(v) for v in value]
    return value


# --- the report ----------------------------------------------------------------


def report_context(*, session: Session) -> ReportContext:
    """Load the session with everything the sections share (one query)."""
    session = Session.objects.select_related("event", "room", "live_room").get(pk=session.pk)
    room = getattr(session, "live_room", None)
    return ReportContext(session=session, room=room, named=not session.chatham_house)


def report_build(*, session: Session) -> dict:
    """
    The outcome report of one session as one JSON-ready dict, computed from the database now.

    Runs the same number of queries for a session with ten questions or ten
    thousand. Changes nothing.
    """
    ctx = report_context(session=session)
    participants = participants_section(ctx)
    polls = polls_section(ctx)
    questions = questions_section(ctx, participants)
    phases = phases_section(ctx)
    notes = notes_section(ctx, phases)
    actions = actions_section(ctx)
    highlights = highlights_section(_statements(polls, questions, notes))
    report = {
        "schema_version": SCHEMA_VERSION,
        "generated_at": timezone.now().astimezone(ctx.tz).isoformat(),
        "session": session_section(ctx),
        "participants": participants,
        "highlights": highlights,
        "phases": phases,
        "dilemmas": dilemmas_section(ctx, notes, actions),
        "polls": polls,
        "questions": questions,
        "notes": notes,
        "actions": actions,
    }
    return _strip_internal(report)


def report_get(*, session: Session) -> OutcomeReport | None:
    return OutcomeReport.objects.filter(session=session).first()


def report_document(*, session: Session) -> dict:
    """
    The report as renderers show it: the frozen snapshot once approved, else built now; plus its workflow state.
    """
    row = report_get(session=session)
    content = row.snapshot if row is not None and row.snapshot else report_build(session=session)
    return report_with_status(content=content, row=row)


def report_with_status(*, content: dict, row: OutcomeReport | None) -> dict:
    """
    The content in today's shape (see `snapshot_current`) with the row's workflow state.

    Control characters are removed from every text, so a row or snapshot
    stored before the forms removed them cannot break a renderer.
    """
    tz = timezone.get_default_timezone()
    return text_clean_deep(
        {
            **snapshot_current(content=content),
            "status": row.status if row else OutcomeReport.Status.DRAFT,
            "summary": row.summary if row else "",
            "topics": row.topic_list if row else [],
            "approved_at": _iso(row.approved_at, tz) if row else None,
            "published_at": _iso(row.published_at, tz) if row else None,
        }
    )


# --- snapshots approved before the lens was rewritten ---------------------------


def snapshot_current(*, content: dict) -> dict:
    """
    A report's content in today's shape; a snapshot approved before the lens was rewritten is re-tallied.

    Such a snapshot (schema_version 1) froze every count per
    perspective unwithheld, and the old lens fields that are never shown
    again. Its polls, notes and questions are
    tallied again from those frozen counts by realtime.tallies, so the
    minimum group applies exactly as to a report built now, and its
    highlights are ranked again. Everything else stays as approved. No
    queries; nothing is written, the row keeps its snapshot.
    """
    if content.get("schema_version", 1) >= 2:
        return content
    polls = []
    for poll in content["polls"]:
        options = [{"id": o["id"], "label": o["label"], "value": o["value"]} for o in poll["options"]]
        chosen = {o["id"]: o["by_perspective"] for o in poll["options"]}
        tally = PollTally(
            kind=poll["kind"], options=options, voters=poll["voters_by_perspective"], chosen=chosen
        )
        entry = {key: poll[key] for key in ("id", "text", "kind", "state")}
        polls.append({**entry, **tally.published(with_breakdown=True), "_tally": tally})
    notes = {}
    for note in content["notes"]:
        published, note_lens = note_tally(note["reactions_by_perspective"])
        notes[note["id"]] = {**note, **published, "_lens": note_lens}
    present = content["participants"]["by_perspective"]
    questions = {}
    for question in content["questions"]["all"]:
        published, question_lens = question_tally(question["upvotes_by_perspective"], present)
        questions[question["id"]] = {
            **question,
            "upvotes_by_perspective": published["by_perspective"],
            "lens": published["lens"],
            "_lens": question_lens,
        }

    def again(items: list[dict], current: dict) -> list[dict]:
        return [current[item["id"]] for item in items]

    reported = {
        **content["questions"],
        **{key: again(content["questions"][key], questions) for key in ("top", "kamerlid", "all")},
    }
    dilemmas = [
        {
            **dilemma,
            **{
                key: again(dilemma[key], notes)
                for key in ("statements", "common_ground", "not_agreed", "open_questions")
            },
            "positions": {p: again(items, notes) for p, items in dilemma["positions"].items()},
        }
        for dilemma in content["dilemmas"]
    ]
    current = {
        **content,
        "schema_version": SCHEMA_VERSION,
        "highlights": highlights_section(_statements(polls, reported, list(notes.values()))),
        "dilemmas": dilemmas,
        "polls": polls,
        "questions": reported,
        "notes": list(notes.values()),
    }
    return _strip_internal(current)


# --- organiser dashboard -------------------------------------------------------


def dashboard_registrations(*, event: Event) -> dict:
    """Active registrations per perspective and per organisation (two queries)."""
    active = Registration.objects.filter(event=event, status=Registration.Status.REGISTERED)
    by_perspective = zeros()
    for row in active.values("user__perspective").annotate(n=Count("id")).order_by():
        by_perspective[row["user__perspective"] or Perspective.ANDERS] += row["n"]
    by_organisation = [
        {"organisation": row["user__organisation"] or "", "count": row["n"]}
        for row in active.values("user__organisation")
        .annotate(n=Count("id"))
        .order_by("-n", "user__organisation")
    ]
    return {
        "total": sum(by_perspective.values()),
        "by_perspective": by_perspective,
        "by_organisation": by_organisation,
    }


def dashboard_sessions(*, event: Event) -> list[dict]:
    """Per session: seats, confirmed, fill rate and waitlist length (one query)."""
    return [
        {
            "id": session.pk,
            "title": session.title,
            "room": session.room.name,
            "starts_at": session.starts_at,
            "capacity": session.seat_capacity,
            "confirmed": session.confirmed_count,
            "waitlisted": session.waitlist_count,
            "fill_percent": round(100 * session.confirmed_count / session.seat_capacity)
            if session.seat_capacity
            else 0,
        }
        for session in session_list_for_programme(event=event)
    ]


def dashboard_live(*, event: Event, now: dt.datetime | None = None) -> list[dict]:
    """
    Live activity per room of the event: people present per perspective, questions, votes and notes (five queries).
    """
    now = now or timezone.now()
    rooms = list(
        LiveRoom.objects.filter(session__event=event)
        .select_related("session__room")
        .order_by("session__starts_at", "session__room__position")
    )
    ids = [r.pk for r in rooms]
    present = {pk: zeros() for pk in ids}
    for row in (
        Presence.objects.filter(room_id__in=ids, last_seen__gte=now - PRESENCE_TTL)
        .exclude(perspective="")
        .values("room_id", "perspective")
        .annotate(n=Count("id"))
        .order_by()
    ):
        present[row["room_id"]][row["perspective"]] = row["n"]
    questions = dict(
        Question.objects.filter(room_id__in=ids)
        .exclude(status=Question.Status.WITHDRAWN)
        .values("room_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("room_id", "n")
    )
    votes = dict(
        PollVote.objects.filter(poll__room_id__in=ids)
        .values("poll__room_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("poll__room_id", "n")
    )
    notes = dict(
        Note.objects.filter(room_id__in=ids, status=Note.Status.VISIBLE)
        .values("room_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("room_id", "n")
    )
    return [
        {
            "room": room.pk,
            "session": room.session.title,
            "hall": room.session.room.name,
            "open": room.is_open,
            "present": present[room.pk],
            "present_total": sum(present[room.pk].values()),
            "questions": questions.get(room.pk, 0),
            "votes": votes.get(room.pk, 0),
            "notes": notes.get(room.pk, 0),
        }
        for room in rooms
    ]
