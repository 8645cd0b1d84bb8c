from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Perspective
from realtime.models.questions import unordered_id

NOTE_MAX_LENGTH = 1000


class Phase(models.Model):
    """One step of a session's method, e.g. "Ronde per perspectief", with a prompt for the room."""

    room = models.ForeignKey("realtime.LiveRoom", on_delete=models.CASCADE, related_name="phases")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(_("fase"), max_length=120)
    prompt = models.CharField(_("vraag aan de zaal"), max_length=400, blank=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("fase")
        verbose_name_plural = _("fases")

    def __str__(self):
        return self.title


class Note(models.Model):
    class Kind(models.TextChoices):
        DILEMMA = "dilemma", _("Dilemma")
        CONSIDERATION = "consideration", _("Afweging")
        EXECUTION = "execution", _("Gevolg voor de uitvoering")
        PROFESSIONALS = "professionals", _("Wat het vraagt van professionals")
        PEOPLE = "people", _("Effect op mensen en bedrijven")
        OPEN_QUESTION = "open_question", _("Open vraag")
        COMMON_GROUND = "common_ground", _("Gedeelde grond")

    class Status(models.TextChoices):
        PENDING = "pending", _("Wacht op goedkeuring")
        VISIBLE = "visible", _("Zichtbaar")
        HIDDEN = "hidden", _("Verborgen")
        MERGED = "merged", _("Samengevoegd")

    class Mark(models.TextChoices):
        NONE = "", _("Geen")
        COMMON_GROUND = "common_ground", _("Gedeelde grond")
        NOT_AGREED = "not_agreed", _("Niet overeenstemd")

    room = models.ForeignKey("realtime.LiveRoom", on_delete=models.CASCADE, related_name="notes")
    # SET_NULL: deleting an account keeps the note, anonymised.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="notes"
    )
    client_id = models.CharField(max_length=64, blank=True)
    phase = models.ForeignKey(Phase, null=True, blank=True, on_delete=models.SET_NULL, related_name="notes")
    kind = models.CharField(_("soort"), max_length=20, choices=Kind.choices)
    perspective = models.CharField(_("perspectief"), max_length=12, choices=Perspective.choices)
    text = models.TextField(_("notitie"), max_length=NOTE_MAX_LENGTH)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.VISIBLE)
    mark = models.CharField(max_length=20, choices=Mark.choices, blank=True, default="")
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("notitie")
        verbose_name_plural = _("notities")
        constraints = [
            models.UniqueConstraint(
                fields=["room", "author", "client_id"],
                condition=~models.Q(client_id=""),
                name="note_client_id_once",
            ),
        ]
        indexes = [models.Index(fields=["room", "status"])]

    def __str__(self):
        return self.text[:60]


class NoteReaction(models.Model):
    """
    One person's reaction to a note, stored like a vote: a keyed hash and the perspective, no person.

    No time is kept, and the random id does not tell the order of reacting.
    """

    class Kind(models.TextChoices):
        RECOGNISE = "recognise", _("Herken ik")
        AGREE = "agree", _("Eens")
        DISAGREE = "disagree", _("Oneens")

    id = models.BigIntegerField(primary_key=True, default=unordered_id, editable=False)
    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="reactions")
    voter_hash = models.CharField(max_length=64)
    perspective = models.CharField(max_length=12, choices=Perspective.choices)
    kind = models.CharField(max_length=10, choices=Kind.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["note", "voter_hash"], name="one_reaction_per_person")]

    def __str__(self):
        return f"{self.kind} {self.note_id}"


class Action(models.Model):
    """An agreed action with an owner, captured during action planning."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        STARTED = "started", _("Gestart")
        DONE = "done", _("Klaar")
        DROPPED = "dropped", _("Vervallen")

    room = models.ForeignKey("realtime.LiveRoom", on_delete=models.CASCADE, related_name="actions")
    what = models.CharField(_("wat moet er gebeuren"), max_length=300)
    owner_name = models.CharField(_("eigenaar"), max_length=150)
    owner_organisation = models.CharField(_("organisatie van de eigenaar"), max_length=150, blank=True)
    perspective = models.CharField(_("perspectief"), max_length=12, choices=Perspective.choices, blank=True)
    due_date = models.DateField(_("klaar op"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("actie")
        verbose_name_plural = _("acties")

    def __str__(self):
        return self.what
