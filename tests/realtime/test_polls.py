import threading

import pytest
from channels.db import database_sync_to_async
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from realtime import selectors, snapshots
from realtime.models import Poll, PollChoice, PollVote
from realtime.services import polls as p
from realtime.services import votes
from tests.realtime.conftest import next_of_type


@pytest.fixture
def moderator(live_room, make_moderator):
    return make_moderator(live_room)


@pytest.fixture
def scale_poll(live_room, moderator):
    poll = p.poll_create(user=moderator, room=live_room, text="Regels moeten eenvoudiger", kind="scale")
    return p.poll_open(user=moderator, poll=poll)


def _option(poll: Poll, value: int) -> int:
    return poll.options.get(value=value).pk


@pytest.mark.django_db
class TestServices:
    def test_scale_poll_gets_five_labelled_options(self, scale_poll):
        """A dilemma statement runs from helemaal oneens (1) to helemaal eens (5)."""
        labels = list(scale_poll.options.values_list("value", "label"))

        assert labels == [
            (1, "Helemaal oneens"),
            (2, "Oneens"),
            (3, "Neutraal"),
            (4, "Eens"),
            (5, "Helemaal eens"),
        ]

    def test_changing_a_vote_does_not_double_count(self, scale_poll, live_room, make_participant):
        """Voting again replaces the earlier choice."""
        voter = make_participant(live_room, "beleid")
        for _i in range(2):
            votes.poll_vote(
                user=make_participant(live_room), poll=scale_poll, option_ids=[_option(scale_poll, 3)]
            )

        votes.poll_vote(user=voter, poll=scale_poll, option_ids=[_option(scale_poll, 2)])
        votes.poll_vote(user=voter, poll=scale_poll, option_ids=[_option(scale_poll, 5)])

        results = selectors.poll_tally(poll=scale_poll).published(with_breakdown=False)
        assert results["voters"] == 3
        assert [o["count"] for o in results["options"]] == [0, 0, 2, 0, 1]
        assert selectors.poll_my_choices(user=voter, poll=scale_poll) == [_option(scale_poll, 5)]

    def test_closed_poll_refuses_votes_with_a_clear_error(
        self, scale_poll, moderator, live_room, make_participant
    ):
        """After closing, a vote is refused and nothing is stored."""
        p.poll_close(user=moderator, poll=scale_poll)

        with pytest.raises(ValidationError) as error:
            votes.poll_vote(
                user=make_participant(live_room), poll=scale_poll, option_ids=[_option(scale_poll, 4)]
            )

        assert error.value.code == "poll_closed"
        assert "gesloten" in error.value.messages[0]
        assert PollVote.objects.count() == 0

    def test_single_choice_refuses_two_options(self, live_room, moderator, make_participant):
        """A single-choice poll takes exactly one option."""
        poll = p.poll_open(
            user=moderator,
            poll=p.poll_create(
                user=moderator, room=live_room, text="Wie?", kind="single", options=["A", "B"]
            ),
        )
        ids = list(poll.options.values_list("pk", flat=True))

        with pytest.raises(ValidationError):
            votes.poll_vote(user=make_participant(live_room), poll=poll, option_ids=ids)

    def test_multiple_choice_counts_each_option(self, live_room, moderator, make_participant):
        """Several options per person are counted once each."""
        poll = p.poll_open(
            user=moderator,
            poll=p.poll_create(
                user=moderator, room=live_room, text="Wat?", kind="multiple", options=["A", "B", "C"]
            ),
        )
        a, b, c = poll.options.values_list("pk", flat=True)

        votes.poll_vote(user=make_participant(live_room, "politiek"), poll=poll, option_ids=[a, c])
        votes.poll_vote(user=make_participant(live_room, "beleid"), poll=poll, option_ids=[a])
        votes.poll_vote(user=make_participant(live_room, "beleid"), poll=poll, option_ids=[a])

        results = snapshots.poll_results(poll=poll)
        assert [(o["label"], o["count"]) for o in results["options"]] == [("A", 3), ("B", 0), ("C", 1)]
        assert results["voters"] == 3

    def test_option_from_another_poll_is_refused(self, scale_poll, live_room, moderator, make_participant):
        """Only the poll's own options can be chosen."""
        other = p.poll_create(user=moderator, room=live_room, text="Ander", kind="scale")

        with pytest.raises(ValidationError):
            votes.poll_vote(user=make_participant(live_room), poll=scale_poll, option_ids=[_option(other, 4)])

    def test_choice_poll_needs_two_distinct_options(self, live_room, moderator):
        """A choice poll with fewer than two distinct answers is refused."""
        with pytest.raises(ValidationError):
            p.poll_create(user=moderator, room=live_room, text="?", kind="single", options=["Ja", "ja"])

    def test_attendee_cannot_open_a_poll(self, scale_poll, live_room, make_participant):
        """Poll lifecycle belongs to moderators."""
        with pytest.raises(PermissionDenied):
            p.poll_close(user=make_participant(live_room), poll=scale_poll)

    def test_opening_a_poll_closes_the_other_open_one(self, scale_poll, live_room, moderator):
        """One poll is open per room at a time."""
        second = p.poll_create(user=moderator, room=live_room, text="Tweede", kind="scale")

        p.poll_open(user=moderator, poll=second)

        scale_poll.refresh_from_db()
        assert scale_poll.state == "closed"

    def test_scale_results_carry_the_lens_once_closed(
        self, scale_poll, live_room, moderator, make_participant
    ):
        """Agree is 4–5. politiek 3/3, beleid 0/3, uitvoering 1/3: politiek and beleid are apart
        (z = 1 / √(0.5 × 0.5 × 2/3) = 2.45, gap 1)."""
        ballots = {"politiek": [5, 4, 4], "beleid": [1, 1, 2], "uitvoering": [4, 2, 3]}
        for perspective, values in ballots.items():
            for value in values:
                votes.poll_vote(
                    user=make_participant(live_room, perspective),
                    poll=scale_poll,
                    option_ids=[_option(scale_poll, value)],
                )
        closed = p.poll_close(user=moderator, poll=scale_poll)

        results = snapshots.poll_results(poll=closed)

        assert results["agree_by_perspective"] == {"politiek": 3, "beleid": 0, "uitvoering": 1, "anders": 0}
        assert results["voters_by_perspective"] == {"politiek": 3, "beleid": 3, "uitvoering": 3, "anders": 0}
        assert (results["lens"]["verdict"], results["lens"]["apart"]) == ("apart", ["politiek", "beleid"])
        assert results["lens"]["perspectives"]["uitvoering"]["share"] == 1 / 3

    def test_open_poll_results_are_totals_only_for_moderators_too(
        self, scale_poll, live_room, make_participant
    ):
        """While the poll is open nobody gets the split per perspective, not even the moderators."""
        for perspective in ["politiek", "beleid", "uitvoering"]:
            votes.poll_vote(
                user=make_participant(live_room, perspective),
                poll=scale_poll,
                option_ids=[_option(scale_poll, 5)],
            )

        results = snapshots.poll_payload(poll=scale_poll, with_results=True)["results"]

        assert results["breakdown"] is False
        assert [o["count"] for o in results["options"]] == [0, 0, 0, 0, 3]
        assert [o["by_perspective"] for o in results["options"]] == [None] * 5
        assert (results["voters_by_perspective"], results["lens"]) == (None, None)

    def test_lone_kamerlid_vote_is_not_in_the_closed_results(
        self, scale_poll, live_room, moderator, make_participant
    ):
        """One politiek voter among 5 beleid and 4 uitvoering: politiek is withheld, and uitvoering too,
        so the total minus the shown perspectives does not give the Kamerlid's vote away."""
        votes.poll_vote(
            user=make_participant(live_room, "politiek"), poll=scale_poll, option_ids=[_option(scale_poll, 1)]
        )
        for perspective, n in [("beleid", 5), ("uitvoering", 4)]:
            for _i in range(n):
                votes.poll_vote(
                    user=make_participant(live_room, perspective),
                    poll=scale_poll,
                    option_ids=[_option(scale_poll, 5)],
                )
        closed = p.poll_close(user=moderator, poll=scale_poll)

        results = snapshots.poll_results(poll=closed)

        helemaal_oneens = results["options"][0]
        assert helemaal_oneens["count"] == 1
        assert helemaal_oneens["by_perspective"] == {
            "politiek": None,
            "beleid": 0,
            "uitvoering": None,
            "anders": 0,
        }
        assert results["voters_by_perspective"] == {
            "politiek": None,
            "beleid": 5,
            "uitvoering": None,
            "anders": 0,
        }
        assert results["lens"]["perspectives"]["politiek"] == {"suppressed": True}
        assert results["lens"]["verdict"] == "too_few"

    def test_vote_row_has_no_link_to_the_person(self, scale_poll, live_room, make_participant):
        """A vote stores a keyed hash, the perspective and the choice, nothing else about the voter."""
        votes.poll_vote(
            user=make_participant(live_room), poll=scale_poll, option_ids=[_option(scale_poll, 3)]
        )

        assert set(PollVote.objects.values().get()) == {
            "id",
            "poll_id",
            "voter_hash",
            "perspective",
        }
        assert set(PollChoice.objects.values().get()) == {"id", "vote_id", "option_id"}


