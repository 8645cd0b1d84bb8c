"""Channel-layer group names, built in one place."""


def ping(channel_name: str) -> str:
    return f"ping.{channel_name.rsplit('!', 1)[-1][:60]}"


def room(room_id: int) -> str:
    """Everyone in the room: attendees, moderators and projectors."""
    return f"room.{room_id}"


def moderators(room_id: int) -> str:
    """Moderators of the room only: the pending queue and other moderator-only events."""
    return f"room.{room_id}.mod"
