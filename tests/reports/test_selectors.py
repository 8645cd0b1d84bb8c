import json
from pathlib import Path

import pytest

from realtime.models import LiveRoom
from reports.selectors import (
    dashboard_live,
    dashboard_registrations,
    dashboard_sessions,
    report_build,
    snapshot_current,
)
from tests.factories import RegistrationFactory, SessionFactory, UserFactory
from tests.reports.conftest import (
    NOBODY,
    RANKED_POLLS,
    WITHHELD,
    add_note,
    add_question,
    add_scale_poll,
    shown,
)

pytestmark = pytest.mark.django_db


def test_report_participants_counts_confirmed_signups_per_perspective(report_session):
    """Participants come from confirmed sign-ups; the waitlist does not count."""
    report = report_build(session=report_session)

    assert report["participants"] == {
        "source": "signups",
        "total": 10,
        "by_perspective": {"politiek": 2, "beleid": 3, "uitvoering": 4, "anders": 1},
    }


def test_report_scale_poll_withholds_small_groups_and_has_the_lens(report_session):
    """
    A 5-point poll shows every option per perspective, and the lens counts 4 and 5 as agreeing.

    Politiek (2 voters) and anders (1) are below the minimum group of 3, so
    their figures are withheld; together they are 3, so nothing else is.
    """
    report = report_build(session=report_session)

    poll = report["polls"][0]
    assert poll["text"] == "Digitale post moet de standaard worden"
    assert (poll["voters"], poll["min_group"], poll["totals_withheld"], poll["breakdown"]) == (
        10,
        3,
        False,
        True,
    )
    assert poll["suppressed"] == ["politiek", "anders"]
    assert poll["voters_by_perspective"] == {"politiek": None, "beleid": 3, "uitvoering": 4, "anders": None}
    assert [(o["value"], o["count"]) for o in poll["options"]] == [(1, 3), (2, 2), (3, 1), (4, 2), (5, 2)]
    assert poll["options"][0]["by_perspective"] == {
        "politiek": None,
        "beleid": 1,
        "uitvoering": 2,
        "anders": None,
    }
    assert poll["agree_by_perspective"] == {"politiek": None, "beleid": 1, "uitvoering": 0, "anders": None}
    assert poll["lens"] == {
        "verdict": "too_few",
        "apart": None,
        "min_group": 3,
        "perspectives": {"politiek": WITHHELD, "beleid": shown(1, 3), "uitvoering": shown(0, 4)},
    }


def test_report_lens_bounds_of_none_and_all_agreeing_are_the_closed_forms(report_session):
    """For 0 of n the Wilson interval is [0, z²/(n+z²)]; hand-computed for uitvoering, 0 of 4."""
    report = report_build(session=report_session)

    uitvoering = report["polls"][0]["lens"]["perspectives"]["uitvoering"]
    assert uitvoering["low"] == 0.0
    assert uitvoering["high"] == pytest.approx(2.70569601 / 6.70569601, abs=1e-12)


