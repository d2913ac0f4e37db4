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

    Sexual orientation and gender identity are kept only as the person reported them (encrypted);
    "not recorded" (stored empty) is a value of its own and is never imputed.
    """

    given_name = PersonalTextField()
    family_name = PersonalTextField()
    date_of_birth = PersonalTextField(help_text="ISO date, as the person gave it")
    address = PersonalTextField()
    phone = PersonalTextField()
    email = PersonalTextField()
    narrative = PersonalTextField()
    # Encrypted like the other personal fields; empty means not recorded (SelfReported).
    sexual_orientation = PersonalTextField(help_text="self-reported only; empty: not recorded")
    gender_identity = PersonalTextField(help_text="self-reported only; empty: not recorded")
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
    known_facts = models.JSONField(null=True, blank=True, default=dict)  # null: none (raw inserts)
    amended_charges = models.JSONField(null=True, blank=True)
    # The policy's recommendation kept on the case for the queues' filters and sorts, written only
    # by cases/stored_recommendation.py (``store``): the case-level outcome, the policy and catalog
    # it was evaluated under ("id@version/policy digest/catalog digest") and the decision date it
    # holds for; the charge outcomes are rows of RecommendedOutcome. A row whose policy or date is
    # no longer the one in force is stale: the queue evaluates it again (docs/decisions.md).
    # Database defaults too: the importers insert cases with plain SQL.
    recommended_priority = models.CharField(max_length=30, blank=True, default="", db_default="")
    recommended_policy = models.CharField(max_length=120, blank=True, default="", db_default="")
    recommended_on = models.DateField(null=True, blank=True)
    # The CPL 30.30 readiness deadline (cases/clock.py) and whether the case is in the trafficking
    # prosecutors' queue (permissions.trafficking_queue_filter), kept by the same writer.
    readiness_deadline = models.DateField(null=True, blank=True)
    trafficking_queue = models.BooleanField(default=False, db_default=False)

    class Meta:
        indexes = [
            models.Index(fields=["state", "opened_at"]),
            models.Index(fields=["state", "recommended_priority"], name="cases_case_state_rec_idx"),
            # the queue's default order (CPL 30.30 deadline, then id), and which stored
            # recommendations are stale, per state
            models.Index(fields=["state", "readiness_deadline", "id"],
                         name="cases_case_state_deadline"),
            models.Index(fields=["state", "recommended_policy", "recommended_on"],
                         name="cases_case_state_policy"),
            models.Index(
                fields=["readiness_deadline", "id"],
                condition=models.Q(trafficking_queue=True),
                name="cases_case_trafficking_idx",
            ),
            # the same order over both queue states ("Either" status): one ordered walk, where
            # the index per state would leave every case of both to be sorted
            models.Index(
                fields=["readiness_deadline", "id"],
                condition=models.Q(state__in=["intake", "override_pending"]),
                name="cases_case_queue_deadline",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class RecommendedOutcome(models.Model):
    """One outcome the stored recommendation gives some charge of the case (a case with a
    declined and a prosecuted charge has two rows): the queue's outcome filter, one indexed join
    on SQLite and PostgreSQL alike. Written only by cases/stored_recommendation.py."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="recommended_with")
    outcome = models.CharField(max_length=30)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "outcome"], name="cases_recommended_unique")
        ]
        indexes = [models.Index(fields=["outcome", "case"], name="cases_recommended_outcome")]

    def __str__(self) -> str:
        return f"case {self.case_id}: {self.outcome}"


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
    "RecommendedOutcome",
    "SelfReported",
]
