from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _

from events.models import Session


class OutcomeReport(models.Model):
    """
    The workflow state of one session's outcome report.

    While a report is a draft its content is computed from the database on
    every request (`reports.selectors.report_build`). Approval freezes that
    content into `snapshot`, so the published report is exactly what the
    moderator approved, even if rows change afterwards; approving again
    (before publication) refreshes the snapshot.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Concept")
        APPROVED = "approved", _("Goedgekeurd")
        PUBLISHED = "published", _("Gepubliceerd")

    session = models.OneToOneField(Session, on_delete=models.CASCADE, related_name="outcome_report")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    summary = models.TextField(_("samenvatting"), max_length=2000, blank=True)
    topics = models.CharField(
        _("onderwerpen"), max_length=300, blank=True, help_text=_("Trefwoorden, gescheiden door komma's.")
    )
    snapshot = models.JSONField(null=True, blank=True, editable=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The kennisbank's Dutch full-text index of the published content, written by report_publish
    # (reports.kennisbank.report_search_index). PostgreSQL only: on SQLite it stays empty and the
    # kennisbank searches with icontains. A GIN index on it is made by migration 0004 on PostgreSQL.
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        verbose_name = _("uitkomstverslag")
        verbose_name_plural = _("uitkomstverslagen")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(snapshot__isnull=False),
                name="approved_report_has_snapshot",
            ),
        ]
        indexes = [models.Index(fields=["status", "published_at"])]

    def __str__(self):
        return str(self.session)

    @property
    def topic_list(self) -> list[str]:
        return [t.strip() for t in self.topics.split(",") if t.strip()]
