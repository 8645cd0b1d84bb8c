import pytest

from realtime.models import LiveRoom
from reports.selectors import dashboard_live, dashboard_registrations, dashboard_sessions, report_build
from tests.factories import RegistrationFactory, SessionFactory, UserFactory
from tests.reports.conftest import add_note, add_question, add_scale_poll

pytestmark = pytest.mark.django_db


def test_report_participants_counts_confirmed_signups_per_perspective(report_session):
    """Participants come from confirmed sign-ups; the waitlist does not count."""
    report = report_build(session=report_session)

    assert report["participants"] == {
        "source": "signups",
        "total": 10,
        "by_perspective": {"politiek": 2, "beleid": 3, "uitvoering": 4, "anders": 1},
    }


def test_report_scale_poll_has_counts_and_lens_per_perspective(report_session):
    """A 5-point poll shows every option per perspective, and the lens counts 4 and 5 as agreeing."""
    report = report_build(session=report_session)

    poll = report["polls"][0]
    assert poll["text"] == "Digitale post moet de standaard worden"
    assert poll["voters"] == 10
    assert poll["voters_by_perspective"] == {"politiek": 2, "beleid": 3, "uitvoering": 4, "anders": 1}
    assert [(o["value"], o["count"]) for o in poll["options"]] == [(1, 3), (2, 2), (3, 1), (4, 2), (5, 2)]
    assert poll["options"][0]["by_perspective"] == {"politiek": 0, "beleid": 1, "uitvoering": 2, "anders": 0}
    assert poll["agree_by_perspective"] == {"politiek": 2, "beleid": 1, "uitvoering": 0, "anders": 1}
    assert poll["lens"] == {
        "agree": {"politiek": 2, "beleid": 1, "uitvoering": 0},
        "total": {"politiek": 2, "beleid": 3, "uitvoering": 4},
        "rates": {"politiek": 1.0, "beleid": 0.3333, "uitvoering": 0.0},
        "consensus": 0.05,
        "divergence": 1.0,
        "most_apart": ["politiek", "uitvoering"],
    }


def test_report_leaves_out_draft_polls(report_session):
    report = report_build(session=report_session)

    assert [p["text"] for p in report["polls"]] == [
        "Digitale post moet de standaard worden",
        "Wie zet de eerste stap?",
    ]
    assert [(o["label"], o["count"]) for o in report["polls"][1]["options"]] == [
        ("Het Rijk", 1),
        ("Gemeenten", 2),
    ]
    assert report["polls"][1]["lens"] is None


def test_report_leads_with_most_divergent_and_most_consensual_statements(report_session):
    report = report_build(session=report_session)

    divergent = [(s["source"], s["text"], s["lens"]["divergence"]) for s in report["highlights"]["divergent"]]
    consensual = [
        (s["source"], s["text"], s["lens"]["consensus"]) for s in report["highlights"]["consensual"]
    ]
    assert divergent == [
        ("poll", "Digitale post moet de standaard worden", 1.0),
        ("question", "Hoe helpen we mensen zonder computer?", 1.0),
        ("poll_option", "Wie zet de eerste stap? — Het Rijk", 1.0),
    ]
    assert consensual == [
        ("note", "Niemand mag buiten de boot vallen", 0.4),
        ("poll_option", "Wie zet de eerste stap? — Gemeenten", 0.125),
        ("poll_option", "Wie zet de eerste stap? — Het Rijk", 0.0833),
    ]


def test_report_questions_top_and_kamerlid_apart(report_session):
    """Only visible and answered questions are listed; Kamerlid questions also appear apart."""
    report = report_build(session=report_session)

    questions = report["questions"]
    assert [(q["text"], q["upvotes"], q["status"]) for q in questions["top"]] == [
        ("Hoe helpen we mensen zonder computer?", 4, "answered"),
        ("Wie betaalt de extra uitvoeringskosten?", 3, "visible"),
    ]
    assert [q["text"] for q in questions["kamerlid"]] == ["Wie betaalt de extra uitvoeringskosten?"]
    assert questions["kamerlid"][0]["upvotes_by_perspective"] == {
        "politiek": 1,
        "beleid": 2,
        "uitvoering": 0,
        "anders": 0,
    }
    assert questions["total"] == 3
    assert questions["by_perspective"] == {
        "politiek": {"asked": 1, "answered": 0},
        "beleid": {"asked": 1, "answered": 0},
        "uitvoering": {"asked": 1, "answered": 1},
        "anders": {"asked": 0, "answered": 0},
    }


def test_report_names_only_authors_who_chose_to_be_named(report_session):
    report = report_build(session=report_session)

    named = {q["text"]: (q["author"], q["organisation"]) for q in report["questions"]["all"]}
    assert named == {
        "Hoe helpen we mensen zonder computer?": (None, None),
        "Wie betaalt de extra uitvoeringskosten?": ("Karin Kamerlid", "Tweede Kamer"),
    }


