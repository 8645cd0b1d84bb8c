"""
Benchmark the kennisbank's search at 2,000 published reports, against a real PostgreSQL.

Starts a throwaway PostgreSQL (or uses DATABASE_URL when set), migrates it,
and seeds 20 events of 100 sessions, each with a published report: a Dutch
title, description, summary and topics, 12 notes, 8 questions, 2 polls and
3 actions in its snapshot, themes on the session, and the search vector
written as report_publish writes it. Then asks /kennisbank/ through the
Django test client for a handful of Dutch searches, with and without
filters, pages 1 and 5, with the page cache emptied before every request
(every answer is rendered), and prints p50/p95/max and the query count.

    .venv/bin/python bench/kennisbank.py [--events 20] [--per-event 100] [--rounds 15]
"""

import argparse
import datetime as dt
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.export import setup_django  # noqa: E402
from bench.signup import percentile  # noqa: E402

THEMES = [
    "Vereenvoudiging",
    "Gegevensdeling",
    "Arbeidsmarkt",
    "Uitvoeringstoets",
    "Toeslagen",
    "Digitale overheid",
]
SUBJECTS = [
    "de toeslagen", "de bijstand", "digitale post", "het zorgstelsel", "de kinderopvang", "schulden",
    "de huurtoeslag", "werk en inkomen", "de WMO", "de jeugdzorg", "het inburgeringsexamen", "de energietoeslag",
    "gegevens tussen gemeenten", "de Participatiewet", "het UWV-loket", "de belastingaangifte",
]  # fmt: skip
VERBS = [
    "vereenvoudigen", "verbeteren", "uitvoeren", "toetsen", "delen", "herzien", "afschaffen", "versnellen",
    "begrijpelijker maken", "digitaliseren",
]  # fmt: skip
WORDS = (
    "burgers uitvoering beleid politiek regels wetgeving aanvraag loket brief formulier termijn gemeente "
    "provincie ministerie dienstverlening vertrouwen menselijke maat maatwerk hardheid knelpunten signalen "
    "gegevensdeling privacy toegankelijkheid laaggeletterdheid schuldhulp arbeidsmarkt werkgevers "
    "vereenvoudiging uitvoeringstoets doenvermogen terugvordering bezwaar beroep wachttijden capaciteit "
    "professionals ruimte evaluatie experiment pilot samenwerking ketens informatie"
).split()
SEARCHES = [
    "vereenvoudigen",
    "gegevens delen",
    "toeslagen",
    "arbeidsmarkt",
    "uitvoeringstoets",
    "menselijke maat",
]


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def snapshot_for(rng: random.Random, title: str, description: str) -> dict:
    return {
        "schema_version": 2,
        "session": {"title": title, "description": description},
        "notes": [{"text": sentence(rng, 16), "kind": "consideration"} for _ in range(12)],
        "questions": {"all": [{"text": sentence(rng, 12) + "?"} for _ in range(8)]},
        "polls": [
            {"text": sentence(rng, 10), "options": [{"label": "Eens"}, {"label": "Oneens"}]} for _ in range(2)
        ],
        "actions": [{"what": sentence(rng, 8)} for _ in range(3)],
        "phases": [{"title": "Dilemma"}, {"title": "Gesprek"}, {"title": "Afspraken"}],
    }


