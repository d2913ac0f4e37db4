"""Charging decisions (with their overrides) and API tokens.

Imported by ``cases/models.py`` so Django registers them with the ``cases`` app.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from survivors_justice.accounts.roles import Role
from survivors_justice.fields import PersonalTextField


class DecisionKind(models.TextChoices):
    ACCEPT = "accept", "Accepted the recommendation"
    OVERRIDE = "override", "Overrode the recommendation"
    SUPERVISOR = "supervisor", "Decided by a supervisor instead of the review panel"


class DecisionStatus(models.TextChoices):
    FINAL = "final", "Final"
    PENDING = "pending", "Waiting for a supervisor"
    APPROVED = "approved", "Override approved by a supervisor"
    REFUSED = "refused", "Override refused by a supervisor"
    REOPENED = "reopened", "Reopened by a supervisor"


class OverrideReason(models.TextChoices):
    CHARGE_MISRECORDED = "charge_misrecorded", "The charge recorded does not match the conduct"
    FACTS_NOT_IN_POLICY = "facts_not_in_policy", "Facts the policy did not have change the outcome"
    VICTIM_SAFETY = "victim_safety", "The safety of a victim or of the public"
    INTERESTS_OF_JUSTICE = "interests_of_justice", "In the interests of justice"
    OTHER = "other", "Other (explain below)"


class ChargingDecision(models.Model):
    """An intake prosecutor's decision on a case: the recommendation accepted, or overridden.

    ``recommendation`` is the policy engine's decision (``Decision.to_json()``) exactly as the
    prosecutor saw it, so the decision can be replayed; ``outcomes`` maps each charge position to
    the outcome decided. An override that prosecutes a charge the policy declines (a person who
    sold sex) is ``pending`` until a supervisor approves or refuses it.
    """

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="decisions")
    kind = models.CharField(max_length=10, choices=DecisionKind.choices)
    status = models.CharField(max_length=10, choices=DecisionStatus.choices, db_index=True)
    policy_id = models.CharField(max_length=100)
    policy_version = models.CharField(max_length=40)
    recommended_priority = models.CharField(max_length=30)
    recommendation = models.JSONField()
    outcomes = models.JSONField(help_text="charge position -> outcome decided")
    priority = models.BooleanField(
        default=False, help_text="the outcomes in force prosecute a charge with priority"
    )
    declines_overridden = models.BooleanField(
        default=False, help_text="the override prosecutes a charge the policy declines"
    )
    seller_case = models.BooleanField(
        default=False, help_text="the policy declined at least one charge (a selling-sex case)"
    )
    reason_category = models.CharField(max_length=30, choices=OverrideReason.choices, blank=True)
    reason_text = PersonalTextField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = PersonalTextField()
    # A supervisor reopened the decision (the case goes back to intake), with the reason.
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopen_reason = PersonalTextField()

    class Meta:
        indexes = [
            models.Index(fields=["status", "decided_at"]),
            models.Index(fields=["decided_by", "decided_at"], name="decision_by_decider"),
        ]

    def __str__(self) -> str:
        return f"decision {self.pk} on case {self.case_id} ({self.kind}, {self.status})"


class ApiToken(models.Model):
    """A bearer token for a machine client, scoped to one role, revocable. Only a hash is kept."""

    name = models.CharField(max_length=100, unique=True)
    role = models.CharField(max_length=32, choices=Role.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="the accountable person; decisions made with the token are recorded as theirs",
    )
    prefix = models.CharField(max_length=12, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"token {self.name} ({self.role})"