def test_report_dilemma_groups_positions_common_ground_open_questions_and_actions(report_session):
    report = report_build(session=report_session)

    [dilemma] = report["dilemmas"]
    assert dilemma["title"] == "Digitale post als standaard"
    assert [n["text"] for n in dilemma["statements"]] == [
        "Digitaal als standaard, of keuzevrijheid voor iedereen?"
    ]
    assert {p: [n["text"] for n in notes] for p, notes in dilemma["positions"].items()} == {
        "politiek": [],
        "beleid": ["De kosten van papier dalen sterk"],
        "uitvoering": ["Meer telefoontjes bij de balie"],
        "anders": [],
    }
    assert [n["text"] for n in dilemma["common_ground"]] == ["Niemand mag buiten de boot vallen"]
    assert [n["text"] for n in dilemma["not_agreed"]] == ["Het tempo van invoering"]
    assert [n["text"] for n in dilemma["open_questions"]] == ["Wat kost een papieren alternatief?"]
    assert dilemma["actions"] == [
        {
            "id": dilemma["actions"][0]["id"],
            "what": "Pilot met een papieren alternatief",
            "owner_name": "Jan Jansen",
            "owner_organisation": "SVB",
            "perspective": "uitvoering",
            "due_date": "2026-09-01",
            "status": "open",
            "status_label": "Open",
        }
    ]


def test_report_note_reactions_per_perspective(report_session):
    report = report_build(session=report_session)

    note = next(n for n in report["notes"] if n["text"] == "Het tempo van invoering")
    assert note["reactions"] == {"recognise": 0, "agree": 1, "disagree": 2}
    assert note["lens"]["rates"] == {"politiek": 1.0, "beleid": None, "uitvoering": 0.0}
    assert "Verborgen notitie" not in [n["text"] for n in report["notes"]]


def test_report_under_chatham_house_names_nobody(report_session):
    """Under the Chatham House rule no question author and no action owner is named."""
    report_session.chatham_house = True
    report_session.save()

    report = report_build(session=report_session)

    assert report["session"]["chatham_house"] is True
    assert {(q["author"], q["organisation"]) for q in report["questions"]["all"]} == {(None, None)}
    assert report["actions"][0]["owner_name"] is None
    assert report["actions"][0]["owner_organisation"] == "SVB"
    assert "Karin Kamerlid" not in str(report)
    assert "Jan Jansen" not in str(report)


def test_report_without_live_room_is_empty_but_complete(db):
    session = SessionFactory()

    report = report_build(session=session)

    assert report["polls"] == [] and report["dilemmas"] == [] and report["questions"]["top"] == []
    assert report["highlights"] == {"divergent": [], "consensual": []}


def _grow(session, n: int):
    room = session.live_room
    for i in range(n):
        add_question(room, f"Vraag {i}", "beleid", {"politiek": 1, "uitvoering": i % 3})
        add_scale_poll(room, f"Stelling {i}", {"politiek": [5], "beleid": [1, i % 5 + 1]})
        add_note(room, f"Notitie {i}", "uitvoering", "consideration", {("beleid", "agree"): 1})


@pytest.mark.parametrize("size", [1, 12])
def test_report_build_runs_a_constant_number_of_queries(report_session, django_assert_num_queries, size):
    """One query for the session and one or two per section, however many contributions there are."""
    _grow(report_session, size)

    with django_assert_num_queries(12):
        report_build(session=report_session)


def test_dashboard_registrations_per_perspective_and_organisation(db):
    session = SessionFactory()
    for perspective, organisation in [
        ("politiek", "Tweede Kamer"),
        ("beleid", "BZK"),
        ("beleid", "BZK"),
        ("uitvoering", "UWV"),
    ]:
        RegistrationFactory(
            event=session.event, user=UserFactory(perspective=perspective, organisation=organisation)
        )

    stats = dashboard_registrations(event=session.event)

    assert stats["total"] == 4
    assert stats["by_perspective"] == {"politiek": 1, "beleid": 2, "uitvoering": 1, "anders": 0}
    assert stats["by_organisation"] == [
        {"organisation": "BZK", "count": 2},
        {"organisation": "Tweede Kamer", "count": 1},
        {"organisation": "UWV", "count": 1},
    ]


def test_dashboard_sessions_fill_rate_and_waitlist(report_session):
    [row] = dashboard_sessions(event=report_session.event)

    assert (row["capacity"], row["confirmed"], row["waitlisted"], row["fill_percent"]) == (40, 10, 1, 25)


def test_dashboard_live_counts_questions_votes_and_notes(report_session):
    [room] = dashboard_live(event=report_session.event)

    assert room["room"] == LiveRoom.objects.get(session=report_session).pk
    assert (room["questions"], room["votes"], room["notes"]) == (4, 13, 6)
    assert room["present"] == {"politiek": 0, "beleid": 0, "uitvoering": 0, "anders": 0}