def seed(*, events: int, per_event: int) -> dict:
    from django.db import connection, transaction
    from django.utils import timezone
    from django.utils.text import slugify

    from events.models import Event, Organisation, Room, Session, SessionKind, Theme
    from reports.kennisbank import report_search_index
    from reports.models import OutcomeReport

    rng = random.Random(17)
    kinds = [k for k, _ in SessionKind.choices]
    themes = [Theme.objects.create(name=name, slug=slugify(name)) for name in THEMES]
    organisations = [
        Organisation.objects.create(name=f"Organisatie {n}", slug=f"organisatie-{n}", kind="province")
        for n in range(5)
    ]
    made = []
    with transaction.atomic():
        for e in range(events):
            day = dt.date(2022, 6, 17) + dt.timedelta(days=91 * e)
            event = Event.objects.create(
                name=f"Evenement {e + 1}",
                slug=f"evenement-{e + 1}",
                acronym=f"ev{e + 1}",
                date=day,
                organisation=organisations[e % len(organisations)],
                programme_published=True,
            )
            room = Room.objects.create(event=event, name="Zaal", capacity=200)
            start = dt.datetime.combine(day, dt.time(9), tzinfo=event.tz)
            sessions = Session.objects.bulk_create(
                Session(
                    event=event,
                    room=room,
                    kind=kinds[s % len(kinds)],
                    title=f"{rng.choice(SUBJECTS).capitalize()} {rng.choice(VERBS)} ({e + 1}.{s + 1})",
                    description=sentence(rng, 30),
                    starts_at=start + dt.timedelta(minutes=5 * s),
                    ends_at=start + dt.timedelta(minutes=5 * s + 60),
                    code=f"B{e:02d}{s:03d}",
                )
                for s in range(per_event)
            )
            Session.themes.through.objects.bulk_create(
                Session.themes.through(session_id=session.pk, theme_id=theme.pk)
                for session in sessions
                for theme in rng.sample(themes, 2)
            )
            now = timezone.now()
            OutcomeReport.objects.bulk_create(
                OutcomeReport(
                    session=session,
                    status=OutcomeReport.Status.PUBLISHED,
                    summary=sentence(rng, 40),
                    topics=", ".join(rng.sample(WORDS, 3)),
                    snapshot=snapshot_for(rng, session.title, session.description),
                    published_at=now - dt.timedelta(minutes=s),
                )
                for s, session in enumerate(sessions)
            )
            made.append(event)
        for report in OutcomeReport.objects.select_related("session"):
            report_search_index(report=report)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"event": made[len(made) // 2].slug, "theme": themes[0].slug, "from": made[len(made) // 2].date}


def scenarios(picks: dict) -> list[tuple[str, dict]]:
    cases = [("no search, page 1", {}), ("no search, page 5", {"pagina": "5"})]
    for term in SEARCHES:
        cases.append((f"'{term}'", {"q": term}))
    cases += [
        ("'vereenvoudigen' page 5", {"q": "vereenvoudigen", "pagina": "5"}),
        ("'toeslagen' + event", {"q": "toeslagen", "event": picks["event"]}),
        ("'gegevens delen' + theme", {"q": "gegevens delen", "thema": picks["theme"]}),
        (
            "'arbeidsmarkt' + theme + dates",
            {"q": "arbeidsmarkt", "thema": picks["theme"], "van": str(picks["from"])},
        ),
        ("theme + kind, page 5", {"thema": picks["theme"], "soort": "trialoog", "pagina": "5"}),
        (
            "'menselijke maat' + org, page 5",
            {"q": "menselijke maat", "organisatie": "organisatie-2", "pagina": "5"},
        ),
    ]
    return cases


def found_count(params: dict) -> int:
    """How many reports a request finds, asked apart from the timed requests."""
    from reports.forms import KennisbankSearchForm
    from reports.kennisbank import kennisbank_choices, report_list_published

    form = KennisbankSearchForm(params, choices=kennisbank_choices())
    form.is_valid()
    return report_list_published(filters=form.filters()).count()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--events", type=int, default=20)
    parser.add_argument("--per-event", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    server = setup_django()
    try:
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        from events.public_cache import _page_cache

        started = time.perf_counter()
        picks = seed(events=args.events, per_event=args.per_event)
        print(
            f"seeded {args.events} events x {args.per_event} = {args.events * args.per_event:,} published "
            f"reports in {time.perf_counter() - started:.1f} s (PostgreSQL {connection.pg_version // 10000})"
        )
        client = Client()
        cases = scenarios(picks)
        for _label, params in cases:  # warm up: templates, connections, the planner's caches
            client.get("/kennisbank/", params)
        timings: dict[str, list[float]] = {label: [] for label, _ in cases}
        counts: dict[str, int] = {}
        for _round in range(args.rounds):
            for label, params in cases:
                _page_cache().clear()
                with CaptureQueriesContext(connection) as queries:
                    t0 = time.perf_counter()
                    response = client.get("/kennisbank/", params)
                    timings[label].append((time.perf_counter() - t0) * 1000)
                assert response.status_code == 200, (label, response.status_code)
                counts[label] = len(queries.captured_queries)
        print(f"\n{'request':<34} {'p50':>7} {'p95':>7} {'max':>7}  queries  found")
        for label, values in timings.items():
            queries, found = counts[label], found_count(dict(cases)[label])
            print(
                f"{label:<34} {statistics.median(values):6.1f}  {percentile(values, 0.95):6.1f}  "
                f"{max(values):6.1f}  {queries:7d}  {found:5d}"
            )
        every = [v for values in timings.values() for v in values]
        print(
            f"{'all ' + str(len(every)) + ' requests (ms)':<34} {statistics.median(every):6.1f}  "
            f"{percentile(every, 0.95):6.1f}  {max(every):6.1f}"
        )
        from reports.kennisbank import KennisbankFilters, report_list_published

        plan = report_list_published(filters=KennisbankFilters(query="vereenvoudigen"))[:20].explain()
        print("\nplan of a search:\n" + plan)
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