def test_report_withholds_the_perspective_that_would_leave_a_lone_kamerlid_in_the_remainder(
    lone_kamerlid_session,
):
    """
    Politiek (1) is withheld; voters minus beleid and uitvoering would give it back, so uitvoering
    (3, tied with beleid and first in the tie order) is withheld too: the remainder is a group of 4.
    """
    report = report_build(session=lone_kamerlid_session)

    scale, choice = report["polls"]
    assert scale["suppressed"] == choice["suppressed"] == ["politiek", "uitvoering"]
    assert scale["voters_by_perspective"] == {"politiek": None, "beleid": 3, "uitvoering": None, "anders": 0}
    assert [o["count"] for o in scale["options"]] == [1, 1, 0, 2, 3]
    assert scale["lens"]["perspectives"] == {
        "politiek": WITHHELD,
        "beleid": shown(3, 3),
        "uitvoering": WITHHELD,
    }
    [question] = report["questions"]["all"]
    assert question["upvotes_by_perspective"] == {
        "politiek": None,
        "beleid": 2,
        "uitvoering": None,
        "anders": 0,
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
    assert report["polls"][1]["agree_by_perspective"] is None


def test_report_choice_poll_option_lens_counts_who_chose_it(report_session):
    """Beleid (1) and uitvoering (2) are both withheld; together they are 3, and politiek voted not at all."""
    report = report_build(session=report_session)

    gemeenten = report["polls"][1]["options"][1]
    assert gemeenten["by_perspective"] == {"politiek": 0, "beleid": None, "uitvoering": None, "anders": 0}
    assert gemeenten["lens"]["perspectives"] == {
        "politiek": NOBODY,
        "beleid": WITHHELD,
        "uitvoering": WITHHELD,
    }


def test_report_highlights_list_statements_with_too_few_votes_apart(report_session):
    """With 2 politiek participants nothing can be compared: every statement is listed apart, in order."""
    report = report_build(session=report_session)

    highlights = report["highlights"]
    assert (highlights["divergent"], highlights["consensual"]) == ([], [])
    assert [(s["source"], s["text"], s["lens"]["verdict"]) for s in highlights["too_few"]] == [
        ("poll", "Digitale post moet de standaard worden", "too_few"),
        ("poll_option", "Wie zet de eerste stap? — Het Rijk", "too_few"),
        ("poll_option", "Wie zet de eerste stap? — Gemeenten", "too_few"),
        ("note", "Niemand mag buiten de boot vallen", "too_few"),
        ("note", "Het tempo van invoering", "too_few"),
        ("question", "Hoe helpen we mensen zonder computer?", "too_few"),
        ("question", "Wie betaalt de extra uitvoeringskosten?", "too_few"),
    ]


def test_report_ranks_divergent_by_z_and_consensual_by_the_smallest_low_bound(ranked_session):
    """
    Divergent: verdict apart, by |z| (E 2.83, F 2.45, G 2.31). Consensual: verdict agree, by the
    smallest low bound (B 0.649, C 0.597, then D and A tied at 0.526, where D's higher smoothed
    product wins and the limit of 3 drops A). Mixed H is in neither; too-few I is listed apart.
    """
    report = report_build(session=ranked_session)

    highlights = report["highlights"]
    assert [(s["text"], s["lens"]["apart"]) for s in highlights["divergent"]] == [
        ("E 4/4 0/4 2/4", ["politiek", "beleid"]),
        ("F 3/3 3/3 0/3", ["politiek", "uitvoering"]),
        ("G 5/6 1/6 3/6", ["politiek", "beleid"]),
    ]
    assert [s["text"] for s in highlights["consensual"]] == ["B 6·6·5 eens", "C 4·4·4 eens", "D 3·3·4 eens"]
    assert [s["text"] for s in highlights["too_few"]] == ["I 2/2 3/3 3/3"]
    assert {p["text"]: p["lens"]["verdict"] for p in report["polls"]} == {
        text: verdict
        for text, verdict in zip(
            RANKED_POLLS,
            ["agree"] * 4 + ["apart"] * 3 + ["mixed", "too_few"],
            strict=True,
        )
    }


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
        "politiek": None,
        "beleid": 2,
        "uitvoering": 0,
        "anders": None,
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
    """Three reacted (politiek 1, uitvoering 2): the totals are shown, every perspective's split is not."""
    report = report_build(session=report_session)

    note = next(n for n in report["notes"] if n["text"] == "Het tempo van invoering")
    assert note["reactions"] == {"recognise": 0, "agree": 1, "disagree": 2}
    assert note["reactions_by_perspective"]["disagree"] == {
        "politiek": None,
        "beleid": 0,
        "uitvoering": None,
        "anders": 0,
    }
    assert note["lens"] == {
        "verdict": "too_few",
        "apart": None,
        "min_group": 3,
        "perspectives": {"politiek": WITHHELD, "beleid": NOBODY, "uitvoering": WITHHELD},
    }
    assert "Verborgen notitie" not in [n["text"] for n in report["notes"]]


def test_report_note_with_fewer_reactions_than_the_minimum_withholds_its_totals(report_session):
    note = add_note(
        report_session.live_room, "Twee reacties", "beleid", "consideration", {("beleid", "agree"): 2}
    )

    report = report_build(session=report_session)

    [entry] = [n for n in report["notes"] if n["id"] == note.pk]
    assert entry["reactions"] == {"recognise": None, "agree": None, "disagree": None}
    assert entry["reactions_by_perspective"]["agree"]["beleid"] is None


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
    assert report["highlights"] == {"divergent": [], "consensual": [], "too_few": []}


# Built by the report code before the lens was rewritten (commit 42e89af) for lone_kamerlid_session.
SNAPSHOT_BEFORE_THE_LENS = Path(__file__).parent / "data" / "snapshot_before_the_lens.json"


def without_ids(value):
    """The value with every "id" and "ref" left out: rows of another database get other ids."""
    if isinstance(value, dict):
        return {k: without_ids(v) for k, v in value.items() if k not in ("id", "ref")}
    if isinstance(value, list):
        return [without_ids(v) for v in value]
    return value


def test_snapshot_approved_before_the_lens_is_re_tallied_as_a_report_built_now(lone_kamerlid_session):
    """
    An old snapshot froze every count unwithheld (politiek 1 among them) and consensus and
    divergence; read now, its polls, notes, questions and highlights are those of a report built
    now from the same votes, and the rest is as approved.
    """
    old = json.loads(SNAPSHOT_BEFORE_THE_LENS.read_text())
    assert old["polls"][0]["voters_by_perspective"]["politiek"] == 1
    built = report_build(session=lone_kamerlid_session)

    current = snapshot_current(content=old)

    for key in ("polls", "notes", "questions", "dilemmas", "highlights"):
        assert without_ids(current[key]) == without_ids(built[key]), key
    assert (current["generated_at"], current["session"]) == (old["generated_at"], old["session"])


def test_snapshot_in_todays_shape_is_returned_unchanged(report_session):
    content = report_build(session=report_session)

    assert snapshot_current(content=content) is content


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

    with django_assert_num_queries(11):
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
