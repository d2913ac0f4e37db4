"""Facts with provenance, and charge amendments: what a person told the office about a case.

Imported by ``cases/models.py`` so Django registers them with the ``cases`` app. Every answer is
kept; the newest answer to a question is the current one (``current``). ``Case.known_facts`` and
``Case.amended_charges`` hold the current state for the policy (written only by
``cases/facts.py`` in the same transaction as these rows).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from survivors_justice.fields import PersonalTextField


class FactAnswer(models.TextChoices):
    KNOWN = "known", "Known"
    UNKNOWN = "unknown", "Unknown"
    PREFER_NOT_TO_SAY = "prefer_not_to_say", "Prefer not to say"


class FactSource(models.TextChoices):
    POLICE_REPORT = "police_report", "Police report"
    INTERVIEW = "interview", "Interview"
    SCREENING_INSTRUMENT = "screening_instrument", "Screening instrument"
    PANEL_DETERMINATION = "panel_determination", "Review panel determination"
    OTHER = "other", "Other"


class CaseFact(models.Model):
    """One answer to one question about a case: who gave it, when, from what."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="facts")
    fact = models.CharField(max_length=60, help_text="dotted key, e.g. indicators.force")
    value = models.JSONField(null=True, blank=True, help_text="null unless the answer is known")
    answer = models.CharField(max_length=20, choices=FactAnswer.choices)
    source = models.CharField(max_length=30, choices=FactSource.choices)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    given_at = models.DateTimeField()
    note = PersonalTextField()
    current = models.BooleanField(default=True, help_text="the newest answer to this question")

    class Meta:
        indexes = [models.Index(fields=["case", "fact", "current"], name="case_fact_current")]

    def __str__(self) -> str:
        return f"{self.fact}={self.value!r} ({self.answer}) on case {self.case_id}"


class AmendmentAction(models.TextChoices):
    ADD = "add", "Add a charge"
    REPLACE = "replace", "Replace a charge"
    REMOVE = "remove", "Remove a charge"


class ChargeAmendment(models.Model):
    """A charge added, replaced or removed at intake, with the reason (the arrest stays as
    recorded; ``Case.amended_charges`` is the case's charge list after every amendment)."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="amendments")
    action = models.CharField(max_length=10, choices=AmendmentAction.choices)
    position = models.PositiveSmallIntegerField()
    law_code = models.CharField(max_length=20, blank=True, help_text="the charge after")
    previous_law_code = models.CharField(max_length=20, blank=True, help_text="the charge before")
    reason = PersonalTextField()
    amended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    amended_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.action} charge {self.position} on case {self.case_id}"
