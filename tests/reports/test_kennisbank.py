"""The kennisbank across events: filters, Dutch full-text search on PostgreSQL, pages, the Atom feed and the detail page."""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from events.models import SessionKind, Theme
from realtime.models import LiveRoom, Note
from reports.kennisbank import KennisbankFilters, report_list_published, report_search_index
from reports.models import OutcomeReport
from reports.services import report_approve, report_publish
from tests.factories import EventFactory, OrganisationFactory, RoomFactory, SessionFactory, at

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def publish(session, organiser, *, summary="", topics=""):
    report_approve(session=session, user=organiser, summary=summary, topics=topics)
    return report_publish(session=session, user=organiser)


def quick_report(session, *, summary="", topics="", published_at=None):
    """A published report row with a small snapshot, indexed as report_publish indexes it (for many reports)."""
    report = OutcomeReport.objects.create(
        session=session,
        status=OutcomeReport.Status.PUBLISHED,
        summary=summary,
        topics=topics,
        snapshot={
            "schema_version": 2,
            "session": {"title": session.title, "description": session.description},
        },
        published_at=published_at or timezone.now(),
    )
    report_search_index(report=report)
    return report


def titles(response) -> list[str]:
    return [row.session.title for row in response.context["reports"]]


def test_search_uses_postgresql_full_text_search():
    """The suite runs on PostgreSQL, where the kennisbank searches with the Dutch configuration."""
    assert connection.vendor == "postgresql"


def test_search_finds_a_dutch_word_by_its_stem(client, organiser):
    """ "vereenvoudigen" finds a report that only says "vereenvoudiging"."""
    found = SessionFactory(title="Regels voor toeslagen", description="Over de uitvoering.")
    publish(found, organiser, summary="Iedereen wil vereenvoudiging van de regels.")
    other = SessionFactory(title="Digitale post", description="Over brieven.")
    publish(other, organiser, summary="Brieven komen digitaal.")

    response = client.get(reverse("reports:kennisbank"), {"q": "vereenvoudigen"})

    assert titles(response) == ["Regels voor toeslagen"]


def test_search_ranks_a_title_hit_above_a_body_hit(client, organiser):
    """A report with the word in its title comes before one that has it only in a note of the session."""
    in_body = SessionFactory(
        title="Werk en inkomen", description="Een trialoog.", starts_at=at(15), ends_at=at(16)
    )
    room = LiveRoom.objects.create(session=in_body)
    Note.objects.create(
        room=room,
        text="De aanvraag moet eenvoudiger: vereenvoudiging helpt iedereen.",
        perspective="uitvoering",
        kind=Note.Kind.EXECUTION,
        status=Note.Status.VISIBLE,
    )
    publish(in_body, organiser)
    in_title = SessionFactory(title="Vereenvoudiging van de bijstand", description="Een trialoog.")
    publish(in_title, organiser)

    response = client.get(reverse("reports:kennisbank"), {"q": "vereenvoudigen"})

    assert titles(response) == ["Vereenvoudiging van de bijstand", "Werk en inkomen"]


def test_search_without_a_query_lists_newest_sessions_first(client):
    older = SessionFactory(title="Ochtend", starts_at=at(9), ends_at=at(10))
    newer = SessionFactory(title="Middag", starts_at=at(14), ends_at=at(15))
    quick_report(older)
    quick_report(newer)

    response = client.get(reverse("reports:kennisbank"))

    assert titles(response) == ["Middag", "Ochtend"]


def test_filters_combine_with_search(client):
    """Each filter narrows the search: event, organisation, kind, theme and dates together with the words."""
    province = OrganisationFactory(name="Provincie Utrecht", slug="utrecht")
    day = EventFactory(slug="dag-2026", name="Dag 2026", date=dt.date(2026, 6, 17))
    standalone = EventFactory(slug="trialoog-utrecht", name="Trialoog Utrecht", organisation=province,
                              date=dt.date(2026, 9, 15))  # fmt: skip
    theme = Theme.objects.create(name="Vereenvoudiging", slug="vereenvoudiging")
    on_day = SessionFactory(event=day, title="Eenvoudige regels op de dag")
    in_utrecht = SessionFactory(
        event=standalone,
        title="Eenvoudige regels in Utrecht",
        kind=SessionKind.WHOLE_SYSTEM,
        starts_at=dt.datetime(2026, 9, 15, 14, tzinfo=standalone.tz),
        ends_at=dt.datetime(2026, 9, 15, 16, tzinfo=standalone.tz),
    )
    in_utrecht.themes.add(theme)
    unrelated = SessionFactory(event=standalone, title="Gegevens delen", starts_at=in_utrecht.starts_at,
                               ends_at=in_utrecht.ends_at)  # fmt: skip
    unrelated.themes.add(theme)
    for session in (on_day, in_utrecht, unrelated):
        quick_report(session)
    url = reverse("reports:kennisbank")

    results = {
        name: titles(client.get(url, {"q": "regels", **params}))
        for name, params in {
            "words only": {},
            "event": {"event": "trialoog-utrecht"},
            "organisation": {"organisatie": "utrecht"},
            "kind": {"soort": SessionKind.WHOLE_SYSTEM},
            "theme": {"thema": "vereenvoudiging"},
            "from": {"van": "2026-09-01"},
            "until": {"tot": "2026-06-17"},
            "all": {
                "event": "trialoog-utrecht",
                "thema": "vereenvoudiging",
                "van": "2026-09-15",
                "tot": "2026-09-15",
            },
        }.items()
    }

    assert results == {
        "words only": ["Eenvoudige regels in Utrecht", "Eenvoudige regels op de dag"],
        "event": ["Eenvoudige regels in Utrecht"],
        "organisation": ["Eenvoudige regels in Utrecht"],
        "kind": ["Eenvoudige regels in Utrecht"],
        "theme": ["Eenvoudige regels in Utrecht"],
        "from": ["Eenvoudige regels in Utrecht"],
        "until": ["Eenvoudige regels op de dag"],
        "all": ["Eenvoudige regels in Utrecht"],
    }


