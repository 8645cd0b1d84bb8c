"""The programme services of an event's back-office: rights, the clash check, cancel, phases, the team, clone."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from events.models import Event, Room, Session, SessionSignup, SessionStatus, SessionTeamInvitation, Theme
from events.services import clone as clone_services
from events.services import programme as services
from events.services import session_team as team_services
from events.services.session_team import session_team_invitations_accept
from realtime.models import LiveRoom, Phase
from tests.factories import (
    EventFactory,
    OrganisationFactory,
    RegistrationFactory,
    RoomFactory,
    SessionFactory,
    SessionSignupFactory,
    TeamFactory,
    UserFactory,
    at,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    return EventFactory()


@pytest.fixture
def builder(event, programme_team):
    return programme_team(event)


def _data(room, start=(10, 30), end=(11, 45), **extra):
    return {
        "title": "Nieuwe trialoog",
        "kind": "trialoog",
        "status": SessionStatus.SCHEDULED,
        "room": room,
        "starts_at": at(*start),
        "ends_at": at(*end),
        **extra,
    }


def test_session_save_without_the_programme_right_is_refused(event):
    outsider = UserFactory()
    TeamFactory(
        organisation=event.organisation, members=[outsider], events=[event], can_view_registrations=True
    )

    with pytest.raises(PermissionDenied):
        services.session_save(user=outsider, event=event, data=_data(RoomFactory(event=event)))

    assert Session.objects.count() == 0


def test_session_save_by_another_organisations_team_is_refused(event):
    elsewhere = UserFactory()
    other = EventFactory(organisation=OrganisationFactory())
    TeamFactory(
        organisation=other.organisation, members=[elsewhere], all_events=True, can_manage_programme=True
    )

    with pytest.raises(PermissionDenied):
        services.session_save(user=elsewhere, event=event, data=_data(RoomFactory(event=event)))


def test_session_save_into_an_occupied_room_names_the_other_session(event, builder):
    taken = SessionFactory(event=event, title="Toeslagen herzien")

    with pytest.raises(ValidationError) as error:
        services.session_save(user=builder, event=event, data=_data(taken.room, start=(11, 0), end=(12, 0)))

    assert error.value.message_dict == {
        "room": ["Deze zaal is op dat moment al bezet door “Toeslagen herzien”."]
    }


def test_session_move_to_a_free_room_is_saved(event, builder):
    session = SessionFactory(event=event)
    SessionFactory(event=event, room=session.room, starts_at=at(13), ends_at=at(14))
    other_room = RoomFactory(event=event)

    services.session_save(
        user=builder, event=event, session=session, data=_data(other_room, start=(13, 0), end=(14, 0))
    )

    session.refresh_from_db()
    assert (session.room_id, session.starts_at) == (other_room.pk, at(13))


def test_a_cancelled_session_frees_its_room(event, builder):
    cancelled = SessionFactory(event=event, status=SessionStatus.CANCELLED)

    created = services.session_save(user=builder, event=event, data=_data(cancelled.room))

    assert created.room_id == cancelled.room_id


def test_session_save_sets_themes(event, builder):
    theme = Theme.objects.create(name="Gegevensdeling", slug="gegevensdeling")

    session = services.session_save(
        user=builder, event=event, data=_data(RoomFactory(event=event)), themes=[theme]
    )

    assert list(session.themes.all()) == [theme]


def test_session_cancel_cancels_signups_and_emails_them(event, builder, django_capture_on_commit_callbacks):
    session = SessionFactory(event=event, title="Schuldhulp")
    SessionSignupFactory(session=session, user=UserFactory(email="a@example.org"))
    SessionSignupFactory(
        session=session, user=UserFactory(email="b@example.org"), status="waitlisted", waitlist_position=1
    )

    with django_capture_on_commit_callbacks(execute=True):
        emailed = services.session_cancel(user=builder, session=session)

    session.refresh_from_db()
    assert emailed == 2
    assert session.status == SessionStatus.CANCELLED
    assert set(SessionSignup.objects.values_list("status", flat=True)) == {"cancelled"}
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.org", "b@example.org"]
    assert mail.outbox[0].subject == "Geannuleerd: Schuldhulp"


def test_session_cancel_twice_is_refused(event, builder):
    session = SessionFactory(event=event, status=SessionStatus.CANCELLED)

    with pytest.raises(ValidationError) as error:
        services.session_cancel(user=builder, session=session)

    assert error.value.code == "already_cancelled"


def test_room_delete_refuses_a_room_in_use(event, builder):
    session = SessionFactory(event=event, title="Werk en inkomen")

    with pytest.raises(ValidationError) as error:
        services.room_delete(user=builder, room=session.room)

    assert error.value.messages == [
        "Deze zaal wordt nog gebruikt door “Werk en inkomen”. Verplaats die sessie eerst."
    ]


def test_session_phases_set_keeps_phases_in_place(event, builder):
    session = SessionFactory(event=event)
    room = LiveRoom.objects.create(session=session)
    first = Phase.objects.create(room=room, position=0, title="Oud")
    Phase.objects.create(room=room, position=1, title="Weg")

    services.session_phases_set(
        user=builder, session=session, phases=services.phases_parse("Opening | Waar gaat het over?\n\n")
    )

    assert list(Phase.objects.filter(room=room).values_list("pk", "title", "prompt")) == [
        (first.pk, "Opening", "Waar gaat het over?")
    ]


def test_session_duplicate_copies_phases_with_a_new_code(event, builder):
    source = SessionFactory(event=event)
    Phase.objects.create(room=LiveRoom.objects.create(session=source), position=0, title="Ronde")
    source.moderators.add(UserFactory())

    copy = services.session_duplicate(
        user=builder, source=source, data=_data(source.room, start=(13, 0), end=(14, 0), status="draft")
    )

    assert copy.code != source.code
    assert list(copy.moderators.all()) == []
    assert list(Phase.objects.filter(room__session=copy).values_list("title", flat=True)) == ["Ronde"]


def test_event_publish_set_publishes(builder, event):
    event.programme_published = False
    event.save()

    services.event_publish_set(user=builder, event=event, published=True)

    assert Event.objects.get(pk=event.pk).programme_published is True


# --- the session's team --------------------------------------------------------------------


def test_session_team_add_a_registered_person(event, builder):
    session = SessionFactory(event=event)
    person = RegistrationFactory(event=event).user

    team_services.session_team_add(user=builder, session=session, person=person, role="moderator")

    assert list(session.moderators.all()) == [person]


def test_session_team_add_refuses_someone_unrelated_to_the_event(event, builder):
    session = SessionFactory(event=event)

    with pytest.raises(ValidationError) as error:
        team_services.session_team_add(user=builder, session=session, person=UserFactory(), role="rapporteur")

    assert error.value.code == "not_a_candidate"


def test_session_team_invite_then_signup_makes_a_moderator(
    event, builder, django_capture_on_commit_callbacks
):
    session = SessionFactory(event=event, title="Armoede")

    with django_capture_on_commit_callbacks(execute=True):
        invitation = team_services.session_team_invite(
            user=builder, session=session, email="Nieuw@Example.org", role="moderator"
        )
    newcomer = UserFactory(email="nieuw@example.org")
    accepted = session_team_invitations_accept(user=newcomer, email="nieuw@example.org")

    assert invitation.email == "nieuw@example.org"
    assert [m.to for m in mail.outbox] == [["nieuw@example.org"]]
    assert accepted == 1
    assert list(session.moderators.all()) == [newcomer]
    assert SessionTeamInvitation.objects.get().accepted_by == newcomer


def test_an_expired_team_invitation_is_not_accepted(event, builder):
    session = SessionFactory(event=event)
    team_services.session_team_invite(
        user=builder, session=session, email="laat@example.org", role="rapporteur"
    )
    SessionTeamInvitation.objects.update(expires_at=at(9))

    accepted = session_team_invitations_accept(
        user=UserFactory(email="laat@example.org"), email="laat@example.org"
    )

    assert (accepted, session.rapporteurs.count()) == (0, 0)


# --- clone ------------------------------------------------------------------------------------


def test_event_clone_copies_the_programme_as_drafts_shifted(event, builder):
    theme = Theme.objects.create(name="Arbeidsmarkt", slug="arbeidsmarkt")
    session = SessionFactory(event=event, reserved_politiek=2)
    session.themes.add(theme)
    session.moderators.add(UserFactory())
    SessionSignupFactory(session=session)
    Phase.objects.create(room=LiveRoom.objects.create(session=session), position=0, title="Verleden")
    SessionFactory(
        event=event, room=session.room, status=SessionStatus.CANCELLED, starts_at=at(13), ends_at=at(14)
    )

    clone = clone_services.event_clone(
        user=builder,
        source=event,
        name="Dag 2027",
        slug="dvdpd-2027",
        acronym="dvdpd2027",
        date=dt.date(2027, 6, 16),
    )

    copy = Session.objects.get(event=clone)
    assert (clone.programme_published, clone.registration_open, clone.organisation_id) == (
        False,
        False,
        event.organisation_id,
    )
    assert copy.status == SessionStatus.DRAFT
    assert copy.starts_at == at(10, 30, date=dt.date(2027, 6, 16))
    assert copy.code != session.code
    assert copy.reserved_politiek == 2
    assert list(copy.themes.all()) == [theme]
    assert (copy.moderators.count(), copy.signups.count()) == (0, 0)
    assert list(Phase.objects.filter(room__session=copy).values_list("title", flat=True)) == ["Verleden"]
    assert list(Room.objects.filter(event=clone).values_list("name", flat=True)) == [session.room.name]
    assert builder.teams.get().events.filter(pk=clone.pk).exists()


def test_event_clone_refuses_a_reserved_slug(event, builder):
    with pytest.raises(ValidationError) as error:
        clone_services.event_clone(
            user=builder, source=event, name="X", slug="kennisbank", acronym="x", date=dt.date(2027, 6, 16)
        )

    assert list(error.value.message_dict) == ["slug"]
