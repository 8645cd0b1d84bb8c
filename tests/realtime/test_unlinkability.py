"""
The attack on stored opinions: with a full database dump and the logs, but without the site secret, try
to tell who cast which vote, upvote or reaction. Then the event's purge, after which the secret does not
help either.

The dump is `pg_dump` of the suite's PostgreSQL, taken just before and just after the votes, so the
attacker also sees what voting changed.
"""

import contextlib
import logging
import re
import subprocess

import pytest
import redis
from channels.db import database_sync_to_async
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts.selectors import user_data_export
from events.services.retention import personal_data_purge
from realtime.hashing import voter_hash
from realtime.models import LiveRoom, NoteReaction, Poll, PollChoice, PollVote, QuestionUpvote
from realtime.services import notes as note_services
from realtime.services import polls as poll_services
from realtime.services import questions as question_services
from realtime.services import votes
from scripts.services import _pg_bin
from tests.factories import at
from tests.realtime.conftest import next_of_type

pytestmark = [pytest.mark.django_db(transaction=True)]

OPINION_TABLES = {
    QuestionUpvote: "realtime_questionupvote",
    PollVote: "realtime_pollvote",
    PollChoice: "realtime_pollchoice",
    NoteReaction: "realtime_notereaction",
}
# What voting may change: new opinion rows, the upvote counters and the room's frame sequences
# (counter frames are numbered, not logged: realtime/broadcast.py).
MAY_CHANGE = {
    **{table: {"rows"} for table in OPINION_TABLES.values()},
    "realtime_question": {"upvotes"},
    "realtime_liveroom": {"seq", "mod_seq", "counts_seq", "mod_counts_seq"},
    "realtime_poll": {"live_totals", "live_pending"},  # totals over everyone, published in steps
}
TIME = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}")
COPY = re.compile(r"COPY (?:public\.)?(\w+) \((.*)\) FROM stdin;")
FIRST_ID = 7_300_001  # voters get ids no other number in a log line is likely to equal


