"""The policy engine's decision on each imported case, stored so it can be shown and replayed."""

from __future__ import annotations

from django.db import models


class PolicyVersion(models.Model):
    """The exact text of a policy document that decided at least one stored case.

    Replay re-reads this text, so a past decision can be reproduced even after the shipped
    document was edited or removed, and an edit made without a new version number is noticed
    (same id and version, another digest).
    """

    policy_id = models.CharField(max_length=100)
    version = models.CharField(max_length=40)
    sha256 = models.CharField(max_length=64)
    text = models.TextField()
    first_stored_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["policy_id", "version", "sha256"], name="policy_version_unique_text"
            )
        ]

    def __str__(self) -> str:
        return f"{self.policy_id} v{self.version} ({self.sha256[:12]})"


class PolicyDecision(models.Model):
    """One screening of a case by one version of a policy document.

    ``facts`` are the facts the engine was given (the JSON contract of DESIGN.md: law codes,
    dates, the NYPD age group; no names), so the decision can be replayed under the same or
    another policy version. ``decision`` is ``Decision.to_dict()`` exactly as computed.
    A case may be screened many times (a new policy version, new facts); the latest counts.
    """

    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="policy_decisions"
    )
    policy_id = models.CharField(max_length=100)
    policy_version = models.CharField(max_length=40)
    document = models.ForeignKey(
        PolicyVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="decisions"
    )
    # The charge catalog the policy read the charges with (null: screened before catalogs were
    # recorded). Replay reads its kept text; no index: only read through the decision row.
    catalog = models.ForeignKey(
        "arrests.CatalogVersion", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", db_index=False,
    )
    decision_date = models.DateField(null=True)
    case_priority = models.CharField(max_length=30, db_index=True)
    outcomes = models.JSONField(help_text="per charge: position, law code, role, outcome, rule")
    rules = models.JSONField(help_text="the deciding rule id of each charge, in charge order")
    missing_facts = models.JSONField(default=list)
    facts = models.JSONField(help_text="the facts evaluated (DESIGN.md contract)")
    decision = models.JSONField(help_text="Decision.to_dict(): rules read, values, citations")
    screened_at = models.DateTimeField(db_index=True)
    source = models.CharField(max_length=20, default="cli")

    class Meta:
        indexes = [
            models.Index(fields=["case", "-screened_at"]),
            models.Index(fields=["policy_id", "policy_version"]),
        ]

    def __str__(self) -> str:
        return (
            f"screening of case {self.case_id} by {self.policy_id} v{self.policy_version}: "
            f"{self.case_priority}"
        )
