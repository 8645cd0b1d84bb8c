"""
An unpublished programme is for the event's team only; drafts are for the team only;
cancelled sessions stay visible, marked, and cannot be signed up for.
"""

import icalendar
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from events.models import SessionSignup, SessionStatus
from events.services.signup import signup_create, signup_swap
from tests.events.conftest import logged_in, team_member
from tests.factories import (
    EventFactory,
    RegistrationFactory,
    SessionFactory,
    UserFactory,
    at,
)

pytestmark = pytest.mark.django_db

PROGRAMME_PAGES = ["programma/", "programma/lijst/", "schedule.json", "schedule.xml", "schedule.ics"]


def registered(event):
    person = UserFactory()
    RegistrationFactory(user=person, event=event)
    return person


# --- Unpublished programme ---------------------------------------------------------------------


@pytest.fixture
def unpublished():
    event = EventFactory(programme_published=False)
    return event, SessionFactory(event=event, title="Nog geheim")


@pytest.mark.parametrize("page", [*PROGRAMME_PAGES, "session"])
def test_an_unpublished_programme_is_404_for_the_public(client, unpublished, page):
    """Anonymous visitors and registered attendees alike get 404, as if the pages did not exist yet."""
    event, session = unpublished
    path = f"/{event.slug}/programma/sessie/{session.pk}/" if page == "session" else f"/{event.slug}/{page}"

    statuses = [client.get(path).status_code, logged_in(registered(event)).get(path).status_code]

    assert statuses == [404, 404]


@pytest.mark.parametrize("page", [*PROGRAMME_PAGES, "session"])
def test_an_unpublished_programme_is_shown_to_the_event_team(unpublished, page):
    """The team sees every page of its own event's programme before it is published."""
    event, session = unpublished
    path = f"/{event.slug}/programma/sessie/{session.pk}/" if page == "session" else f"/{event.slug}/{page}"

    assert logged_in(team_member(event)).get(path).status_code == 200


def test_a_team_of_another_event_does_not_see_an_unpublished_programme(unpublished):
    """Rights are per event: the team of another event gets 404."""
    event, _session = unpublished

    assert logged_in(team_member(EventFactory())).get(f"/{event.slug}/programma/").status_code == 404


def test_the_team_preview_says_it_is_not_published(unpublished):
    event, _session = unpublished

    content = logged_in(team_member(event)).get(f"/{event.slug}/programma/").content.decode()

    assert "Dit programma is nog niet gepubliceerd. Alleen het team van het evenement ziet het." in content
    assert "Nog geheim" in content


def test_the_team_preview_of_a_feed_is_never_stored_for_the_public(client, unpublished):
    """The team's 200 is not kept by the page cache (nor by a proxy): the next anonymous visitor still gets 404."""
    event, _session = unpublished
    team = logged_in(team_member(event))

    preview = team.get(f"/{event.slug}/schedule.json")
    anonymous = client.get(f"/{event.slug}/schedule.json")

    assert (preview.status_code, anonymous.status_code) == (200, 404)
    assert "no-store" in preview["Cache-Control"]
    assert "private" in preview["Cache-Control"]


def test_the_event_home_leads_the_team_to_its_preview(client, unpublished):
    """The team finds the unpublished programme from the event's home; the public does not."""
    event, _session = unpublished
    link = f'href="/{event.slug}/programma/">Bekijk het programma zoals het team het ziet</a>'

    pages = [c.get(f"/{event.slug}/").content.decode() for c in (logged_in(team_member(event)), client)]

    assert [link in page for page in pages] == [True, False]


def test_signing_up_in_an_unpublished_programme_is_refused_to_the_public(unpublished):
    """The service refuses a registered attendee; no seat is taken."""
    _event, session = unpublished
    person = registered(session.event)

    with pytest.raises(PermissionDenied):
        signup_create(user=person, session=session)

    assert not SessionSignup.objects.exists()


def test_the_team_may_try_out_sign_up_before_publication(unpublished):
    _event, session = unpublished
    person = team_member(session.event)
    RegistrationFactory(user=person, event=session.event)

    signup = signup_create(user=person, session=session)

    assert signup.status == SessionSignup.Status.CONFIRMED


def test_publishing_changes_the_schedule_version():
    """Publishing alone, with the same sessions, gives the feeds a new version."""
    event = EventFactory(programme_published=False)
    SessionFactory(event=event)
    team = logged_in(team_member(event))
    before = team.get(f"/{event.slug}/schedule.json").json()["schedule"]["version"]

    event.programme_published = True
    event.save()
    after = Client().get(f"/{event.slug}/schedule.json").json()["schedule"]["version"]

    assert before != after


# --- Drafts ----------------------------------------------------------------------------------


@pytest.fixture
def with_draft():
    event = EventFactory()
    scheduled = SessionFactory(event=event, title="Gepland")
    draft = SessionFactory(
        event=event, title="Concept-sessie", status=SessionStatus.DRAFT, starts_at=at(13), ends_at=at(14)
    )
    return event, scheduled, draft


def test_a_draft_is_left_out_of_the_public_programme(client, with_draft):
    event, _scheduled, _draft = with_draft

    grid = client.get(f"/{event.slug}/programma/").content.decode()
    listing = client.get(f"/{event.slug}/programma/lijst/").content.decode()

    assert [("Gepland" in page, "Concept-sessie" in page) for page in (grid, listing)] == [(True, False)] * 2


