"""The compliance page's figures: how the office's decisions followed the policy, and by whom."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from survivors_justice.cases.models import ChargingDecision, DecisionStatus


@dataclass(frozen=True)
class PersonFigures:
    email: str
    declined: int = 0  # selling-sex cases decided as the policy recommends
    overrides: int = 0  # overrides of a decline asked for
    approved: int = 0
    refused: int = 0
    pending: int = 0


@dataclass(frozen=True)
class Compliance:
    seller_cases: int
    declined_as_recommended: int
    overrides_requested: int
    overrides_pending: int
    overrides_approved: int
    overrides_refused: int
    by_prosecutor: list[PersonFigures]
    by_supervisor: list[PersonFigures]


def compliance_figures() -> Compliance:
    """Selling-sex cases (the policy declined a charge): declined, overridden, and by whom."""
    sellers = ChargingDecision.objects.filter(seller_case=True)
    overridden = Q(declines_overridden=True)
    totals = sellers.aggregate(
        seller_cases=Count("pk"),
        declined=Count("pk", filter=~overridden),
        requested=Count("pk", filter=overridden),
        pending=Count("pk", filter=overridden & Q(status=DecisionStatus.PENDING)),
        approved=Count("pk", filter=overridden & Q(status=DecisionStatus.APPROVED)),
        refused=Count("pk", filter=overridden & Q(status=DecisionStatus.REFUSED)),
    )
    by_prosecutor = [
        PersonFigures(
            email=row["decided_by__email"],
            declined=row["declined"],
            overrides=row["overrides"],
            approved=row["approved"],
            refused=row["refused"],
            pending=row["pending"],
        )
        for row in sellers.values("decided_by__email")
        .annotate(
            declined=Count("pk", filter=~overridden),
            overrides=Count("pk", filter=overridden),
            approved=Count("pk", filter=overridden & Q(status=DecisionStatus.APPROVED)),
            refused=Count("pk", filter=overridden & Q(status=DecisionStatus.REFUSED)),
            pending=Count("pk", filter=overridden & Q(status=DecisionStatus.PENDING)),
        )
        .order_by("decided_by__email")
    ]
    by_supervisor = [
        PersonFigures(
            email=row["reviewed_by__email"], approved=row["approved"], refused=row["refused"]
        )
        for row in sellers.filter(overridden, reviewed_by__isnull=False)
        .values("reviewed_by__email")
        .annotate(
            approved=Count("pk", filter=Q(status=DecisionStatus.APPROVED)),
            refused=Count("pk", filter=Q(status=DecisionStatus.REFUSED)),
        )
        .order_by("reviewed_by__email")
    ]
    return Compliance(
        seller_cases=totals["seller_cases"],
        declined_as_recommended=totals["declined"],
        overrides_requested=totals["requested"],
        overrides_pending=totals["pending"],
        overrides_approved=totals["approved"],
        overrides_refused=totals["refused"],
        by_prosecutor=by_prosecutor,
        by_supervisor=by_supervisor,
    )