def _dump() -> dict[str, tuple[list[str], list[tuple[str, ...]]]]:
    """Every table of the suite's database as `pg_dump --data-only` writes it: {table: (columns, rows)}."""
    db = connection.settings_dict
    text = subprocess.run(
        [
            _pg_bin("pg_dump"),
            "--data-only",
            "-h",
            db["HOST"],
            "-p",
            str(db["PORT"]),
            "-U",
            db["USER"],
            db["NAME"],
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    tables: dict[str, tuple[list[str], list[tuple[str, ...]]]] = {}
    current = None
    for line in text.splitlines():
        if current is None:
            found = COPY.fullmatch(line)
            if found:
                current = found.group(1)
                tables[current] = ([c.strip('"') for c in found.group(2).split(", ")], [])
        elif line == "\\.":
            current = None
        else:
            tables[current][1].append(tuple(line.split("\t")))
    return tables


def _changes(before: dict, after: dict) -> dict[str, set[str]]:
    """Per table, what differs between two dumps: "rows" for rows added or removed, else the changed columns."""
    changes: dict[str, set[str]] = {}
    for table, (columns, rows) in after.items():
        old = {row[0]: row for row in before.get(table, (columns, []))[1]}
        new = {row[0]: row for row in rows}
        changed = {"rows"} if old.keys() != new.keys() else set()
        for key in old.keys() & new.keys():
            changed |= {column for column, a, b in zip(columns, old[key], new[key], strict=True) if a != b}
        if changed:
            changes[table] = changed
    return changes


def _arrange(live_room, make_participant, make_moderator) -> dict:
    """A room with two questions, two notes and an open poll, and ten voters, half of them without JavaScript."""
    perspectives = ["politiek", "beleid", "uitvoering", "anders"]
    voters = [
        make_participant(live_room, perspectives[i % 4], id=FIRST_ID + i, name=f"Stemmer {i}")
        for i in range(10)
    ]
    author = make_participant(live_room, "beleid")
    moderator = make_moderator(live_room)
    questions = [
        question_services.question_ask(user=author, room=live_room, text=t)[0] for t in ("Een", "Twee")
    ]
    notes = [
        note_services.note_add(user=author, room=live_room, kind="dilemma", text=t)[0]
        for t in ("Drie", "Vier")
    ]
    poll = poll_services.poll_create(user=moderator, room=live_room, text="Stelling", kind=Poll.Kind.SCALE)
    poll_services.poll_open(user=moderator, poll=poll)
    options = list(poll.options.order_by("value").values_list("pk", flat=True))
    forms = {}
    for voter in voters[::2]:
        forms[voter.pk] = Client()
        forms[voter.pk].force_login(voter)
    return {
        "voters": voters,
        "questions": questions,
        "notes": notes,
        "poll": poll,
        "options": options,
        "forms": forms,
    }


def _actions(world: dict, index: int) -> list[tuple[str, dict, dict]]:
    """The five opinion actions of voter `index`: (form view, form fields, the same as a socket frame)."""
    (q1, q2), (n1, n2), poll = world["questions"], world["notes"], world["poll"]
    choice = world["options"][index % 5]
    return [
        ("vote", {"question": q1.pk, "vote": "up"}, {"action": "question.upvote", "question": q1.pk}),
        (
            "poll_vote",
            {"poll": poll.pk, "choices": choice},
            {"action": "poll.vote", "poll": poll.pk, "choices": [choice]},
        ),
        (
            "note_react",
            {"note": n1.pk, "reaction": "agree"},
            {"action": "note.react", "note": n1.pk, "reaction": "agree"},
        ),
        ("vote", {"question": q2.pk, "vote": "up"}, {"action": "question.upvote", "question": q2.pk}),
        (
            "note_react",
            {"note": n2.pk, "reaction": "recognise"},
            {"action": "note.react", "note": n2.pk, "reaction": "recognise"},
        ),
    ]


def _post(client: Client, room: LiveRoom, name: str, data: dict) -> int:
    return client.post(reverse(f"realtime:{name}", args=[room.session.code]), data).status_code


class _Ids:
    """The ids of the opinion rows each action added, in the order of voting."""

    def __init__(self):
        self.seen = {model: set() for model in OPINION_TABLES}
        self.in_order = {model: [] for model in OPINION_TABLES}

    def take(self) -> None:
        for model, seen in self.seen.items():
            added = set(model.objects.values_list("pk", flat=True)) - seen
            self.in_order[model].extend(sorted(added))
            seen |= added


async def test_a_dump_and_the_logs_do_not_tell_who_voted_what(
    live_room, make_participant, make_moderator, room_socket, caplog
):
    """
    After ten people voted, upvoted and reacted by form and by socket: no opinion row carries a time;
    voting changed no other row but the counters (no person next to a time anywhere, no rate-limit rows in
    the database cache); the ids do not follow the order of voting; no log line and no Redis key names a
    voter.
    """
    world = await database_sync_to_async(_arrange)(live_room, make_participant, make_moderator)
    voters, forms = world["voters"], world["forms"]
    ids = _Ids()
    async with contextlib.AsyncExitStack() as stack:
        sockets = {
            voter.pk: await stack.enter_async_context(room_socket(live_room, voter))
            for voter in voters
            if voter.pk not in forms
        }
        before = await database_sync_to_async(_dump)()
        caplog.set_level(logging.INFO)
        for step in range(5):
            for index, voter in enumerate(voters):
                view, fields, frame = _actions(world, index)[step]
                if voter.pk in forms:
                    assert (
                        await database_sync_to_async(_post)(forms[voter.pk], live_room, view, fields) == 302
                    )
                else:
                    await sockets[voter.pk].send_json_to({**frame, "id": f"{step}-{index}"})
                    assert (await next_of_type(sockets[voter.pk], "ack"))["id"] == f"{step}-{index}"
                await database_sync_to_async(ids.take)()
        logged = [record.getMessage() for record in caplog.records]
        after = await database_sync_to_async(_dump)()
    redis_keys = [key.decode() for key in redis.Redis.from_url(settings.REDIS_URL).keys("*room-actions*")]

    times_on_opinions = [
        (table, row)
        for table in OPINION_TABLES.values()
        for row in after[table][1]
        if TIME.search("\t".join(row))
    ]
    unexpected = {
        table: changed
        for table, changed in _changes(before, after).items()
        if not changed <= MAY_CHANGE.get(table, set())
    }
    voter_marks = [
        mark
        for voter in voters
        for mark in (rf"\b{voter.pk}\b", re.escape(voter.email), re.escape(voter.name))
    ]
    assert len(after["realtime_questionupvote"][1]) == 20 and len(after["realtime_notereaction"][1]) == 20
    assert times_on_opinions == []
    assert unexpected == {}
    # Rows other tests left (allauth's login limits) may be there; voting must add none.
    assert [row for row in after["trialoog_cache"][1] if row not in before["trialoog_cache"][1]] == []
    # Random ids in voting order by chance: 1 in 10! for the ten votes, far less for the rest.
    assert {model.__name__: order == sorted(order) for model, order in ids.in_order.items()} == {
        "QuestionUpvote": False,
        "PollVote": False,
        "PollChoice": False,
        "NoteReaction": False,
    }
    assert [line for line in logged if any(re.search(mark, line) for mark in voter_marks)] == []
    assert [
        key for key in redis_keys if not re.fullmatch(r"trialoog-ratelimit:1:room-actions:[0-9a-f]{32}", key)
    ] == []


def _tallies() -> list[list[tuple]]:
    """What every count and report is made of: the opinion rows without their hashes and ids."""
    return [
        sorted(QuestionUpvote.objects.values_list("question_id", "perspective")),
        sorted(PollChoice.objects.values_list("vote__poll_id", "vote__perspective", "option_id")),
        sorted(NoteReaction.objects.values_list("note_id", "perspective", "kind")),
    ]


def test_after_the_purge_not_even_the_secret_links_a_vote(live_room, make_participant, make_moderator):
    """
    With the site secret, recomputing each voter's hashes finds their upvotes, vote and reactions (and
    "download my data" shows them) until the event's purge; after it, the same recomputation finds
    nothing, even with the salt as it was before, and every count stays the same.
    """
    world = _arrange(live_room, make_participant, make_moderator)
    voters, poll, (q1, q2), (n1, _n2) = world["voters"], world["poll"], world["questions"], world["notes"]
    for index, voter in enumerate(voters):
        votes.question_upvote(user=voter, question=q1 if index % 2 else q2)
        votes.poll_vote(user=voter, poll=poll, option_ids=[world["options"][index % 5]])
        note_services.note_react(user=voter, note=n1, kind="agree")
    event = live_room.session.event
    salt = event.vote_salt

    def found() -> list[int]:
        """How many of each voter's own rows their recomputed hashes find."""
        counts = []
        for index, voter in enumerate(voters):
            question = q1 if index % 2 else q2
            counts.append(
                QuestionUpvote.objects.filter(
                    voter_hash=voter_hash("question", voter.pk, question.pk, salt=salt)
                ).count()
                + PollVote.objects.filter(voter_hash=voter_hash("poll", voter.pk, poll.pk, salt=salt)).count()
                + NoteReaction.objects.filter(
                    voter_hash=voter_hash("note", voter.pk, n1.pk, salt=salt)
                ).count()
            )
        return counts

    def export_sizes() -> list[int]:
        exports = [user_data_export(user=voter) for voter in voters]
        return [len(e["upvotes"]) + len(e["poll_votes"]) + len(e["note_reactions"]) for e in exports]

    tallies_before = _tallies()
    found_before, exported_before = found(), export_sizes()
    ids_before = {model: set(model.objects.values_list("pk", flat=True)) for model in OPINION_TABLES}

    personal_data_purge(event=event, now=at(12, date=event.date.replace(day=event.date.day + 1)))

    event.refresh_from_db()
    assert found_before == [3] * 10
    assert exported_before == [3] * 10
    assert event.vote_salt == ""
    assert found() == [0] * 10
    assert export_sizes() == [0] * 10
    assert _tallies() == tallies_before
    assert all(
        not (set(model.objects.values_list("pk", flat=True)) & ids) for model, ids in ids_before.items()
    )
