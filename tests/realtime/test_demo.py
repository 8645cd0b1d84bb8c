import pytest
from django.core.management import call_command

from events.models import Registration
from realtime.models import LiveRoom, Phase, Poll

pytestmark = pytest.mark.django_db


def test_demo_seed_opens_live_rooms_with_phases_and_a_dilemma_poll(capsys):
    """Every session gets an open room with phases; each trialoog a prepared scale poll; running twice adds nothing."""
    call_command("seed_demo")
    counts = (
        LiveRoom.objects.count(),
        Phase.objects.count(),
        Poll.objects.count(),
        Registration.objects.count(),
    )
    call_command("seed_demo", verbosity=0)

    output = capsys.readouterr().out
    trialogen = LiveRoom.objects.filter(session__kind="trialoog")
    assert (
        LiveRoom.objects.count(),
        Phase.objects.count(),
        Poll.objects.count(),
        Registration.objects.count(),
    ) == counts
    assert LiveRoom.objects.filter(is_open=False).count() == 0
    assert Poll.objects.filter(kind="scale", state="draft").count() == trialogen.count() >= 6
    assert LiveRoom.objects.get(session__kind="whole_system").phases.count() == 5
    assert sorted(Registration.objects.values_list("user__email", flat=True)) == [
        "deelnemer@example.org",
        "kamerlid@example.org",
        "moderator@example.org",
    ]
    assert trialogen.first().session.code in output


def test_demo_example_poll_shows_the_lens_apart():
    """The first trialoog's closed example poll: politiek 4/4 and beleid 5/5 agree, uitvoering 1/4;
    politiek (first of the two at 100 %) against uitvoering: pooled 5/8, z = 0.75 / √(0.625 × 0.375 × 0.5)
    = 2.19 ≥ 1.6449 and a gap of 0.75, so the two are apart."""
    from realtime import snapshots
    from realtime.views.display import verdict_sentence

    call_command("seed_demo", verbosity=0)

    poll = Poll.objects.get(state="closed")
    results = snapshots.poll_results(poll=poll)

    assert poll.revealed and results["voters"] == 13
    assert (results["lens"]["verdict"], results["lens"]["apart"]) == ("apart", ["politiek", "uitvoering"])
    assert verdict_sentence(results["lens"]) == "Politiek en uitvoering denken hier verschillend over."
    assert (
        poll.room.session
        == Poll.objects.filter(room__session__kind="trialoog")
        .order_by("room__session__starts_at", "room__session__pk")
        .first()
        .room.session
    )
