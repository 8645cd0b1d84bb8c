from realtime.models.events import RoomEvent
from realtime.models.notes import NOTE_MAX_LENGTH, Action, Note, NoteReaction, Phase
from realtime.models.polls import Poll, PollChoice, PollOption, PollVote
from realtime.models.questions import (
    PRESENCE_TTL,
    QUESTION_MAX_LENGTH,
    LiveRoom,
    Presence,
    Question,
    QuestionUpvote,
    new_projector_token,
)

__all__ = [
    "PRESENCE_TTL",
    "NOTE_MAX_LENGTH",
    "Action",
    "Note",
    "NoteReaction",
    "Phase",
    "QUESTION_MAX_LENGTH",
    "LiveRoom",
    "Poll",
    "PollChoice",
    "PollOption",
    "PollVote",
    "Presence",
    "Question",
    "QuestionUpvote",
    "RoomEvent",
    "new_projector_token",
]