def test_theme_filter_lists_every_event(client):
    """Outcomes of one theme come from every event that has them."""
    theme = Theme.objects.create(name="Arbeidsmarkt", slug="arbeidsmarkt")
    for year in (2026, 2027):
        event = EventFactory(slug=f"dag-{year}", name=f"Dag {year}", date=dt.date(year, 6, 17))
        session = SessionFactory(
            event=event,
            title=f"Werk {year}",
            starts_at=dt.datetime(year, 6, 17, 10, tzinfo=event.tz),
            ends_at=dt.datetime(year, 6, 17, 11, tzinfo=event.tz),
        )
        session.themes.add(theme)
        quick_report(session)
    quick_report(SessionFactory(title="Zonder thema"))

    response = client.get(reverse("reports:kennisbank"), {"thema": "arbeidsmarkt"})

    assert titles(response) == ["Werk 2027", "Werk 2026"]


def test_fallback_search_matches_words_with_icontains(monkeypatch):
    """Without PostgreSQL (the demo's SQLite) every word must appear in the title, description, summary or topics."""
    monkeypatch.setattr("reports.kennisbank.uses_full_text_search", lambda: False)
    quick_report(SessionFactory(title="Toeslagen herstel"), topics="inclusie, post")
    quick_report(SessionFactory(title="Digitale post"))

    found = report_list_published(filters=KennisbankFilters(query="POST inclusie"))

    assert [r.session.title for r in found] == ["Toeslagen herstel"]


def test_a_reversed_date_range_is_answered_next_to_the_field(client):
    response = client.get(reverse("reports:kennisbank"), {"van": "2026-06-18", "tot": "2026-06-17"})

    assert response.context["form"].errors == {
        "tot": ["Deze datum ligt voor de vanaf-datum. Kies een latere datum."]
    }
    assert 'value="2026-06-17"' in response.content.decode()


def test_an_unknown_event_is_refused_and_filters_nothing(client):
    quick_report(SessionFactory(title="Digitale post"))

    response = client.get(reverse("reports:kennisbank"), {"event": "bestaat-niet"})

    assert list(response.context["form"].errors) == ["event"]
    assert titles(response) == ["Digitale post"]


def test_an_unpublished_programme_is_not_offered_as_an_event(client):
    EventFactory(slug="dag-2028", name="Dag 2028", programme_published=False)
    EventFactory(slug="dag-2027", name="Dag 2027")

    response = client.get(reverse("reports:kennisbank"))

    assert [name for slug, name in response.context["form"].fields["event"].choices if slug] == ["Dag 2027"]


def test_empty_result_says_what_to_change(client):
    quick_report(SessionFactory(title="Digitale post"))

    page = client.get(reverse("reports:kennisbank"), {"q": "zeppelin", "van": "2026-06-17"}).content.decode()

    assert "Geen verslagen gevonden die bij uw keuze passen." in page
    assert "Gebruik minder zoekwoorden" in page
    assert "Kies een ruimere periode." in page
    assert 'href="/kennisbank/?q=zeppelin"' in page  # the date filter removed, the words kept


def test_pages_keep_the_filters(client):
    event = EventFactory(slug="dag-2026")
    room = RoomFactory(event=event)
    for n in range(45):
        quick_report(SessionFactory(event=event, room=room, title=f"Sessie {n:02d}"))

    first = client.get(reverse("reports:kennisbank"), {"event": "dag-2026"})
    third = client.get(reverse("reports:kennisbank"), {"event": "dag-2026", "pagina": "3"})

    assert len(first.context["reports"]) == 20
    assert 'href="?event=dag-2026&amp;pagina=2"' in first.content.decode()
    assert titles(third) == ["Sessie 40", "Sessie 41", "Sessie 42", "Sessie 43", "Sessie 44"]


