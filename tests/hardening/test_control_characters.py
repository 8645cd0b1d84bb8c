"""
Control characters: removed from what people type, and harmless in rows that already hold them.

One pasted U+0001 in a question used to make the report XLSX answer 500,
the event ZIP stop halfway and `/schedule.xml` stop being well-formed.
"""

import io
import json
import zipfile
from xml.etree import ElementTree

import openpyxl
import pytest
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import models
from django.test import RequestFactory
from django.urls import reverse

from accounts.forms import ProfileForm
from accounts.models import ORGANISER_GROUP, User
from events.models import Session
from realtime.forms import ActionForm, NoteAddForm, PhaseForm, PollCreateForm, QuestionAskForm
from realtime.models import Action, LiveRoom, Note, Question
from realtime.routing import websocket_urlpatterns
from reports.forms import ApproveForm
from tests.factories import RegistrationFactory, SessionFactory, UserFactory, event_path
from trialoog.text import CleanCharField, text_clean

pytestmark = pytest.mark.django_db

# A C0 control, DEL, a C1 control (NEL), a lone surrogate and both noncharacters.
JUNK = "\x01\x7f\x85\ud800\ufffe\uffff"
# What PostgreSQL accepts in a text column (no NUL, no lone surrogate): what legacy rows can hold.
STORED_JUNK = "\x01\x1b\x7f\x85\ufffe\uffff"


@pytest.fixture
def organiser(db):
    user = UserFactory(name="Olga Organisator")
    user.groups.add(Group.objects.get_or_create(name=ORGANISER_GROUP)[0])
    return user


# --- the helper -----------------------------------------------------------------


def test_text_clean_keeps_tab_and_newline_in_multiline_text():
    """Multi-line text keeps tab and newline; CR LF and CR become a newline; every other control goes."""
    assert text_clean(f"Een{JUNK}\tkolom\r\nregel\rnog\x0b\x0c\x1b[31m", multiline=True) == (
        "Een\tkolom\nregel\nnog[31m"
    )


def test_text_clean_turns_tab_and_newline_into_a_space_in_single_line_text():
    """Single-line text has no tabs or line breaks: a run of them becomes one space, so words stay apart."""
    assert text_clean(f"Anna\t\r\nde{JUNK} Vries", multiline=False) == "Anna de Vries"


# --- forms: questions, notes, actions, polls, phases, reports, profile ------------


def test_question_form_removes_control_characters_and_keeps_line_breaks():
    """The form that serves both the HTTP post and the socket frame stores the question without controls."""
    form = QuestionAskForm({"text": f"Wie{JUNK} betaalt\r\ndit?\x00"})

    assert form.is_valid()
    assert form.cleaned_data["text"] == "Wie betaalt\ndit?"


def test_question_of_only_control_characters_is_empty():
    """Text that is nothing but control characters and spaces counts as no text at all."""
    form = QuestionAskForm({"text": f" {JUNK}\x02 "})

    assert not form.is_valid()
    assert form.errors["text"] == ["Typ eerst een vraag."]


def test_note_action_poll_and_phase_forms_remove_control_characters():
    """Every free-text field of the room forms is cleaned, single-line ones without line breaks."""
    note = NoteAddForm({"kind": "dilemma", "text": f"Noti{JUNK}tie\r\ntwee"})
    action = ActionForm(
        {"what": f"Brief\tsturen{JUNK}", "owner_name": "Anna\x1b de Vries", "owner_organisation": "U\x07WV"}
        | {"status": "open"}
    )
    poll = PollCreateForm({"text": f"Stelling{JUNK}", "kind": "single", "options": f"Ja{JUNK}\r\nNee\x01"})
    phase = PhaseForm({"title": f"Nu{JUNK}", "prompt": "Wat\x0bdoen we?"})

    assert note.is_valid() and action.is_valid() and poll.is_valid() and phase.is_valid()
    assert note.cleaned_data["text"] == "Notitie\ntwee"
    assert [action.cleaned_data[f] for f in ("what", "owner_name", "owner_organisation")] == [
        "Brief sturen",
        "Anna de Vries",
        "UWV",
    ]
    assert (poll.cleaned_data["text"], poll.cleaned_data["options"]) == ("Stelling", ["Ja", "Nee"])
    assert (phase.cleaned_data["title"], phase.cleaned_data["prompt"]) == ("Nu", "Watdoen we?")


