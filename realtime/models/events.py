from django.db import models
from django.utils.translation import gettext_lazy as _


class RoomEvent(models.Model):
    """
    One committed room event: the frame as it went out, numbered gaplessly per room and stream.

    Written in the same transaction as the change it describes (a transactional
    outbox), published only after that commits. Servers repair a gap in what they
    received from here, and a client that fell behind replays from here. Frames
    are kept only for a short replay window (ROOM_EVENT_RETENTION); the rooms'
    own tables stay the record.
    """

    class Stream(models.TextChoices):
        PUBLIC = "public", _("iedereen in de zaal")
        MODERATORS = "moderators", _("moderatoren")

    room = models.ForeignKey("realtime.LiveRoom", on_delete=models.CASCADE, related_name="events")
    stream = models.CharField(max_length=12, choices=Stream.choices)
    seq = models.BigIntegerField()
    frame = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("zaalgebeurtenis")
        verbose_name_plural = _("zaalgebeurtenissen")
        constraints = [
            models.UniqueConstraint(fields=["room", "stream", "seq"], name="room_event_seq_unique"),
        ]
        indexes = [models.Index(fields=["created_at"], name="room_event_created")]

    def __str__(self):
        return f"{self.room_id}:{self.stream}:{self.seq}"
