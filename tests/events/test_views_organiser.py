"""An event's back-office pages: scoped to the event, errors next to the fields, nothing typed lost."""

import datetime as dt
import io
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from events.models import Event, Session, SessionStatus
from tests.factories import (
    EventFactory,
    OrganisationFactory,
    RegistrationFactory,
    RoomFactory,
    SessionFactory,
    TeamFactory,
    UserFactory,
    at,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    return EventFactory(slug="dvdpd-2026")


@pytest.fixture
def builder(event, client, programme_team):
    user = programme_team(event)
    client.force_login(user)
    return user


def _session_post(room, **values):
    return {
        "title": "Digitale overheid",
        "kind": "trialoog",
        "status": "scheduled",
        "day": "2026-06-17",
        "starts_at": "11:00",
        "ends_at": "12:00",
        "room": room.pk,
        "reserved_politiek": 0,
        "reserved_beleid": 0,
        "reserved_uitvoering": 0,
        "room_access": "auto",
        **values,
    }


def test_session_create_into_an_occupied_room_shows_the_clash_next_to_the_room(client, builder, event):
    taken = SessionFactory(event=event, title="Toeslagen herzien")

    response = client.post(
        reverse("organiser:session_create", args=[event.slug]), _session_post(taken.room, title="Mijn titel")
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "room": ["Deze zaal is op dat moment al bezet door “Toeslagen herzien”."]
    }
    assert 'value="Mijn titel"' in response.content.decode()
    assert Session.objects.count() == 1


def test_session_create_saves_and_goes_to_its_page(client, builder, event):
    room = RoomFactory(event=event)

    response = client.post(reverse("organiser:session_create", args=[event.slug]), _session_post(room))

    session = Session.objects.get()
    assert response["Location"] == reverse("organiser:session_edit", args=[event.slug, session.pk])
    assert (session.starts_at, session.ends_at, session.status) == (at(11), at(12), SessionStatus.SCHEDULED)


def test_session_outside_the_event_day_is_refused_next_to_the_time(client, builder, event):
    room = RoomFactory(event=event)

    response = client.post(
        reverse("organiser:session_create", args=[event.slug]), _session_post(room, day="2026-06-18")
    )

    assert list(response.context["form"].errors) == ["day"]


def test_another_organisations_team_gets_404_in_this_back_office(client, event):
    elsewhere = UserFactory()
    organisation = OrganisationFactory()
    TeamFactory(organisation=organisation, members=[elsewhere], all_events=True, can_manage_programme=True)
    session = SessionFactory(event=event)
    client.force_login(elsewhere)

    pages = [
        reverse("organiser:overview", args=[event.slug]),
        reverse("organiser:session_edit", args=[event.slug, session.pk]),
        reverse("reports:dashboard", args=[event.slug]),
    ]

    assert [client.get(page).status_code for page in pages] == [404, 404, 404]


def test_a_session_of_another_event_is_404_under_this_event(client, builder, event):
    other = SessionFactory(event=EventFactory(organisation=event.organisation))

    response = client.get(reverse("organiser:session_edit", args=[event.slug, other.pk]))

    assert response.status_code == 404


def test_publish_button_publishes_the_programme(client, builder, event):
    Event.objects.filter(pk=event.pk).update(programme_published=False)

    client.post(reverse("organiser:event_publish", args=[event.slug]), {"published": "1"})

    assert Event.objects.get(pk=event.pk).programme_published is True


def test_moderator_search_finds_registrations_by_email_and_not_strangers(client, builder, event):
    session = SessionFactory(event=event)
    found = RegistrationFactory(
        event=event, user=UserFactory(name="Fatima Bakker", email="fatima@uwv.example")
    ).user
    UserFactory(name="Fatima Vreemd", email="fatima@elders.example")

    response = client.get(reverse("organiser:session_team", args=[event.slug, session.pk]), {"q": "fatima"})

    assert response.context["results"] == [found]


def test_moderator_add_by_post(client, builder, event):
    session = SessionFactory(event=event)
    person = RegistrationFactory(event=event).user

    client.post(
        reverse("organiser:session_team_add", args=[event.slug, session.pk]),
        {"person": person.pk, "role": "moderator"},
    )

    assert list(session.moderators.all()) == [person]


def test_invite_with_a_bad_address_keeps_the_input_and_says_why(client, builder, event):
    session = SessionFactory(event=event)

    response = client.post(
        reverse("organiser:session_team_invite", args=[event.slug, session.pk]),
        {"email": "geen-adres", "role": "moderator"},
    )

    assert response.context["invite_form"].errors == {"email": ["Voer een geldig e-mailadres in."]}
    assert 'value="geen-adres"' in response.content.decode()


def test_import_page_lists_line_errors(client, builder, event):
    upload = io.BytesIO(
        b"titel,soort,dag,begin,einde,zaal\nA,trialoog,2026-06-17,10:00,11:00,Onbekend\nB,feest,2026-06-17,10:00,11:00,X\n"
    )
    upload.name = "programma.csv"

    response = client.post(reverse("organiser:programme_import", args=[event.slug]), {"file": upload})

    assert [line for line, _message in response.context["result"].errors] == [2, 3]
    assert "Regel 2" in response.content.decode()
    assert Session.objects.count() == 0


def test_clone_page_makes_the_next_edition(client, builder, event):
    SessionFactory(event=event)

    response = client.post(
        reverse("organiser:event_clone", args=[event.slug]),
        {"name": "Dag 2027", "slug": "dvdpd-2027", "acronym": "dvdpd2027", "date": "2027-06-16"},
    )

    assert response["Location"] == reverse("organiser:overview", args=["dvdpd-2027"])
    assert client.get(response["Location"]).status_code == 200
    assert Session.objects.get(event__slug="dvdpd-2027").starts_at == at(10, 30, date=dt.date(2027, 6, 16))


def test_clone_with_a_site_path_as_slug_is_refused_next_to_the_slug(client, builder, event):
    response = client.post(
        reverse("organiser:event_clone", args=[event.slug]),
        {"name": "Dag 2027", "slug": "zaal", "acronym": "dvdpd2027", "date": "2027-06-16"},
    )

    assert response.context["form"].errors == {
        "slug": ["“zaal” is al een adres van de site zelf. Kies een andere korte naam."]
    }


def test_export_reaches_the_import_page_format(client, builder, event):
    SessionFactory(event=event, title="Export")

    response = client.get(reverse("organiser:programme_export", args=[event.slug]))

    assert response.content.decode().splitlines()[0].startswith("code,titel,soort,dag,begin,einde,zaal")


def test_old_dashboard_address_redirects_to_the_current_events(client, event):
    EventFactory(slug="ouder", date=dt.date(2025, 6, 18))

    response = client.get("/organisator/export/aanmeldingen.xlsx?x=1")

    assert response.status_code == 302
    assert response["Location"] == "/dvdpd-2026/organisator/export/aanmeldingen.xlsx?x=1"


def test_registrations_export_without_health_right_leaves_needs_out(client, event):
    viewer = UserFactory()
    TeamFactory(
        organisation=event.organisation, members=[viewer], events=[event], can_view_registrations=True
    )
    RegistrationFactory(event=event, user=UserFactory(consent_needs=True, diet="Vegetarisch"))
    client.force_login(viewer)

    response = client.get(reverse("reports:export_registrations", args=[event.slug, "csv"]))

    header = response.content.decode("utf-8-sig").splitlines()[0]
    assert "dieetwensen" not in header
    assert "Vegetarisch" not in response.content.decode("utf-8-sig")


def test_registrations_export_with_health_right_has_needs(client, event):
    viewer = UserFactory()
    TeamFactory(
        organisation=event.organisation,
        members=[viewer],
        events=[event],
        can_view_registrations=True,
        can_view_health_data=True,
    )
    RegistrationFactory(event=event, user=UserFactory(consent_needs=True, diet="Vegetarisch"))
    client.force_login(viewer)

    response = client.get(reverse("reports:export_registrations", args=[event.slug, "csv"]))

    assert "Vegetarisch" in response.content.decode("utf-8-sig")


def test_team_member_without_second_factor_is_sent_to_set_it_up(client, settings, builder, event):
    settings.REQUIRE_MFA_FOR_STAFF = True

    response = client.get(reverse("organiser:overview", args=[event.slug]))

    assert response["Location"] == "/account/2fa/"


def test_a_person_without_teams_is_not_asked_for_a_second_factor_on_a_back_office_path(
    client, settings, event
):
    settings.REQUIRE_MFA_FOR_STAFF = True
    client.force_login(UserFactory())

    response = client.get(reverse("organiser:overview", args=[event.slug]))

    assert response.status_code == 404


def test_header_links_to_the_latest_event_with_a_right(client, builder, event):
    response = client.get("/profiel/")

    assert f'href="/{event.slug}/organisator/"' in response.content.decode()


def test_an_invited_address_becomes_moderator_when_it_signs_up_and_verifies(
    client, builder, event, django_capture_on_commit_callbacks
):
    session = SessionFactory(event=event, title="Armoede")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("organiser:session_team_invite", args=[event.slug, session.pk]),
            {"email": "gast@example.org", "role": "rapporteur"},
        )
    invitation_mail = mail.outbox[-1]
    visitor = Client()

    with django_capture_on_commit_callbacks(execute=True):
        visitor.post(
            "/account/signup/",
            {
                "email": "gast@example.org",
                "password1": "Trialoog-wachtwoord-2026",
                "password2": "Trialoog-wachtwoord-2026",
            },
        )
    code = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", mail.outbox[-1].body, re.MULTILINE).group(1)
    visitor.post("/account/confirm-email/", {"code": code})

    assert invitation_mail.subject == "Uitnodiging: rapporteur bij “Armoede”"
    assert list(session.rapporteurs.values_list("email", flat=True)) == ["gast@example.org"]