@pytest.mark.django_db(transaction=True)
def test_hundred_simultaneous_votes_count_exactly_hundred(scale_poll, live_room, make_participant):
    """100 voters in threads with their own connections: exactly 100 votes, one each."""
    voters = [make_participant(live_room, ["politiek", "beleid", "uitvoering"][i % 3]) for i in range(100)]
    option = _option(scale_poll, 4)
    barrier = threading.Barrier(len(voters))
    errors = []

    def vote(user):
        try:
            barrier.wait(timeout=30)
            votes.poll_vote(user=user, poll=scale_poll, option_ids=[option])
            votes.poll_vote(user=user, poll=scale_poll, option_ids=[option])
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=vote, args=(user,)) for user in voters]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert PollVote.objects.filter(poll=scale_poll).count() == 100
    assert selectors.poll_tally(poll=scale_poll).chosen[option] == {
        "politiek": 34,
        "beleid": 33,
        "uitvoering": 33,
        "anders": 0,
    }


@pytest.mark.django_db(transaction=True)
class TestConsumers:
    async def test_open_poll_totals_move_in_steps_of_the_minimum_group(
        self, scale_poll, live_room, moderator, make_participant, room_socket
    ):
        """Two votes (one sent twice with the same id) publish nothing; the third completes a step of
        three and reaches the moderator as totals counting each vote once, without any split."""
        voters = [await database_sync_to_async(make_participant)(live_room, "uitvoering") for _i in range(3)]
        option = await database_sync_to_async(_option)(scale_poll, 4)
        async with room_socket(live_room, moderator) as m:
            for index, voter in enumerate(voters):
                async with room_socket(live_room, voter) as v:
                    for _resend in range(2):
                        await v.send_json_to(
                            {"action": "poll.vote", "id": "v1", "poll": scale_poll.pk, "choices": [option]}
                        )
                        ack = await next_of_type(v, "ack")
                        assert ack["choices"] == [option]
                if index < 2:
                    early = []
                    while not await m.receive_nothing(timeout=0.5):
                        early.append((await m.receive_json_from())["type"])
                    assert "poll.results" not in early
            results = await next_of_type(m, "poll.results")

        assert results["results"]["voters"] == 3
        assert results["results"]["breakdown"] is False
        assert [o["count"] for o in results["results"]["options"]] == [0, 0, 0, 3, 0]
        assert [o["by_perspective"] for o in results["results"]["options"]] == [None] * 5

    async def test_results_before_reveal_never_reach_attendees(
        self, scale_poll, live_room, moderator, make_participant, room_socket
    ):
        """Until the moderator reveals, attendees get no results: not in frames, not in the snapshot."""
        voter = await database_sync_to_async(make_participant)(live_room)
        option = await database_sync_to_async(_option)(scale_poll, 5)
        for _i in range(2):  # the third vote completes a step of three, so totals go out
            other = await database_sync_to_async(make_participant)(live_room)
            await database_sync_to_async(votes.poll_vote)(user=other, poll=scale_poll, option_ids=[option])
        async with room_socket(live_room, voter) as v, room_socket(live_room, moderator) as m:
            await v.send_json_to(
                {"action": "poll.vote", "id": "v", "poll": scale_poll.pk, "choices": [option]}
            )
            await next_of_type(v, "ack")
            await next_of_type(m, "poll.results")
            frames = []
            while not await v.receive_nothing(timeout=0.6):
                frames.append(await v.receive_json_from())
            await m.send_json_to({"action": "poll.reveal", "id": "r", "poll": scale_poll.pk})
            revealed = await next_of_type(v, "poll.changed")

        assert [
            f for f in frames if f["type"] == "poll.results" or (f.get("poll") or {}).get("results")
        ] == []
        assert v.snapshot["polls"][0]["results"] is None
        assert revealed["poll"]["results"]["voters"] == 3

    async def test_closed_poll_vote_gets_an_error_frame(
        self, scale_poll, live_room, moderator, make_participant, room_socket
    ):
        """A vote on a closed poll is answered with poll_closed and a readable message."""
        await database_sync_to_async(p.poll_close)(user=moderator, poll=scale_poll)
        voter = await database_sync_to_async(make_participant)(live_room)
        option = await database_sync_to_async(_option)(scale_poll, 5)
        async with room_socket(live_room, voter) as v:
            await v.send_json_to(
                {"action": "poll.vote", "id": "late", "poll": scale_poll.pk, "choices": [option]}
            )
            error = await next_of_type(v, "error")

        assert (error["id"], error["code"]) == ("late", "poll_closed")
        assert await database_sync_to_async(PollVote.objects.count)() == 0

    async def test_vote_with_wrong_types_is_refused(
        self, scale_poll, live_room, make_participant, room_socket
    ):
        """choices must be a list of integers."""
        voter = await database_sync_to_async(make_participant)(live_room)
        async with room_socket(live_room, voter) as v:
            await v.send_json_to({"action": "poll.vote", "id": "t", "poll": scale_poll.pk, "choices": ["4"]})
            error = await next_of_type(v, "error")

        assert error["code"] == "invalid"


