import pytest

from events.models import Session, SessionSignup
from events.services.signup import signup_create
from tests.factories import EventFactory, RoomFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def session_form(session, **changes):
    data = {
        "event": session.event_id,
        "kind": session.kind,
        "title": session.title,
        "description": session.description,
        "host_organisation": "",
        "code": session.code,
        "room": session.room_id,
        "starts_at_0": "17-06-2026",
        "starts_at_1": "10:30",
        "ends_at_0": "17-06-2026",
        "ends_at_1": "11:45",
        "capacity": session.capacity or "",
        "signup_open": "on",
        "reserved_politiek": 0,
        "reserved_beleid": 0,
        "reserved_uitvoering": 0,
        "reserved_until_0": "",
        "reserved_until_1": "",
        "room_access": session.room_access,
        "signups-TOTAL_FORMS": 0,
        "signups-INITIAL_FORMS": 0,
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    "url",
    [
        "/admin/events/event/",
        "/admin/events/room/",
        "/admin/events/session/",
        "/admin/events/sessionsignup/",
        "/admin/events/registration/",
    ],
)
def test_admin_changelists_open(admin_client, url):
    """Each programme list in the admin loads for an organiser."""
    SessionFactory()

    assert admin_client.get(url).status_code == 200


def test_admin_session_search_and_filter_find_the_session(admin_client):
    """Searching by title and filtering by kind narrow the session list."""
    event = EventFactory()
    SessionFactory(event=event, title="Gegevensdeling")
    SessionFactory(event=event, title="Opening", kind="plenary")

    response = admin_client.get("/admin/events/session/", {"q": "gegevens", "kind__exact": "trialoog"})

    assert [s.title for s in response.context["cl"].result_list] == ["Gegevensdeling"]


def test_admin_event_page_shows_inline_sessions(admin_client):
    """The event page lists its sessions inline."""
    session = SessionFactory(title="Gegevensdeling")

    response = admin_client.get(f"/admin/events/event/{session.event_id}/change/")

    assert "Gegevensdeling" in response.content.decode()


def test_admin_refuses_a_double_booked_room_in_dutch(admin_client):
    """Saving a second session in the same room at the same time gives a plain Dutch error."""
    taken = SessionFactory(title="Gegevensdeling")
    other = SessionFactory(event=taken.event, room=RoomFactory(event=taken.event))

    response = admin_client.post(
        f"/admin/events/session/{other.pk}/change/", session_form(other, room=taken.room_id)
    )

    assert response.status_code == 200
    assert "Deze zaal is op dat moment al bezet door “Gegevensdeling”." in response.content.decode()


def test_admin_refuses_a_capacity_below_the_confirmed_seats(admin_client, attendee):
    """Shrinking a session below its confirmed seats would overbook, so the admin refuses it."""
    session = SessionFactory(capacity=3)
    for _ in range(2):
        signup_create(user=attendee(session.event), session=session)

    response = admin_client.post(
        f"/admin/events/session/{session.pk}/change/", session_form(session, capacity=1)
    )

    assert "Er zijn al 2 bevestigde inschrijvingen." in response.content.decode()
    assert Session.objects.get(pk=session.pk).capacity == 3


def test_admin_raising_the_capacity_promotes_the_waitlist(admin_client, attendee):
    """More seats in the admin go to the waitlist in order at once."""
    session = SessionFactory(capacity=1)
    people = [attendee(session.event) for _ in range(3)]
    for person in people:
        signup_create(user=person, session=session)

    response = admin_client.post(
        f"/admin/events/session/{session.pk}/change/", session_form(session, capacity=2)
    )

    assert response.status_code == 302
    assert SessionSignup.objects.get(user=people[1], session=session).status == SessionSignup.Status.CONFIRMED
    assert SessionSignup.objects.get(user=people[2], session=session).waitlist_position == 1


def test_admin_edits_the_room_access(admin_client):
    """An organiser sets in the admin who may join the session's live room."""
    session = SessionFactory()

    response = admin_client.post(
        f"/admin/events/session/{session.pk}/change/", session_form(session, room_access="signed_up")
    )

    assert response.status_code == 302
    session.refresh_from_db()
    assert session.room_access == "signed_up"


def test_admin_signups_are_read_only(admin_client):
    """Sign-ups cannot be added or edited in the admin, only through the site's services."""
    assert admin_client.get("/admin/events/sessionsignup/add/").status_code == 403
