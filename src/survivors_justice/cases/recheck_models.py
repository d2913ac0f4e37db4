"""Decided cases to look at again after a charge-catalog correction.

Imported by ``cases/models.py`` so Django registers the model with the ``cases`` app. The arrest
data below (``arrests.models``) knows nothing of cases; ``sj import resolve`` writes these rows
from above both.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class CaseRecheck(models.Model):
    """A decided case whose policy recommendation changed when its charges were read again by a
    corrected catalog (``sj import resolve``).

    The charging decision stands as the person made it; the refreshed recommendation is a new
    screening (``screening.PolicyDecision``), and this row asks a person to look at the case.
    It stays open until someone whose role may decide cases marks it reviewed with a note
    (``cases.rechecks.mark_reviewed``).
    """

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    decision = models.ForeignKey(
        "cases.ChargingDecision", on_delete=models.PROTECT, related_name="+",
        help_text="the charging decision in force when the recommendation changed",
    )
    catalog = models.ForeignKey(
        "arrests.CatalogVersion", on_delete=models.PROTECT, related_name="+"
    )
    decided_priority = models.CharField(max_length=30, help_text="recommended when decided")
    recommended_priority = models.CharField(max_length=30, help_text="recommended now")
    decided_outcomes = models.JSONField(help_text="per charge, as recommended when decided")
    recommended_outcomes = models.JSONField(help_text="per charge, as recommended now")
    flagged_at = models.DateTimeField()
    # Who looked at the case again, when, and what they noted (open while reviewed_at is null).
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True, default="")

    class Meta:
        db_table = "arrests_caserecheck"  # first created by the arrests app; the table stays
        constraints = [
            models.UniqueConstraint(
                fields=["case", "catalog"], name="case_recheck_once_per_catalog"
            )
        ]

    @property
    def is_open(self) -> bool:
        return self.reviewed_at is None

    def __str__(self) -> str:
        return (
            f"re-check case {self.case_id}: {self.decided_priority} -> "
            f"{self.recommended_priority}"
        )