def test_an_organiser_builds_a_session_assigns_a_moderator_publishes_and_finds_it_in_the_schedule(
    client, builder, event
):
    """The issue's story, without /admin/: build, search a moderator, add, publish, read /schedule.json."""
    Event.objects.filter(pk=event.pk).update(programme_published=False)
    room = RoomFactory(event=event)
    RegistrationFactory(event=event, user=UserFactory(name="Gert Gespreksleider", email="gert@example.org"))

    client.post(
        reverse("organiser:session_create", args=[event.slug]), _session_post(room, title="Werk en zorg")
    )
    session = Session.objects.get(title="Werk en zorg")
    found = client.get(reverse("organiser:session_team", args=[event.slug, session.pk]), {"q": "gert"})
    client.post(
        reverse("organiser:session_team_add", args=[event.slug, session.pk]),
        {"person": found.context["results"][0].pk, "role": "moderator"},
    )
    client.post(reverse("organiser:event_publish", args=[event.slug]), {"published": "1"})
    talks = [
        talk
        for day in Client().get(f"/{event.slug}/schedule.json").json()["schedule"]["conference"]["days"]
        for talks in day["rooms"].values()
        for talk in talks
    ]

    assert [(talk["title"], talk["persons"]) for talk in talks] == [
        ("Werk en zorg", [{"name": "Gert Gespreksleider"}])
    ]