@pytest.mark.django_db(transaction=True)
def test_results_stay_consistent_when_votes_land_between_the_reads(
    scale_poll, live_room, moderator, make_participant
):
    """Before every statement the results run, another connection commits a new vote (as under a steady
    vote load). Voters and choices must still come from one snapshot: per perspective, the choices of a
    single-choice poll add up to its voters exactly (two separate reads broke this, and the lens raised)."""
    voters = [make_participant(live_room, ["politiek", "beleid", "uitvoering"][i % 3]) for i in range(12)]
    for user in voters[:6]:
        votes.poll_vote(user=user, poll=scale_poll, option_ids=[_option(scale_poll, 4)])
    waiting = iter(voters[6:])
    statements = []

    def vote_elsewhere():
        user = next(waiting, None)
        try:
            if user is not None:
                votes.poll_vote(user=user, poll=scale_poll, option_ids=[_option(scale_poll, 5)])
        finally:
            connection.close()

    def before_each_statement(execute, sql, params, many, context):
        statements.append(sql)
        thread = threading.Thread(target=vote_elsewhere)
        thread.start()
        thread.join()
        return execute(sql, params, many, context)

    with connection.execute_wrapper(before_each_statement):
        tally = selectors.poll_tally(poll=scale_poll)

    for perspective, n in tally.voters.items():
        assert sum(tally.chosen[o["id"]][perspective] for o in tally.options) == n
    assert tally.voter_count > 6  # votes did land between the reads
    assert len(statements) == 2  # the options, then every count in one statement
