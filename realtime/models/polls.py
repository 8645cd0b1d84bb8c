from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Perspective
from realtime.models.questions import unordered_id

POLL_TEXT_MAX_LENGTH = 300
OPTION_MAX_LENGTH = 120
MAX_OPTIONS = 10
SCALE_LABELS = [
    (1, _("Helemaal oneens")),
    (2, _("Oneens")),
    (3, _("Neutraal")),
    (4, _("Eens")),
    (5, _("Helemaal eens")),
]
SCALE_AGREE_FROM = 4


class Poll(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("Eén keuze")
        MULTIPLE = "multiple", _("Meerdere keuzes")
        SCALE = "scale", _("Stelling: oneens–eens (5 punten)")

    class State(models.TextChoices):
        DRAFT = "draft", _("Voorbereid")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Gesloten")

    room = models.ForeignKey("realtime.LiveRoom", on_delete=models.CASCADE, related_name="polls")
    text = models.CharField(_("vraag of stelling"), max_length=POLL_TEXT_MAX_LENGTH)
    kind = models.CharField(_("soort"), max_length=10, choices=Kind.choices, default=Kind.SCALE)
    state = models.CharField(_("status"), max_length=10, choices=State.choices, default=State.DRAFT)
    show_live = models.BooleanField(
        _("uitslag live tonen"),
        default=False,
        help_text=_("Anders blijft de uitslag verborgen tot u hem toont."),
    )
    revealed = models.BooleanField(_("uitslag getoond"), default=False)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # While the poll is open the room sees totals that move in steps of at least LENS_MIN_GROUP vote
    # changes (realtime.services.polls.live_totals_advance), so one person's vote cannot be read off a
    # total that moved by one. `live_totals` is the last published result; `live_pending` counts the
    # vote changes since.
    live_totals = models.JSONField(null=True, blank=True, editable=False)
    live_pending = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["position", "created_at"]
        verbose_name = _("peiling")
        verbose_name_plural = _("peilingen")

    def __str__(self):
        return self.text

    @property
    def results_public(self) -> bool:
        return self.revealed or self.show_live


class PollOption(models.Model):
    """An answer option. A scale poll has five, with value 1 (helemaal oneens) to 5 (helemaal eens)."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="options")
    label = models.CharField(_("antwoord"), max_length=OPTION_MAX_LENGTH)
    value = models.PositiveSmallIntegerField(null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["poll", "position"], name="option_position_unique")]

    def __str__(self):
        return self.label


class PollVote(models.Model):
    """
    One person's vote on one poll, stored without a link to the person.

    voter_hash is a keyed hash of (person, poll) with the site secret and the
    event's salt (realtime/hashing.py); the unique constraint makes a second
    vote impossible, even under concurrency. Changing the vote replaces its
    choices. No time is kept, and the random id does not tell the order of
    voting.
    """

    id = models.BigIntegerField(primary_key=True, default=unordered_id, editable=False)
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="votes")
    voter_hash = models.CharField(max_length=64)
    perspective = models.CharField(max_length=12, choices=Perspective.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["poll", "voter_hash"], name="one_vote_per_person")]

    def __str__(self):
        return f"vote {self.poll_id}"


class PollChoice(models.Model):
    """One option chosen in a vote; a random id, like the vote's."""

    id = models.BigIntegerField(primary_key=True, default=unordered_id, editable=False)
    vote = models.ForeignKey(PollVote, on_delete=models.CASCADE, related_name="choices")
    option = models.ForeignKey(PollOption, on_delete=models.CASCADE, related_name="choices")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["vote", "option"], name="one_choice_per_option")]

    def __str__(self):
        return f"{self.vote_id}:{self.option_id}"
