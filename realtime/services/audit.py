"""Every moderator and organiser action in a live room leaves a line in the audit log."""

from accounts.models import User
from accounts.services import audit_log
from realtime.models import LiveRoom


def room_audit(*, user: User, room: LiveRoom | int, action: str, **detail) -> None:
    """Write who did what in which room. Organisers read the log in the admin (Auditlog)."""
    room_id = room if isinstance(room, int) else room.pk
    audit_log(actor=user, action=f"room.{action}", detail={"room": room_id, **detail})
