"""People and the cases the office opens from arrests."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from survivors_justice.cases.flows import CaseState
from survivors_justice.fields import PersonalTextField


class SelfReported(models.TextChoices):
    NOT_RECORDED = "not_recorded", "Not recorded"
    DECLINED = "declined", "Declined to say"


class Person(models.Model):
    """A defendant or survivor. Personal fields are marked and encrypted at rest.

    Sexual orientation and gender identity are kept only as the person reported them; "not
    recorded" is a value of its own and is never imputed.
    """

    given_name = PersonalTextField()
    family_name = PersonalTextField()
    date_of_birth = PersonalTextField(help_text="ISO date, as the person gave it")
    address = PersonalTextField()
    phone = PersonalTextField()
    email = PersonalTextField()
    narrative = PersonalTextField()
    sexual_orientation = models.CharField(
        max_length=40, default=SelfReported.NOT_RECORDED, help_text="self-reported only"
    )
    gender_identity = models.CharField(
        max_length=40, default=SelfReported.NOT_RECORDED, help_text="self-reported only"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"person {self.pk}"


class Case(models.Model):
    """A case opened from an arrest: one defendant, the arrest's charges."""

    number = models.CharField(max_length=30, unique=True)
    arrest = models.OneToOneField("arrests.Arrest", on_delete=models.PROTECT, related_name="case")
    defendant = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="cases")
    state = models.CharField(
        max_length=30, choices=CaseState.choices, default=CaseState.INTAKE, db_index=True
    )
    opened_at = models.DateTimeField(db_index=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The current answers the policy reads ({fact key: value}, known answers only) and the case's
    # charges after intake amendments ([[position, law code], ...]; null: the arrest's charges).
    # Written only by cases/facts.py, with the CaseFact/ChargeAmendment rows that explain them.
    known_facts = models.JSONField(default=dict, blank=True)
    amended_charges = models.JSONField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["state", "opened_at"])]

    def __str__(self) -> str:
        return self.number


# Charging decisions, overrides and API tokens live in their own module (cases/decision_models.py);
# importing them here registers them with the cases app.
from survivors_justice.cases.decision_models import (  # noqa: E402  (registration import)
    ApiToken,
    ChargingDecision,
    DecisionKind,
    DecisionStatus,
    OverrideReason,
)
from survivors_justice.cases.fact_models import (  # noqa: E402  (registration import)
    AmendmentAction,
    CaseFact,
    ChargeAmendment,
    FactAnswer,
    FactSource,
)
from survivors_justice.cases.followup_models import (  # noqa: E402  (registration import)
    FollowUpKind,
    FollowUpState,
    FollowUpTask,
)
from survivors_justice.cases.recheck_models import CaseRecheck  # noqa: E402  (registration)

__all__ = [
    "AmendmentAction",
    "ApiToken",
    "Case",
    "CaseFact",
    "CaseRecheck",
    "ChargeAmendment",
    "ChargingDecision",
    "DecisionKind",
    "DecisionStatus",
    "FactAnswer",
    "FactSource",
    "FollowUpKind",
    "FollowUpState",
    "FollowUpTask",
    "OverrideReason",
    "Person",
    "SelfReported",
]
