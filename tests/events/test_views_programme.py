import re

import pytest
from django.core.management import call_command

from accounts.models import Perspective
from events.demo import EVENT_SLUG
from events.models import Event, Session, SessionKind, SessionSignup
from events.services.signup import signup_create
from tests.factories import EventFactory, RoomFactory, SessionFactory, at

pytestmark = pytest.mark.django_db

CONFIRMED = SessionSignup.Status.CONFIRMED


DEMO = EVENT_SLUG


def session_url(session) -> str:
    return f"/{session.event.slug}/programma/sessie/{session.pk}/"


def make_sessions(event, count):
    """`count` sessions of 25 minutes, in half-hour slots from 8.00, over 3 rooms (10 from 30 sessions)."""
    rooms = RoomFactory.create_batch(3 if count < 30 else 10, event=event)
    for i in range(count):
        slot = i // len(rooms)
        hour, minute = 8 + slot // 2, 30 * (slot % 2)
        SessionFactory(
            event=event, room=rooms[i % len(rooms)], starts_at=at(hour, minute), ends_at=at(hour, minute + 25)
        )


def without_csrf_token(body: bytes) -> bytes:
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", body)


@pytest.mark.parametrize("url", ["programma/", "programma/lijst/"])
@pytest.mark.parametrize("count", [12, 200])
@pytest.mark.parametrize("events", [1, 20])
def test_programme_pages_use_a_constant_number_of_queries(
    client, django_assert_num_queries, url, count, events
):
    """Grid and list need two queries (event, sessions with counts) however many sessions and other
    events there are, plus one for the public-page cache's next-change moment; the next visitor costs none."""
    for _ in range(events - 1):
        make_sessions(EventFactory(), 3)
    event = EventFactory()
    make_sessions(event, count)

    with django_assert_num_queries(3):
        response = client.get(f"/{event.slug}/{url}")
    with django_assert_num_queries(0):
        again = client.get(f"/{event.slug}/{url}")

    assert response.status_code == 200
    assert len(response.context["sessions"]) == count
    assert without_csrf_token(again.content) == without_csrf_token(response.content)


@pytest.mark.parametrize("count", [1, 12])
def test_programme_grid_for_a_logged_in_attendee_uses_constant_queries(
    client, attendee, django_assert_num_queries, count
):
    """
    Logged in, the grid adds the session, the user, the nav's organiser and Mijn sessies checks, its
    back-office link and the sign-ups.
    """
    event = EventFactory()
    make_sessions(event, count)
    user = attendee(event)
    signup_create(user=user, session=Session.objects.first())
    client.force_login(user)

    with django_assert_num_queries(8):
        response = client.get(f"/{event.slug}/programma/")

    assert "Ingeschreven" in response.content.decode()


def test_seeded_day_shows_in_the_grid_with_rooms_as_columns(client):
    """The demo programme fills the grid: rooms as column headers, start times as row headers."""
    call_command("seed_demo", verbosity=0)

    content = client.get(f"/{DEMO}/programma/").content.decode()

    assert re.findall(r'<th scope="row"><time[^>]*>([0-9:]+)</time>', content) == [
        "09:30",
        "10:30",
        "12:45",
        "14:15",
        "16:00",
    ]
    assert content.count('<th scope="col">') == 6
    assert "Trialoog: de Vereenvoudigingswet" in content
    assert 'rowspan="2"' in content  # the whole-system session runs over two slots


def test_seeded_day_shows_in_the_list(client):
    """The list view shows all twelve seeded sessions grouped by start time."""
    call_command("seed_demo", verbosity=0)

    response = client.get(f"/{DEMO}/programma/lijst/")

    assert len(response.context["sessions"]) == 12
    assert response.content.decode().count('<h2 id="slot-') == 5


def test_programme_filter_by_kind_shows_only_that_kind(client):
    """?soort=trialoog leaves only the six trialogen."""
    call_command("seed_demo", verbosity=0)

    response = client.get(f"/{DEMO}/programma/lijst/", {"soort": "trialoog"})

    assert {s.kind for s in response.context["sessions"]} == {SessionKind.TRIALOOG}
    assert len(response.context["sessions"]) == 6


def test_programme_filter_ignores_an_unknown_kind(client):
    """A made-up kind is treated as no filter rather than an error."""
    event = EventFactory()
    make_sessions(event, 2)

    response = client.get(f"/{event.slug}/programma/", {"soort": "kermis"})

    assert response.status_code == 200
    assert len(response.context["sessions"]) == 2


def test_session_detail_shows_seats_left_and_waitlist_length(client, attendee):
    """The detail page says how many seats are free and how many people wait."""
    session = SessionFactory(capacity=1)
    for _ in range(3):
        signup_create(user=attendee(session.event), session=session)

    content = client.get(session_url(session)).content.decode()

    assert "0 van 1 plaats vrij." in content
    assert "2 personen op de wachtlijst." in content


def test_session_detail_shows_reserved_seats_per_perspective(client):
    """While a reservation runs, the page names the perspective and the seats held back."""
    session = SessionFactory(capacity=10, reserved_politiek=3)

    content = client.get(session_url(session)).content.decode()

    assert "nog 3 gereserveerde plaatsen" in content
    assert "De organisator geeft deze plaatsen later vrij." in content


