import django.contrib.postgres.search
from django.db import migrations

INDEX = "reports_outcomereport_search_gin"


def index_published_reports(apps, schema_editor):
    """On PostgreSQL: a GIN index on the vector of published reports, and the vector of those already published."""
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite: the kennisbank searches with icontains and needs neither
    from reports.kennisbank import report_search_vector

    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON reports_outcomereport USING gin (search_vector) "
        "WHERE status = 'published'"
    )
    OutcomeReport = apps.get_model("reports", "OutcomeReport")
    for report in OutcomeReport.objects.filter(status="published").select_related("session"):
        OutcomeReport.objects.filter(pk=report.pk).update(search_vector=report_search_vector(report=report))


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="outcomereport",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(index_published_reports, drop_index),
    ]