def test_a_draft_shows_in_the_programme_for_the_team_marked_as_draft(with_draft):
    event, _scheduled, _draft = with_draft

    content = logged_in(team_member(event)).get(f"/{event.slug}/programma/").content.decode()

    assert "Concept-sessie" in content
    assert '<span class="badge badge--draft">Concept</span>' in content


def test_a_draft_session_page_is_404_for_the_public_and_200_for_the_team(client, with_draft):
    event, _scheduled, draft = with_draft
    path = f"/{event.slug}/programma/sessie/{draft.pk}/"

    assert (client.get(path).status_code, logged_in(team_member(event)).get(path).status_code) == (404, 200)


@pytest.mark.parametrize("feed", ["schedule.json", "schedule.xml", "schedule.ics"])
def test_a_draft_is_left_out_of_every_feed_also_for_the_team(client, with_draft, feed):
    """The feeds are what calendar and conference apps will show: only what is public, for everyone."""
    event, _scheduled, _draft = with_draft

    bodies = [
        c.get(f"/{event.slug}/{feed}").content.decode() for c in (client, logged_in(team_member(event)))
    ]

    assert [("Gepland" in body, "Concept-sessie" in body) for body in bodies] == [(True, False)] * 2


def test_a_draft_is_left_out_of_the_event_home_highlights(client, with_draft):
    event, _scheduled, _draft = with_draft

    content = client.get(f"/{event.slug}/").content.decode()

    assert ("Gepland" in content, "Concept-sessie" in content) == (True, False)


def test_a_seat_in_a_session_that_became_a_draft_leaves_the_agenda_and_the_feed(client, with_draft):
    """Someone who signed up before the session went back to draft no longer sees it anywhere public."""
    event, scheduled, _draft = with_draft
    person = registered(event)
    signup_create(user=person, session=scheduled)
    scheduled.status = SessionStatus.DRAFT
    scheduled.save()

    agenda = logged_in(person).get(f"/{event.slug}/agenda/")
    feed = client.get(f"/agenda/{person.calendar_token}/trialoog.ics")

    assert agenda.context["signups"] == []
    assert icalendar.Calendar.from_ical(feed.content).events == []


def test_signing_up_for_a_draft_is_refused_to_the_public(with_draft):
    _event, _scheduled, draft = with_draft

    with pytest.raises(PermissionDenied):
        signup_create(user=registered(draft.event), session=draft)


def test_swapping_into_a_draft_is_refused_to_the_public(with_draft):
    event, scheduled, draft = with_draft
    person = registered(event)
    signup_create(user=person, session=scheduled)

    with pytest.raises(PermissionDenied):
        signup_swap(user=person, from_session=scheduled, to_session=draft)


def test_a_session_that_leaves_draft_changes_the_schedule_version(client, with_draft):
    event, _scheduled, draft = with_draft
    before = client.get(f"/{event.slug}/schedule.json").json()["schedule"]["version"]

    draft.status = SessionStatus.SCHEDULED
    draft.save()
    after = client.get(f"/{event.slug}/schedule.json").json()["schedule"]["version"]

    assert before != after


# --- Cancelled sessions ------------------------------------------------------------------------


@pytest.fixture
def with_cancelled():
    event = EventFactory()
    cancelled = SessionFactory(event=event, title="Gaat niet door", status=SessionStatus.CANCELLED)
    return event, cancelled


def test_a_cancelled_session_stays_in_the_programme_marked_cancelled(client, with_cancelled):
    event, _cancelled = with_cancelled

    content = client.get(f"/{event.slug}/programma/").content.decode()

    assert "Gaat niet door" in content
    assert '<span class="badge badge--cancelled">Geannuleerd</span>' in content


def test_a_cancelled_session_page_says_so_and_offers_no_sign_up(with_cancelled):
    event, cancelled = with_cancelled

    content = logged_in(registered(event)).get(f"/{event.slug}/programma/sessie/{cancelled.pk}/").content
    content = content.decode()

    assert "Deze sessie gaat niet door. U kunt zich er niet meer voor inschrijven." in content
    assert "/inschrijven/" not in content


def test_signing_up_for_a_cancelled_session_is_refused_with_its_reason(with_cancelled):
    _event, cancelled = with_cancelled

    with pytest.raises(ValidationError) as refused:
        signup_create(user=registered(cancelled.event), session=cancelled)

    assert refused.value.code == "cancelled"
    assert not SessionSignup.objects.exists()


def test_a_cancelled_session_is_left_out_of_the_frab_schedule(client, with_cancelled):
    """The frab/c3voc format has no cancelled state: the session leaves the document."""
    event, _cancelled = with_cancelled

    document = client.get(f"/{event.slug}/schedule.json").json()

    assert document["schedule"]["conference"]["days"][0]["rooms"] == {
        room: [] for room in document["schedule"]["conference"]["days"][0]["rooms"]
    }


def test_a_cancelled_session_is_status_cancelled_in_the_ical_feed(client, with_cancelled):
    """iCalendar can say it: a subscribed calendar shows the session as cancelled."""
    event, _cancelled = with_cancelled

    calendar = icalendar.Calendar.from_ical(client.get(f"/{event.slug}/schedule.ics").content)

    assert [(str(e["summary"]), str(e["status"])) for e in calendar.events] == [
        ("Gaat niet door", "CANCELLED")
    ]


def test_cancelling_a_session_changes_the_schedule_version(client):
    event = EventFactory()
    session = SessionFactory(event=event)
    before = client.get(f"/{event.slug}/schedule.json").json()["schedule"]["version"]

    session.status = SessionStatus.CANCELLED
    session.save()
    after = client.get(f"/{event.slug}/schedule.json").json()["schedule"]["version"]

    assert before != after