def test_session_detail_of_an_unknown_session_is_404(client):
    """A missing session gives 404."""
    assert client.get(f"/{EventFactory().slug}/programma/sessie/999999/").status_code == 404


def test_signup_button_takes_a_seat_and_says_so(client, attendee):
    """One POST with CSRF takes the seat and shows a success message on the detail page."""
    session = SessionFactory(title="Gegevensdeling")
    user = attendee(session.event)
    client.force_login(user)

    response = client.post(f"{session_url(session)}inschrijven/", follow=True)

    assert SessionSignup.objects.get(user=user, session=session).status == CONFIRMED
    assert [str(m) for m in response.context["messages"]] == ["U bent ingeschreven voor “Gegevensdeling”."]
    assert "Afmelden voor deze sessie" in response.content.decode()


def test_signup_requires_csrf(attendee):
    """Without a CSRF token the POST is refused."""
    from django.test import Client

    session = SessionFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(attendee(session.event))

    response = client.post(f"{session_url(session)}inschrijven/")

    assert response.status_code == 403
    assert not SessionSignup.objects.exists()


def test_signup_by_get_is_not_allowed(client, attendee):
    """Sign-up changes state, so GET is refused."""
    session = SessionFactory()
    client.force_login(attendee(session.event))

    assert client.get(f"{session_url(session)}inschrijven/").status_code == 405


def test_signup_when_anonymous_redirects_to_login(client):
    """An anonymous visitor is sent to log in and back to the session."""
    session = SessionFactory()

    response = client.post(f"{session_url(session)}inschrijven/")

    assert response.status_code == 302
    assert response["Location"] == f"/account/login/?next={session_url(session)}"


def test_signup_without_registration_shows_the_reason(client):
    """Someone who has not registered for the day gets a clear message, no sign-up."""
    from tests.factories import UserFactory

    session = SessionFactory()
    client.force_login(UserFactory())

    response = client.post(f"{session_url(session)}inschrijven/", follow=True)

    assert [str(m) for m in response.context["messages"]] == [
        "Meld u eerst aan voor de dag. Daarna kunt u zich inschrijven voor sessies."
    ]
    assert not SessionSignup.objects.exists()


def test_clash_is_refused_with_a_swap_button_that_swaps(client, attendee):
    """Signing up for an overlapping session shows the clash and a swap form; the swap moves the seat."""
    held = SessionFactory(title="Gegevensdeling")
    other = SessionFactory(event=held.event, title="Sneltoets", starts_at=at(11), ends_at=at(12))
    user = attendee(held.event)
    signup_create(user=user, session=held)
    client.force_login(user)

    refused = client.post(f"{session_url(other)}inschrijven/", follow=True)
    swapped = client.post(f"{session_url(other)}ruilen/", {"from_session": held.pk}, follow=True)

    assert "Ruil “Gegevensdeling” voor deze sessie" in refused.content.decode()
    assert [str(m) for m in swapped.context["messages"]] == ["U bent ingeschreven voor “Sneltoets”."]
    assert list(
        SessionSignup.objects.filter(user=user, status=CONFIRMED).values_list("session", flat=True)
    ) == [other.pk]


def test_cancel_from_the_agenda_returns_to_the_agenda(client, attendee):
    """The agenda's cancel button frees the seat and comes back to the agenda."""
    session = SessionFactory(title="Gegevensdeling")
    user = attendee(session.event)
    signup_create(user=user, session=session)
    client.force_login(user)

    agenda = f"/{session.event.slug}/agenda/"
    response = client.post(f"{session_url(session)}afmelden/", {"next": agenda})

    assert response["Location"] == agenda
    assert not SessionSignup.objects.filter(user=user, status=CONFIRMED).exists()


def test_cancel_ignores_an_offsite_next_url(client, attendee):
    """A next parameter pointing elsewhere is ignored: no open redirect."""
    session = SessionFactory()
    user = attendee(session.event)
    client.force_login(user)

    response = client.post(f"{session_url(session)}afmelden/", {"next": "https://evil.example/"})

    assert response["Location"] == session_url(session)


def test_agenda_lists_seats_and_waitlist_places_with_the_feed_url(client, attendee):
    """The agenda shows the user's sessions in time order and their secret feed address."""
    event = EventFactory()
    late = SessionFactory(event=event, title="Later", starts_at=at(14), ends_at=at(15))
    early = SessionFactory(event=event, title="Eerder", capacity=1)
    user = attendee(event, perspective=Perspective.BELEID)
    signup_create(user=attendee(event), session=early)
    signup_create(user=user, session=late)
    signup_create(user=user, session=early)
    client.force_login(user)

    response = client.get(f"/{event.slug}/agenda/")

    content = response.content.decode()
    assert [s.session.title for s in response.context["signups"]] == ["Eerder", "Later"]
    assert "Wachtlijst, plaats 1" in content
    assert f"http://testserver/agenda/{user.calendar_token}/trialoog.ics" in content


def test_agenda_requires_login(client):
    """The agenda is personal: anonymous visitors go to the login page."""
    event = EventFactory()

    response = client.get(f"/{event.slug}/agenda/")

    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")


def test_programme_without_an_event_is_404(client):
    """Before any event exists the programme page is a 404, not a crash."""
    assert Event.objects.count() == 0

    assert client.get("/dvdpd-2030/programma/").status_code == 404
