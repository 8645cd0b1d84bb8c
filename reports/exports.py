"""
Organiser exports: registrations, the programme, and the event-wide ZIP.

Registrations carry only the fields organisers need on the day. Diet and
access needs appear only for people who consented to them; after
`personal_data_purge` the fields are empty, so they cannot reappear.
"""

import io
import zipfile
from collections.abc import Iterator

from django.contrib.staticfiles import finders

from events.models import Event, Registration, Session, SessionSignup
from events.selectors import session_list_for_programme
from reports import selectors
from reports.renderers.html import report_html
from reports.renderers.jsonfile import report_json
from reports.renderers.markdown import report_markdown
from reports.renderers.pdf import report_pdf
from reports.renderers.tables import Table, csv_bytes, ods_bytes, report_tables, xlsx_bytes

REGISTRATION_HEADERS = [
    "naam",
    "e-mailadres",
    "organisatie",
    "functie",
    "perspectief",
    "kamerlid",
    "aangemeld_op",
    "sessies",
    "toestemming_fotos",
    "toestemming_contact",
    "dieetwensen",
    "toegankelijkheid",
]


def registrations_table(*, event: Event, with_health_data: bool = True) -> Table:
    """
    Active registrations of the event with their confirmed sessions (two queries).

    Diet and access needs (health data) only `with_health_data`, and only for
    people who consented; without it those columns are left out.
    """
    confirmed = SessionSignup.objects.filter(
        session__event=event, status=SessionSignup.Status.CONFIRMED
    ).select_related("session")
    registrations = (
        Registration.objects.filter(event=event, status=Registration.Status.REGISTERED)
        .select_related("user")
        .order_by("user__name", "user__email")
    )
    users = [r.user_id for r in registrations]
    sessions_by_user: dict[int, list[str]] = {}
    for signup in confirmed.filter(user_id__in=users).order_by("session__starts_at"):
        sessions_by_user.setdefault(signup.user_id, []).append(signup.session.title)
    rows = []
    for registration in registrations:
        user = registration.user
        consented = user.consent_needs
        rows.append(
            [
                user.name,
                user.email,
                user.organisation,
                user.function,
                user.perspective,
                user.is_kamerlid,
                registration.created_at.astimezone(event.tz).strftime("%Y-%m-%d %H:%M"),
                "; ".join(sessions_by_user.get(user.pk, [])),
                user.consent_photos,
                user.consent_contact,
                user.diet if consented else "",
                user.access_needs if consented else "",
            ]
        )
    if not with_health_data:
        return Table("aanmeldingen", REGISTRATION_HEADERS[:-2], [row[:-2] for row in rows])
    return Table("aanmeldingen", REGISTRATION_HEADERS, rows)


def programme_table(*, event: Event) -> Table:
    """The programme with seats and fill, one row per session (one query)."""
    sessions = session_list_for_programme(event=event)
    tz = event.tz
    rows = [
        [
            s.pk,
            s.title,
            s.get_kind_display(),
            s.starts_at.astimezone(tz).date().isoformat(),
            s.starts_at.astimezone(tz).strftime("%H:%M"),
            s.ends_at.astimezone(tz).strftime("%H:%M"),
            s.room.name,
            s.host_organisation,
            s.seat_capacity,
            s.confirmed_count,
            s.waitlist_count,
            s.chatham_house,
        ]
        for s in sessions
    ]
    return Table(
        "programma",
        [
            "id",
            "titel",
            "soort",
            "datum",
            "begin",
            "einde",
            "zaal",
            "organisatie",
            "plaatsen",
            "bevestigd",
            "wachtlijst",
            "chatham_house",
        ],
        rows,
    )


def statistics_table(*, event: Event) -> Table:
    """Aggregate statistics of the event: registrations per perspective, then per session."""
    registrations = selectors.dashboard_registrations(event=event)
    rows = [["aanmeldingen", p, n] for p, n in registrations["by_perspective"].items()]
    rows.append(["aanmeldingen", "totaal", registrations["total"]])
    for session in selectors.dashboard_sessions(event=event):
        rows.append([f"sessie {session['id']}: bevestigd", session["title"], session["confirmed"]])
        rows.append([f"sessie {session['id']}: wachtlijst", session["title"], session["waitlisted"]])
    return Table("statistieken", ["onderwerp", "uitsplitsing", "aantal"], rows)


def report_files(document: dict, stem: str) -> Iterator[tuple[str, bytes]]:
    """Every format of one report, as (file name, content) pairs."""
    tables = report_tables(document)
    yield f"{stem}/verslag.json", report_json(document)
    yield f"{stem}/verslag.md", report_markdown(document).encode("utf-8")
    yield f"{stem}/verslag.html", report_html(document).encode("utf-8")
    yield f"{stem}/verslag.pdf", report_pdf(document)
    yield f"{stem}/tabellen.xlsx", xlsx_bytes(tables)
    yield f"{stem}/tabellen.ods", ods_bytes(tables)
    for table in tables:
        yield f"{stem}/{table.name}.csv", csv_bytes(table)


class _Sink(io.RawIOBase):
    """A write-only, unseekable stream whose written bytes are taken out in chunks."""

    def __init__(self):
        self.chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.chunks.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data = b"".join(self.chunks)
        self.chunks.clear()
        return data


def event_zip_stream(*, event: Event) -> Iterator[bytes]:
    """
    Yield a ZIP of the whole event, chunk by chunk, one session's report at a time.

    Holds at most one session's files in memory, never the whole archive:
    zipfile writes to an unseekable stream with data descriptors. Contains
    the programme, registration statistics and every session's report in
    every format (the approved snapshot where there is one).
    """
    sink = _Sink()
    with zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_DEFLATED) as archive:
        programme = programme_table(event=event)
        archive.writestr("programma.csv", csv_bytes(programme))
        statistics = statistics_table(event=event)
        archive.writestr("statistieken.csv", csv_bytes(statistics))
        archive.writestr("statistieken.ods", ods_bytes([programme, statistics]))
        css = finders.find("css/report.css")
        if css:
            with open(css, "rb") as handle:
                archive.writestr("verslagen/report.css", handle.read())
        yield sink.take()
        for session in Session.objects.filter(event=event).order_by("starts_at", "pk"):
            document = selectors.report_document(session=session)
            for name, content in report_files(document, f"verslagen/{session.pk:04d}"):
                archive.writestr(name, content)
                yield sink.take()
    yield sink.take()