def test_report_summary_form_removes_control_characters():
    """The summary and topics an organiser writes when approving a report are cleaned."""
    form = ApproveForm({"summary": f"Samen{JUNK}vatting\r\n", "topics": "post,\x01digitaal"})

    assert form.is_valid()
    assert (form.cleaned_data["summary"], form.cleaned_data["topics"]) == ("Samenvatting", "post,digitaal")


def test_profile_form_removes_control_characters_from_name_organisation_and_needs(db):
    """The profile's name, organisation, function and needs are stored without control characters."""
    user = UserFactory()
    data = {
        "name": f"Anna{JUNK} de Vries",
        "organisation": "U\x00WV",
        "function": "Advi\x9bseur",
        "perspective": "uitvoering",
        "consent_needs": "on",
        "diet": "Vega\x01\nrisch",
        "access_needs": "",
    }

    form = ProfileForm(data, instance=user)

    assert form.is_valid(), form.errors
    assert [form.cleaned_data[f] for f in ("name", "organisation", "function", "diet")] == [
        "Anna de Vries",
        "UWV",
        "Adviseur",
        "Vega risch",
    ]


def test_every_admin_form_cleans_its_free_text_fields(db):
    """Every admin of the project's own apps (and their inlines) uses the cleaning field for free text."""
    superuser = UserFactory(is_staff=True, is_superuser=True)
    request = RequestFactory().get("/admin/")
    request.user = superuser
    checked = []
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in {"accounts", "events", "realtime", "reports"}:
            continue
        obj = superuser if model is User else None  # a user's change form, not the add form
        forms = [model_admin.get_form(request, obj)] + [
            inline.get_formset(request, obj).form for inline in model_admin.get_inline_instances(request, obj)
        ]
        for form in forms:
            # The password is a hash shown read-only, never typed text.
            model_fields = {f.name: f for f in form._meta.model._meta.concrete_fields if f.name != "password"}
            for name, field in form.base_fields.items():
                db_field = model_fields.get(name)
                if type(db_field) in (models.CharField, models.TextField) and not db_field.choices:
                    checked.append(f"{form._meta.model.__name__}.{name}")
                    assert isinstance(field, CleanCharField), checked[-1]

    assert {"Session.title", "Session.description", "Event.name", "Event.description", "User.name"} <= set(
        checked
    )


def test_session_admin_form_stores_title_and_description_without_control_characters(db):
    """An organiser pasting into the admin gets a single-line title and a multi-line description."""
    session = SessionFactory()
    superuser = UserFactory(is_staff=True, is_superuser=True)
    request = RequestFactory().get("/admin/")
    request.user = superuser
    form_class = admin.site._registry[Session].get_form(request, obj=session)
    data = {
        "event": session.event_id,
        "kind": session.kind,
        "title": f"Digitale\tpost{JUNK}",
        "description": "Regel een\x01\r\nRegel twee\x85",
        "host_organisation": "Log\x1bius",
        "code": session.code,
        "room": session.room_id,
        "starts_at_0": "2026-06-17",
        "starts_at_1": "10:30",
        "ends_at_0": "2026-06-17",
        "ends_at_1": "11:45",
        "signup_open": "on",
        "reserved_politiek": 0,
        "reserved_beleid": 0,
        "reserved_uitvoering": 0,
        "room_access": "auto",
    }

    form = form_class(data, instance=session)
    assert form.is_valid(), form.errors
    form.save()

    session.refresh_from_db()
    assert (session.title, session.description, session.host_organisation) == (
        "Digitale post",
        "Regel een\nRegel twee",
        "Logius",
    )


def test_question_posted_over_http_is_stored_without_control_characters(client):
    """The room's form post stores the cleaned text."""
    room = LiveRoom.objects.create(session=SessionFactory(), is_open=True)
    user = UserFactory()
    RegistrationFactory(user=user, event=room.session.event)
    client.force_login(user)

    client.post(f"/zaal/{room.session.code}/vraag/", {"text": f"Vraag{STORED_JUNK}\x00?"})

    assert list(Question.objects.values_list("text", flat=True)) == ["Vraag?"]


