import datetime as dt

import pytest
from django.core.management import call_command

from accounts.models import User
from events import demo
from events.models import Event, Organisation, Session, SessionKind, SessionStatus
from events.permissions import Right, can, event_rights
from reports.models import OutcomeReport

pytestmark = pytest.mark.django_db


def test_programme_seed_twice_leaves_one_programme():
    """
    Seeding twice keeps the day's twelve sessions, the province's one and the 2027 day's twelve, each with
    its own join code, and the day's two published outcomes.
    """
    call_command("seed_demo", verbosity=0)

    call_command("seed_demo", verbosity=0)

    assert Session.objects.filter(event__slug=demo.EVENT_SLUG).count() == 12
    assert len(set(Session.objects.values_list("code", flat=True))) == Session.objects.count() == 12 + 1 + 12
    assert OutcomeReport.objects.filter(status=OutcomeReport.Status.PUBLISHED).count() == 2


def test_the_day_sessions_carry_the_themes_they_speak_of():
    call_command("seed_demo", verbosity=0)

    tagged = {
        s.title: sorted(s.themes.values_list("slug", flat=True))
        for s in Session.objects.filter(event__slug=demo.EVENT_SLUG)
    }

    assert tagged["Trialoog: de Vereenvoudigingswet"] == ["vereenvoudiging"]
    assert "gegevensdeling" in tagged["Trialoog: gegevensdeling tussen uitvoerders"]


def test_programme_seed_has_the_kinds_of_the_day():
    """Two plenaries, six trialogen, one whole-system session and three rondetafels."""
    call_command("seed_demo", verbosity=0)

    kinds = sorted(Session.objects.filter(event__slug=demo.EVENT_SLUG).values_list("kind", flat=True))

    assert kinds == sorted(
        [SessionKind.PLENARY] * 2
        + [SessionKind.TRIALOOG] * 6
        + [SessionKind.WHOLE_SYSTEM]
        + [SessionKind.RONDETAFEL] * 3
    )


def test_programme_seed_makes_the_demo_moderator_lead_every_trialoog():
    """moderator@example.org moderates each trialoog, and the trialogen hold politiek seats."""
    call_command("seed_demo", verbosity=0)

    trialogen = Session.objects.filter(event__slug=demo.EVENT_SLUG, kind=SessionKind.TRIALOOG)

    assert [list(s.moderators.values_list("email", flat=True)) for s in trialogen] == [
        ["moderator@example.org"]
    ] * 6
    assert all(s.reserved_politiek > 0 for s in trialogen)


def test_programme_seed_times_are_amsterdam_wall_clock():
    """The opening starts at 09:30 Amsterdam time, which is 07:30 UTC in June."""
    call_command("seed_demo", verbosity=0)

    opening = Session.objects.get(
        event__slug=demo.EVENT_SLUG, kind=SessionKind.PLENARY, title__startswith="Opening"
    )

    assert opening.starts_at.isoformat() == "2026-06-17T07:30:00+00:00"


def test_the_demo_has_three_events_each_with_its_own_programme():
    """The 2026 day (past, outcomes published), the 2027 day cloned from it (open), a province's trialoog."""
    call_command("seed_demo", verbosity=0)
    lead = User.objects.get(email="provincie@example.org")
    day = Event.objects.get(slug=demo.EVENT_SLUG)
    edition = Event.objects.get(slug=demo.NEXT_EDITION_SLUG)
    trialoog = Event.objects.get(slug=demo.PROVINCE_EVENT_SLUG)

    assert (
        OutcomeReport.objects.filter(session__event=day, status=OutcomeReport.Status.PUBLISHED).count() == 2
    )
    assert sorted(edition.sessions.values_list("title", flat=True)) == sorted(
        day.sessions.values_list("title", flat=True)
    )
    assert (edition.programme_published, edition.registration_open, edition.date) == (
        True,
        True,
        dt.date(2027, 6, 16),
    )
    assert not edition.sessions.exclude(status=SessionStatus.SCHEDULED).exists()
    assert not Session.moderators.through.objects.filter(session__event=edition).exists()
    assert trialoog.organisation.kind == Organisation.Kind.PROVINCE
    assert can(lead, Right.PROGRAMME, trialoog) is True
    assert can(lead, Right.HEALTH_DATA, trialoog) is False
    assert event_rights(lead, day) == frozenset()
    assert list(trialoog.sessions.get().themes.values_list("slug", flat=True)) == ["arbeidsmarkt"]
