import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from accounts.roles import organiser_group_ensure
from realtime.models import LiveRoom
from realtime.permissions import is_moderator, role_in_room, roles_in_room
from realtime.services import notes as n
from realtime.services import polls as p
from realtime.services import questions as q
from realtime.services import rooms as r
from realtime.services import votes
from tests.factories import EventFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def actors(live_room, make_participant, make_moderator):
    """One user per role; `author` owns the target question."""
    rapporteur = UserFactory()
    live_room.session.rapporteurs.add(rapporteur)
    organiser = UserFactory()
    organiser.groups.add(organiser_group_ensure())
    other_room = LiveRoom.objects.create(session=_other_session(live_room))
    other_moderator = make_moderator(other_room)
    make_participant(other_room)
    return {
        "anonymous": AnonymousUser(),
        "unregistered": UserFactory(),
        "participant": make_participant(live_room),
        "kamerlid": make_participant(live_room, "politiek", is_kamerlid=True),
        "author": make_participant(live_room),
        "moderator": make_moderator(live_room),
        "rapporteur": rapporteur,
        "organiser": organiser,
        "moderator_elsewhere": other_moderator,
    }


def _other_session(room):
    from tests.factories import SessionFactory

    return SessionFactory(event=room.session.event)


ACTIONS = {
    "ask": lambda user, room, question: q.question_ask(user=user, room=room, text="Vraag"),
    "upvote": lambda user, room, question: votes.question_upvote(user=user, question=question),
    "withdraw": lambda user, room, question: q.question_withdraw(user=user, question=question),
    "approve": lambda user, room, question: q.question_moderate(
        user=user, question=question, action="approve"
    ),
    "hide": lambda user, room, question: q.question_moderate(user=user, question=question, action="hide"),
    "answer": lambda user, room, question: q.question_moderate(user=user, question=question, action="answer"),
    "edit": lambda user, room, question: q.question_edit(user=user, question=question, text="Verbeterd"),
    "pin": lambda user, room, question: r.question_pin(user=user, room=room, question=question),
    "close": lambda user, room, question: r.room_set_open(user=user, room=room, is_open=False),
    "premoderation": lambda user, room, question: r.room_set_premoderation(
        user=user, room=room, enabled=True
    ),
    "projector_reset": lambda user, room, question: r.projector_token_reset(user=user, room=room),
    "projector_mode": lambda user, room, question: n.projector_mode_set(user=user, room=room, mode="notes"),
    "poll_create": lambda user, room, question: p.poll_create(
        user=user, room=room, text="Stelling", kind="scale", options=[], show_live=False
    ),
    "action_save": lambda user, room, question: n.action_save(
        user=user,
        room=room,
        action=None,
        what="Brief herschrijven",
        owner_name="Team",
        owner_organisation="",
        perspective="",
        due_date=None,
        status="open",
    ),
    "phase_next": lambda user, room, question: n.phase_advance(user=user, room=room),
}

ROLES = [
    "anonymous",
    "unregistered",
    "participant",
    "kamerlid",
    "author",
    "moderator",
    "rapporteur",
    "organiser",
    "moderator_elsewhere",
]
ALLOWED = {
    "ask": {"participant", "kamerlid", "author", "moderator", "rapporteur", "organiser"},
    "upvote": {"participant", "kamerlid", "author", "moderator", "rapporteur", "organiser"},
    "withdraw": {"author"},
    # Running the room stays with its moderators and the organisers.
    **{
        action: {"moderator", "organiser"}
        for action in [
            "approve",
            "hide",
            "answer",
            "edit",
            "pin",
            "close",
            "premoderation",
            "projector_reset",
            "poll_create",
        ]
    },
    # What a report needs: rapporteurs too.
    **{
        action: {"moderator", "rapporteur", "organiser"}
        for action in ["action_save", "phase_next", "projector_mode"]
    },
}


@pytest.mark.parametrize("action", ACTIONS)
def test_role_by_action_matrix(actors, live_room, action):
    """Exactly the roles in ALLOWED may perform each action; everyone else gets PermissionDenied."""
    question, _created = q.question_ask(user=actors["author"], room=live_room, text="Doelvraag")
    outcome = {}

    for role in ROLES:
        try:
            ACTIONS[action](actors[role], LiveRoom.objects.get(pk=live_room.pk), question)
            outcome[role] = True
        except PermissionDenied:
            outcome[role] = False
        # Undo state changes that would block the next role.
        LiveRoom.objects.filter(pk=live_room.pk).update(is_open=True, premoderation=False)
        question.refresh_from_db()
        if question.status != "visible":
            type(question).objects.filter(pk=question.pk).update(status="visible")

    assert {role for role, allowed in outcome.items() if allowed} == ALLOWED[action]


# --- the event's right to run its live rooms (events.permissions, Right.ROOMS) ----------------


def _room_runner(event, **rights):
    user = UserFactory()
    TeamFactory(organisation=event.organisation, members=[user], events=[event], **rights)
    return user


def test_a_team_with_the_rooms_right_runs_every_room_of_its_event(live_room):
    runner = _room_runner(live_room.session.event, can_run_rooms=True)

    assert is_moderator(runner, live_room) is True
    assert role_in_room(runner, live_room) == "moderator"
    assert roles_in_room([runner], live_room) == {runner.pk: "moderator"}


def test_a_team_without_the_rooms_right_does_not_run_the_room(live_room):
    builder = _room_runner(live_room.session.event, can_manage_programme=True)

    assert is_moderator(builder, live_room) is False
    assert roles_in_room([builder], live_room) == {}


def test_the_rooms_right_in_another_event_does_not_run_this_room(live_room):
    other = EventFactory(organisation=live_room.session.event.organisation)
    runner = _room_runner(other, can_run_rooms=True)

    assert is_moderator(runner, live_room) is False
    assert roles_in_room([runner], live_room) == {}


@pytest.mark.parametrize("count", [1, 5])
def test_roles_in_room_with_room_runners_uses_constant_queries(live_room, django_assert_num_queries, count):
    runners = [_room_runner(live_room.session.event, can_run_rooms=True) for _ in range(count)]
    room = LiveRoom.objects.select_related("session").get(pk=live_room.pk)

    with django_assert_num_queries(4):
        roles = roles_in_room(runners, room)

    assert set(roles.values()) == {"moderator"}
