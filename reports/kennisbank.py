"""
Reads for the kennisbank: published outcomes from every event, filtered, searched and paged.

Search is PostgreSQL full-text search with the `dutch` configuration, so
"vereenvoudigen" finds "vereenvoudiging". Each published report carries its
own weighted `search_vector` (title and topics A, summary B, description C,
the report's notes, questions, polls and actions D), written once when it is
published, with a GIN index beside it: a search reads one indexed column
instead of parsing every report's text again. On SQLite (the demo's default)
the words are matched with `icontains` instead.

Every read here runs a fixed number of queries, whatever the number of
events and reports.
"""

import datetime as dt
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import F, Prefetch, Q, QuerySet, TextField, Value
from django.utils import timezone

from events.models import Event, Organisation, SessionKind, Theme
from reports.models import OutcomeReport

SEARCH_CONFIG = "dutch"
MAX_WORDS = 8  # of the SQLite fallback: each word is one more LIKE over four columns
MAX_BODY_CHARS = 200_000  # PostgreSQL's tsvector holds at most 1 MB; a huge session keeps its first texts


@dataclass(frozen=True)
class KennisbankFilters:
    """What a visitor asked for; empty fields filter nothing."""

    query: str = ""
    event: str = ""  # an Event slug
    organisation: str = ""  # an Organisation slug
    kind: str = ""  # a SessionKind
    theme: str = ""  # a Theme slug
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    @property
    def searching(self) -> bool:
        return bool(self.query.strip())

    @property
    def any(self) -> bool:
        return any(
            (
                self.searching,
                self.event,
                self.organisation,
                self.kind,
                self.theme,
                self.date_from,
                self.date_to,
            )
        )


def uses_full_text_search() -> bool:
    return connection.vendor == "postgresql"


# --- the search index ------------------------------------------------------------------


def _body_texts(snapshot: dict) -> str:
    """The texts of a report's content that a search may find: notes, questions, polls, actions; never names."""
    texts = [note.get("text", "") for note in snapshot.get("notes", [])]
    texts += [question.get("text", "") for question in snapshot.get("questions", {}).get("all", [])]
    for poll in snapshot.get("polls", []):
        texts.append(poll.get("text", ""))
        texts += [option.get("label", "") for option in poll.get("options", [])]
    texts += [action.get("what", "") for action in snapshot.get("actions", [])]
    texts += [phase.get("title", "") for phase in snapshot.get("phases", [])]
    return "\n".join(t for t in texts if t)[:MAX_BODY_CHARS]


def report_search_vector(*, report: OutcomeReport) -> SearchVector:
    """
    The weighted Dutch search vector of one report, from its frozen content (an expression; no query).

    The title and description come from the snapshot, so the index holds
    exactly what the published page shows. Reads only the report's fields
    and its session's title and description, so migrations can pass a
    historical model.
    """
    snapshot = report.snapshot or {}
    session = snapshot.get("session", {})
    title = session.get("title") or report.session.title
    description = session.get("description") or report.session.description

    def part(text: str, weight: str) -> SearchVector:
        return SearchVector(Value(text, output_field=TextField()), config=SEARCH_CONFIG, weight=weight)

    return (
        part(f"{title}\n{report.topics}", "A")
        + part(report.summary, "B")
        + part(description, "C")
        + part(_body_texts(snapshot), "D")
    )


def report_search_index(*, report: OutcomeReport) -> None:
    """
    Write the report's search vector (one UPDATE; PostgreSQL only).

    On other databases this does nothing: the kennisbank searches there with icontains.
    """
    if uses_full_text_search():
        OutcomeReport.objects.filter(pk=report.pk).update(search_vector=report_search_vector(report=report))


# --- the list ------------------------------------------------------------------------------


def _published() -> QuerySet[OutcomeReport]:
    return (
        OutcomeReport.objects.filter(status=OutcomeReport.Status.PUBLISHED)
        .select_related("session__event__organisation", "session__room")
        .prefetch_related(Prefetch("session__themes", queryset=Theme.objects.order_by("name")))
        .defer("snapshot", "search_vector")
    )


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _search(reports: QuerySet[OutcomeReport], text: str) -> QuerySet[OutcomeReport]:
    if uses_full_text_search():
        query = SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
        return reports.filter(search_vector=query).annotate(rank=SearchRank(F("search_vector"), query))
    for word in text.split()[:MAX_WORDS]:
        reports = reports.filter(
            Q(session__title__icontains=word)
            | Q(session__description__icontains=word)
            | Q(summary__icontains=word)
            | Q(topics__icontains=word)
        )
    return reports


def report_list_published(*, filters: KennisbankFilters = KennisbankFilters()) -> QuerySet[OutcomeReport]:
    """
    Published reports of every event that match the filters (a lazy queryset; changes nothing).

    Ordered by rank when searching (PostgreSQL), else by the session's start,
    newest first; the pk breaks ties so pages never overlap. Dates are the
    session's day in the site's time zone, both ends included. Evaluating it
    takes two queries (the reports, then their themes).
    """
    reports = _published()
    if filters.event:
        reports = reports.filter(session__event__slug=filters.event)
    if filters.organisation:
        reports = reports.filter(session__event__organisation__slug=filters.organisation)
    if filters.kind:
        reports = reports.filter(session__kind=filters.kind)
    if filters.theme:
        reports = reports.filter(session__themes__slug=filters.theme)
    if filters.date_from:
        reports = reports.filter(session__starts_at__gte=_day_start(filters.date_from))
    if filters.date_to:
        reports = reports.filter(session__starts_at__lt=_day_start(filters.date_to + dt.timedelta(days=1)))
    order = ("-session__starts_at", "session__title", "-pk")
    if filters.searching:
        reports = _search(reports, filters.query.strip())
        if uses_full_text_search():
            order = ("-rank", *order)
    return reports.order_by(*order)


def report_list_for_feed(*, filters: KennisbankFilters, limit: int = 50) -> list[OutcomeReport]:
    """The newest publications that match the filters, newest publication first (two queries)."""
    reports = report_list_published(filters=filters).order_by("-published_at", "-pk")
    return list(reports[:limit])


def report_get_published(*, pk: int) -> OutcomeReport | None:
    """A published report with its session, event, organisation and themes (two queries), or None."""
    return _published().defer(None).defer("search_vector").filter(pk=pk).first()


# --- the filter form's choices -------------------------------------------------------------


def kennisbank_choices() -> dict[str, list[tuple[str, str]]]:
    """
    The choices of the kennisbank's filters (three queries, whatever the number of events).

    Events whose programme is public, newest first (an unpublished edition
    stays unnamed); the organisations of those events; every theme.
    """
    events = list(
        Event.objects.filter(programme_published=True).order_by("-date", "name").values_list("slug", "name")
    )
    organisations = list(
        Organisation.objects.filter(events__programme_published=True)
        .distinct()
        .order_by("name")
        .values_list("slug", "name")
    )
    return {
        "event": events,
        "organisation": organisations,
        "kind": [(value, str(label)) for value, label in SessionKind.choices],
        "theme": list(Theme.objects.order_by("name").values_list("slug", "name")),
    }
