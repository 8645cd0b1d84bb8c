from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("verslag/sessie/<int:pk>/", views.report_detail, name="report_detail"),
    path("verslag/sessie/<int:pk>/verslag.<str:fmt>", views.report_download, name="report_download"),
    path("verslag/sessie/<int:pk>/tabel/<str:table>.csv", views.report_table_csv, name="report_table_csv"),
    path("verslag/sessie/<int:pk>/goedkeuren/", views.report_approve, name="report_approve"),
    path("verslag/sessie/<int:pk>/publiceren/", views.report_publish, name="report_publish"),
    path("verslag/sessie/<int:pk>/offline/", views.report_unpublish, name="report_unpublish"),
    path("kennisbank/", views.kennisbank, name="kennisbank"),
    path("kennisbank/feed.atom", views.kennisbank_feed, name="kennisbank_feed"),
    path("kennisbank/<int:pk>/", views.kennisbank_detail, name="kennisbank_detail"),
    path("mijn-sessies/", views.my_sessions, name="my_sessions"),
    # An event's dashboard and exports, in its back-office.
    path("<slug:event_slug>/organisator/dashboard/", views.dashboard, name="dashboard"),
    path("<slug:event_slug>/organisator/dashboard/live.json", views.dashboard_live, name="dashboard_live"),
    path(
        "<slug:event_slug>/organisator/export/aanmeldingen.<str:fmt>",
        views.export_registrations,
        name="export_registrations",
    ),
    path(
        "<slug:event_slug>/organisator/export/programma.csv", views.export_programme, name="export_programme"
    ),
    path(
        "<slug:event_slug>/organisator/export/evenement.zip", views.export_event_zip, name="export_event_zip"
    ),
    # The old addresses, for one release: to the current event's.
    path(
        "organisator/dashboard/", views.legacy_redirect, {"to": "reports:dashboard"}, name="legacy_dashboard"
    ),
    path(
        "organisator/dashboard/live.json",
        views.legacy_redirect,
        {"to": "reports:dashboard_live"},
        name="legacy_dashboard_live",
    ),
    path(
        "organisator/export/aanmeldingen.<str:fmt>",
        views.legacy_redirect,
        {"to": "reports:export_registrations"},
        name="legacy_export_registrations",
    ),
    path(
        "organisator/export/programma.csv",
        views.legacy_redirect,
        {"to": "reports:export_programme"},
        name="legacy_export_programme",
    ),
    path(
        "organisator/export/evenement.zip",
        views.legacy_redirect,
        {"to": "reports:export_event_zip"},
        name="legacy_export_event_zip",
    ),
]
