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
