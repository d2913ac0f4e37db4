"""Follow-up tasks: what the policy asks the office to do for a person after screening.

Imported by ``cases/models.py`` so Django registers it with the ``cases`` app. States move only
through ``cases/followups.py``'s transition table.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class FollowUpKind(models.TextChoices):
    REFER_TO_ADVOCATE = "refer_to_advocate", "Refer the person to a victim advocate"
    OPEN_TRAFFICKING_LEAD = "open_trafficking_lead", "Open a trafficking lead"


class FollowUpState(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


OPEN_STATES = (FollowUpState.OPEN, FollowUpState.IN_PROGRESS)


class FollowUpTask(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="followups")
    kind = models.CharField(max_length=30, choices=FollowUpKind.choices)
    owner_role = models.CharField(max_length=32, db_index=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    due_date = models.DateField(db_index=True)
    state = models.CharField(
        max_length=20, choices=FollowUpState.choices, default=FollowUpState.OPEN
    )
    rule = models.CharField(max_length=100, help_text="the policy follow-up (or rule) id")
    reason = models.TextField(blank=True, default="", help_text="why the policy asks for it")
    cites = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True, default="", help_text="what was done (no narrative)")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind"],
                condition=Q(state__in=["open", "in_progress"]),
                name="followup_one_open_per_case_kind",
            )
        ]
        indexes = [models.Index(fields=["owner_role", "state", "due_date"], name="followup_queue")]

    def __str__(self) -> str:
        return f"{self.kind} for case {self.case_id} ({self.state})"