@pytest.mark.django_db(transaction=True)
async def test_question_sent_over_the_socket_is_stored_without_control_characters():
    """A socket frame whose JSON escapes a control character and a lone surrogate is stored clean."""

    def arrange():
        room = LiveRoom.objects.create(session=SessionFactory(), is_open=True)
        user = UserFactory()
        RegistrationFactory(user=user, event=room.session.event)
        return room.session.code, user

    code, user = await database_sync_to_async(arrange)()
    communicator = WebsocketCommunicator(URLRouter(websocket_urlpatterns), f"/ws/rooms/{code}/")
    communicator.scope["user"] = user
    connected, _ = await communicator.connect(timeout=5)
    assert connected
    await communicator.receive_json_from(timeout=5)

    frame = '{"action": "question.ask", "id": "c1", "text": "Hoe\\u0001 nu\\ud800\\u009b?"}'
    await communicator.send_to(text_data=frame)
    while (reply := await communicator.receive_json_from(timeout=5))["type"] not in {"ack", "error"}:
        pass
    await communicator.disconnect()

    assert reply["type"] == "ack"
    stored = await database_sync_to_async(lambda: list(Question.objects.values_list("text", flat=True)))()
    assert stored == ["Hoe nu?"]


# --- outputs: rows stored before the forms cleaned (legacy data) ------------------


@pytest.fixture
def legacy_session(db):
    """A session whose title, question, note and action already hold control characters in the database."""
    session = SessionFactory(title=f"Digitale{STORED_JUNK} post", description="Over\x01 post\x0b")
    room = LiveRoom.objects.create(session=session, is_open=False)
    Question.objects.create(room=room, text=f"Wie\x01 betaalt{STORED_JUNK}?", perspective="politiek")
    Note.objects.create(room=room, kind="dilemma", perspective="beleid", text=f"Noti\x01tie{STORED_JUNK}")
    Action.objects.create(room=room, what="Brief\x01 sturen", owner_name=f"Anna{STORED_JUNK}")
    return session


def test_report_xlsx_opens_with_legacy_control_characters(client, legacy_session, organiser):
    """The report's XLSX answers 200 and holds the question without its control characters."""
    client.force_login(organiser)

    response = client.get(reverse("reports:report_download", args=[legacy_session.pk, "xlsx"]))

    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    texts = [row[-3] for row in workbook["vragen"].iter_rows(min_row=2, values_only=True)]
    assert texts == ["Wie betaalt?"]


def test_event_zip_completes_with_legacy_control_characters(client, legacy_session, organiser):
    """The event ZIP streams to the end: every file is there and the archive is intact."""
    client.force_login(organiser)

    response = client.get(reverse("reports:export_event_zip", args=[legacy_session.event.slug]))

    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    stem = f"verslagen/{legacy_session.pk:04d}"
    assert archive.testzip() is None
    assert {f"{stem}/tabellen.xlsx", f"{stem}/tabellen.ods", f"{stem}/verslag.pdf"} <= set(archive.namelist())
    report = json.loads(archive.read(f"{stem}/verslag.json"))
    assert [q["text"] for q in report["questions"]["all"]] == ["Wie betaalt?"]


def test_registrations_xlsx_opens_with_legacy_control_characters(client, organiser):
    """A name with a control character in the database does not break the registrations export."""
    registration = RegistrationFactory(user=UserFactory(name=f"Anna\x01 de Vries{STORED_JUNK}"))
    client.force_login(organiser)

    response = client.get(reverse("reports:export_registrations", args=[registration.event.slug, "xlsx"]))

    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))["aanmeldingen"]
    names = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert registration.user.name not in names
    assert names == ["Anna de Vries"]


def test_schedule_xml_stays_well_formed_with_legacy_control_characters(client, legacy_session):
    """`/schedule.xml` parses as XML and shows the title without the control characters."""
    response = client.get(event_path("schedule.xml"))

    assert response.status_code == 200
    root = ElementTree.fromstring(response.content)
    assert [e.text for e in root.iter("title")][1:] == ["Digitale post"]
    assert [e.text for e in root.iter("description")] == ["Over post"]


def test_calendar_feed_carries_no_control_characters(client, legacy_session):
    """`/schedule.ics` holds the title and description without the control characters RFC 5545 forbids."""
    import icalendar

    response = client.get(event_path("schedule.ics"))

    event = icalendar.Calendar.from_ical(response.content).events[0]
    assert (str(event["summary"]), str(event["description"])) == ("Digitale post", "Over post")
    assert not any(char in response.content.decode() for char in STORED_JUNK)