@pytest.mark.parametrize(("events", "reports"), [(1, 12), (20, 200)])
@pytest.mark.parametrize("params", [{}, {"q": "regels", "thema": "vereenvoudiging", "pagina": "2"}])
def test_kennisbank_runs_a_constant_number_of_queries(
    client, django_assert_num_queries, events, reports, params
):
    """
    Eight queries for 1 or 20 events, 12 or 200 reports: the filter choices (3), the count, the page,
    its themes, the menu's current event and the page cache's next change of the programme.
    """
    theme = Theme.objects.create(name="Vereenvoudiging", slug="vereenvoudiging")
    made = [EventFactory(slug=f"dag-{n}", organisation=OrganisationFactory()) for n in range(events)]
    rooms = [RoomFactory(event=event) for event in made]
    for n in range(reports):
        session = SessionFactory(event=made[n % events], room=rooms[n % events], title=f"Regels {n}")
        session.themes.add(theme)
        quick_report(session, summary="Minder regels, meer eenvoud.")

    with django_assert_num_queries(8):
        response = client.get(reverse("reports:kennisbank"), params)

    assert response.status_code == 200
    assert len(response.context["reports"]) == min(reports, 20)  # page 2 of 12 answers the last page


def test_kennisbank_links_its_atom_feed_with_the_filters(client):
    page = client.get(reverse("reports:kennisbank"), {"thema": "", "q": "post"}).content.decode()

    assert '<link rel="alternate" type="application/atom+xml"' in page
    assert 'href="/kennisbank/feed.atom?q=post"' in page


def test_feed_lists_new_publications_newest_first_with_the_filters(client):
    theme = Theme.objects.create(name="Gegevensdeling", slug="gegevensdeling")
    first = SessionFactory(title="Eerste")
    first.themes.add(theme)
    quick_report(first, summary="Eerst gepubliceerd.", published_at=timezone.now() - dt.timedelta(days=2))
    second = SessionFactory(title="Tweede")
    second.themes.add(theme)
    quick_report(second, published_at=timezone.now() - dt.timedelta(days=1))
    quick_report(SessionFactory(title="Ander thema"))

    response = client.get(reverse("reports:kennisbank_feed"), {"thema": "gegevensdeling"})
    feed = ET.fromstring(response.content)
    entries = feed.findall(f"{ATOM}entry")

    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["Tweede", "Eerste"]
    assert [c.get("term") for c in entries[1].findall(f"{ATOM}category")] == ["Gegevensdeling"]
    assert entries[1].findtext(f"{ATOM}summary") == "Eerst gepubliceerd."
    assert (
        feed.find(f"{ATOM}link[@rel='alternate']").get("href")
        == "http://testserver/kennisbank/?thema=gegevensdeling"
    )


def test_feed_leaves_out_unpublished_reports(client):
    report = quick_report(SessionFactory(title="Teruggetrokken"))
    OutcomeReport.objects.filter(pk=report.pk).update(status=OutcomeReport.Status.APPROVED)

    feed = ET.fromstring(client.get(reverse("reports:kennisbank_feed")).content)

    assert feed.findall(f"{ATOM}entry") == []


def test_detail_names_event_organisation_and_themes_with_links_to_the_list(client, report_session, organiser):
    province = OrganisationFactory(name="Provincie Gelderland", slug="gelderland")
    event = report_session.event
    event.organisation = province
    event.save()
    report_session.themes.add(Theme.objects.create(name="Uitvoeringstoets", slug="uitvoeringstoets"))
    report = publish(report_session, organiser)

    page = client.get(reverse("reports:kennisbank_detail", args=[report.pk])).content.decode()

    assert f'<a href="/kennisbank/?event={event.slug}">{event.name}</a>' in page
    assert '<a href="/kennisbank/?organisatie=gelderland">Provincie Gelderland</a>' in page
    assert 'href="/kennisbank/?thema=uitvoeringstoets">Uitvoeringstoets</a>' in page


def test_migration_indexes_reports_published_before_it():
    """Migration 0002 writes the vector of every report already published, beside a partial GIN index."""
    from importlib import import_module

    from django.apps import apps

    migration = import_module("reports.migrations.0002_kennisbank_search_vector")
    OutcomeReport.objects.create(
        session=SessionFactory(title="Vereenvoudiging van de bijstand"),
        status=OutcomeReport.Status.PUBLISHED,
        snapshot={},
        published_at=timezone.now(),
    )
    before = list(report_list_published(filters=KennisbankFilters(query="vereenvoudigen")))

    with connection.cursor() as cursor:  # the test's open transaction holds deferred FK checks
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    with connection.schema_editor() as editor:
        migration.index_published_reports(apps, editor)
    after = report_list_published(filters=KennisbankFilters(query="vereenvoudigen"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [migration.INDEX])
        (definition,) = cursor.fetchone()

    assert before == []
    assert [r.session.title for r in after] == ["Vereenvoudiging van de bijstand"]
    assert "USING gin (search_vector) WHERE ((status)::text = 'published'::text)" in definition
