"""
Outcome reports, the public kennisbank and the organiser dashboard with its exports.

Pages that are not for this person answer 404, so they do not reveal
themselves. Every POST calls one service, adds a message and redirects.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.services import audit_log
from events.models import Event, Session
from events.permissions import Right, can, is_event_team
from events.public_cache import cache_public_page
from events.selectors import event_get_current
from reports import exports, permissions, selectors, services
from reports import kennisbank as kennisbank_selectors
from reports import my_sessions as my_sessions_selectors
from reports.feeds import KennisbankFeed
from reports.forms import ApproveForm, KennisbankSearchForm
from reports.models import OutcomeReport
from reports.renderers.html import report_html
from reports.renderers.jsonfile import report_json
from reports.renderers.markdown import report_markdown
from reports.renderers.pdf import report_pdf
from reports.renderers.tables import csv_bytes, ods_bytes, report_tables, xlsx_bytes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
CSV = "text/csv; charset=utf-8"


def _download(content: bytes | str, content_type: str, filename: str, inline: bool = False) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{filename}"'
    return response


def _session_for_viewer(request, pk: int) -> tuple[Session, OutcomeReport | None]:
    session = get_object_or_404(Session.objects.select_related("event", "room"), pk=pk)
    report = selectors.report_get(session=session)
    if not permissions.can_view(request.user, report, session):
        raise Http404
    return session, report


# --- the report --------------------------------------------------------------


@require_GET
@never_cache
def report_detail(request, pk: int):
    session, report = _session_for_viewer(request, pk)
    if not permissions.can_view_draft(request.user, session):
        return redirect("reports:kennisbank_detail", pk=report.pk)
    document = selectors.report_document(session=session)
    initial = {"summary": report.summary, "topics": report.topics} if report else {}
    return render(
        request,
        "reports/report.html",
        {
            "session": session,
            "report": document,
            "row": report,
            "approve_form": ApproveForm(initial=initial),
            "can_approve": permissions.can_approve(request.user, session),
            "can_publish": permissions.can_publish(request.user, session),
            "table_names": [t.name for t in report_tables(document)],
        },
    )


REPORT_FORMATS = {
    "json": ("application/json; charset=utf-8", lambda d: report_json(d), True),
    "md": ("text/markdown; charset=utf-8", lambda d: report_markdown(d).encode("utf-8"), False),
    "html": ("text/html; charset=utf-8", lambda d: report_html(d).encode("utf-8"), False),
    "pdf": ("application/pdf", report_pdf, False),
    "xlsx": (XLSX, lambda d: xlsx_bytes(report_tables(d)), False),
    "ods": (ODS, lambda d: ods_bytes(report_tables(d)), False),
}


@require_GET
@never_cache
def report_download(request, pk: int, fmt: str):
    """The report in one format: verslag.json, .md, .html, .pdf, or its tables as .xlsx/.ods."""
    if fmt not in REPORT_FORMATS:
        raise Http404
    session, _report = _session_for_viewer(request, pk)
    content_type, render_document, inline = REPORT_FORMATS[fmt]
    document = selectors.report_document(session=session)
    stem = "verslag" if fmt in ("json", "md", "html", "pdf") else "tabellen"
    return _download(render_document(document), content_type, f"{stem}-{session.pk}.{fmt}", inline=inline)


@require_GET
@never_cache
def report_table_csv(request, pk: int, table: str):
    session, _report = _session_for_viewer(request, pk)
    document = selectors.report_document(session=session)
    found = {t.name: t for t in report_tables(document)}.get(table)
    if found is None:
        raise Http404
    return _download(csv_bytes(found), CSV, f"{table}-{session.pk}.csv")


def _workflow(request, pk: int, action):
    session = get_object_or_404(Session, pk=pk)
    if not permissions.can_view_draft(request.user, session):
        raise Http404
    try:
        message = action(session)
    except PermissionDenied:
        messages.error(request, _("U mag dit niet doen."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, message)
    return redirect("reports:report_detail", pk=session.pk)


@require_POST
def report_approve(request, pk: int):
    form = ApproveForm(request.POST)

    def approve(session):
        if not form.is_valid():
            raise ValidationError(_("Controleer de samenvatting en de onderwerpen."))
        services.report_approve(session=session, user=request.user, **form.cleaned_data)
        return _("Het verslag is goedgekeurd.")

    return _workflow(request, pk, approve)


@require_POST
def report_publish(request, pk: int):
    def publish(session):
        services.report_publish(session=session, user=request.user)
        return _("Het verslag staat nu in de kennisbank.")

    return _workflow(request, pk, publish)


@require_POST
def report_unpublish(request, pk: int):
    def unpublish(session):
        services.report_unpublish(session=session, user=request.user)
        return _("Het verslag is uit de kennisbank gehaald.")

    return _workflow(request, pk, unpublish)


# --- kennisbank ----------------------------------------------------------------


KENNISBANK_PAGE_SIZE = 20


@require_GET
@cache_public_page()
def kennisbank(request):
    """Published outcomes of every event: filters and Dutch full-text search in the query string, 20 a page."""
    form = KennisbankSearchForm(request.GET, choices=kennisbank_selectors.kennisbank_choices())
    form.is_valid()
    filters = form.filters()
    reports = kennisbank_selectors.report_list_published(filters=filters)
    page = Paginator(reports, KENNISBANK_PAGE_SIZE).get_page(request.GET.get("pagina"))
    return render(
        request,
        "reports/kennisbank.html",
        {
            "form": form,
            "filters": filters,
            "page": page,
            "reports": page.object_list,
            "query": form.query_string(),
            "active_filters": form.active_filters(),
            "full_text": kennisbank_selectors.uses_full_text_search(),
        },
    )


@require_GET
@cache_public_page()
def kennisbank_detail(request, pk: int):
    row = kennisbank_selectors.report_get_published(pk=pk)
    if row is None:
        raise Http404
    document = selectors.report_with_status(content=row.snapshot, row=row)
    return render(
        request,
        "reports/kennisbank_detail.html",
        {
            "row": row,
            "session": row.session,
            "report": document,
            "table_names": [t.name for t in report_tables(document)],
        },
    )


kennisbank_feed = require_GET(cache_public_page(everyone=True)(KennisbankFeed()))


@require_GET
@never_cache
@login_required
def my_sessions(request):
    """Every session, in every event, that this person moderates or reports on, grouped by event."""
    return render(
        request,
        "reports/my_sessions.html",
        {"groups": my_sessions_selectors.session_groups_for_team_member(user=request.user)},
    )


# --- organiser dashboard and exports -------------------------------------------------


def _event(request, event_slug: str, right: str | None = None) -> Event:
    """The event of the URL when this person holds `right` in it (any right, when None); else 404."""
    event = get_object_or_404(Event, slug=event_slug)
    if not (can(request.user, right, event) if right else is_event_team(request.user, event)):
        raise Http404
    return event


@require_GET
def legacy_redirect(request, to: str, **kwargs):
    """An address from before events had their own pages: to the same page of the current event."""
    event = event_get_current()
    if event is None:
        raise Http404
    query = request.META.get("QUERY_STRING", "")
    return redirect(reverse(to, kwargs={"event_slug": event.slug, **kwargs}) + (f"?{query}" if query else ""))


@require_GET
@never_cache
def dashboard(request, event_slug: str):
    event = _event(request, event_slug)
    sessions = selectors.dashboard_sessions(event=event)
    reports = {r.session_id: r for r in OutcomeReport.objects.filter(session__event=event)}
    for row in sessions:
        row["report"] = reports.get(row["id"])
    return render(
        request,
        "reports/dashboard.html",
        {
            "event": event,
            "registrations": selectors.dashboard_registrations(event=event),
            "sessions": sessions,
            "live": selectors.dashboard_live(event=event),
            "now": timezone.now(),
            "can_export_registrations": can(request.user, Right.REGISTRATIONS, event),
            "can_export_reports": can(request.user, Right.REPORTS, event),
        },
    )


@require_GET
@never_cache
def dashboard_live(request, event_slug: str):
    """Live activity per room as JSON, for dashboard.js to refresh the page without reloading it."""
    event = _event(request, event_slug)
    return JsonResponse({"rooms": selectors.dashboard_live(event=event), "at": timezone.now().isoformat()})


TABLE_WRITERS = {
    "csv": (CSV, lambda table: csv_bytes(table)),
    "xlsx": (XLSX, lambda table: xlsx_bytes([table])),
    "ods": (ODS, lambda table: ods_bytes([table])),
}


@require_GET
@never_cache
def export_registrations(request, event_slug: str, fmt: str):
    """The registrations; diet and access needs only for a team that may see health data."""
    event = _event(request, event_slug, Right.REGISTRATIONS)
    if fmt not in TABLE_WRITERS:
        raise Http404
    with_health = can(request.user, Right.HEALTH_DATA, event)
    content_type, write = TABLE_WRITERS[fmt]
    audit_log(
        actor=request.user,
        action="export.registrations",
        detail={"event": event.pk, "format": fmt, "health_data": with_health},
    )
    table = exports.registrations_table(event=event, with_health_data=with_health)
    return _download(write(table), content_type, f"aanmeldingen-{event.acronym}.{fmt}")


@require_GET
@never_cache
def export_programme(request, event_slug: str):
    event = _event(request, event_slug)
    return _download(csv_bytes(exports.programme_table(event=event)), CSV, f"programma-{event.acronym}.csv")


@require_GET
@never_cache
def export_event_zip(request, event_slug: str):
    event = _event(request, event_slug, Right.REPORTS)
    audit_log(actor=request.user, action="export.event_zip", detail={"event": event.pk})
    response = StreamingHttpResponse(exports.event_zip_stream(event=event), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{event.acronym}-verslagen.zip"'
    return response
