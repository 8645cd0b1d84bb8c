import datetime as dt
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Perspective
from events.models import Session

QUESTION_MAX_LENGTH = 500


def new_projector_token() -> str:
    return secrets.token_urlsafe(24)


def unordered_id() -> int:
    """
    A random positive 63-bit primary key, for rows whose order of creation must stay secret.

    Votes, upvotes and reactions use it instead of an auto-increment, which
    would number them in the order they were cast. Two of a million rows
    share a key with a chance of about 1 in 20 million.
    """
    return secrets.randbelow(2**63 - 1) + 1


class LiveRoom(models.Model):
    """The live state of one session's room: open or closed, pre-moderation, pinned question, sequence."""

    session = models.OneToOneField(Session, on_delete=models.CASCADE, related_name="live_room")
    is_open = models.BooleanField(_("open"), default=False)
    premoderation = models.BooleanField(_("voormoderatie"), default=False)
    pinned_question = models.ForeignKey(
        "Question", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    current_phase = models.ForeignKey(
        "realtime.Phase", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    projector_mode = models.CharField(
        max_length=12,
        choices=[
            ("questions", _("Vragen")),
            ("poll", _("Peiling")),
            ("notes", _("Notities")),
            ("actions", _("Acties")),
        ],
        default="questions",
    )
    seq = models.BigIntegerField(default=0)
    mod_seq = models.BigIntegerField(default=0)
    # Numbers the counter frames (scores, poll results): they describe totals, are not logged and
    # need no gap check, only their order (realtime/broadcast.py).
    counts_seq = models.BigIntegerField(default=0)
    mod_counts_seq = models.BigIntegerField(default=0)  # the same for the moderators' counter frames
    projector_token = models.CharField(max_length=64, unique=True, default=new_projector_token)

    class Meta:
        verbose_name = _("live zaal")
        verbose_name_plural = _("live zalen")

    def __str__(self):
        return str(self.session)

    @property
    def code(self) -> str:
        return self.session.code


class Question(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Wacht op goedkeuring")
        VISIBLE = "visible", _("Zichtbaar")
        ANSWERED = "answered", _("Beantwoord")
        HIDDEN = "hidden", _("Verborgen")
        REJECTED = "rejected", _("Afgewezen")
        WITHDRAWN = "withdrawn", _("Ingetrokken")

    room = models.ForeignKey(LiveRoom, on_delete=models.CASCADE, related_name="questions")
    # SET_NULL: deleting an account keeps the question, anonymised.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="questions"
    )
    client_id = models.CharField(max_length=64, blank=True)
    text = models.TextField(_("vraag"), max_length=QUESTION_MAX_LENGTH)
    perspective = models.CharField(_("perspectief"), max_length=12, choices=Perspective.choices)
    is_kamerlid = models.BooleanField(_("Kamerlid"), default=False)
    show_name = models.BooleanField(_("naam tonen"), default=False)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.VISIBLE)
    upvotes = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("vraag")
        verbose_name_plural = _("vragen")
        constraints = [
            models.UniqueConstraint(
                fields=["room", "author", "client_id"],
                condition=~models.Q(client_id=""),
                name="question_client_id_once",
            ),
            models.CheckConstraint(
                condition=models.Q(perspective__in=[p.value for p in Perspective]),
                name="question_perspective_valid",
            ),
        ]
        indexes = [models.Index(fields=["room", "status"])]

    def __str__(self):
        return self.text[:60]


class QuestionUpvote(models.Model):
    """
    One upvote, stored without a link to the person.

    voter_hash is a keyed hash of (person, question) with the site secret and
    the event's salt (realtime/hashing.py): it stops double votes but cannot be
    turned back into a person. No time is kept, and the random id does not
    tell the order in which upvotes came in.
    """

    id = models.BigIntegerField(primary_key=True, default=unordered_id, editable=False)
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="upvote_rows")
    voter_hash = models.CharField(max_length=64)
    perspective = models.CharField(max_length=12, choices=Perspective.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["question", "voter_hash"], name="one_upvote_per_person")
        ]

    def __str__(self):
        return f"upvote {self.question_id}"


# A presence row not touched for this long belongs to a connection that is gone (presence_touch keeps it fresh).
PRESENCE_TTL = dt.timedelta(seconds=75)


class Presence(models.Model):
    """One open connection in a room, counted per perspective. Rows of dead processes expire by last_seen."""

    room = models.ForeignKey(LiveRoom, on_delete=models.CASCADE, related_name="presences")
    channel_name = models.CharField(max_length=200, unique=True)
    perspective = models.CharField(max_length=12, choices=Perspective.choices, blank=True)
    # realtime.hashing.presence_holder of the person (empty for a projector): people, not sockets, are counted.
    holder = models.CharField(max_length=32, blank=True, default="")
    last_seen = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["room", "last_seen"]), models.Index(fields=["room", "holder"])]

    def __str__(self):
        return self.channel_name
