"""Questions about a case that the permission module and the services both ask.

Below both (DESIGN.md > Conventions: imports point down): imports models and flows only.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from survivors_justice.cases.flows import CaseState
from survivors_justice.cases.models import Case, ChargingDecision, DecisionStatus

# Decisions that are in force: what the case was decided on.
IN_FORCE = (DecisionStatus.FINAL, DecisionStatus.APPROVED, DecisionStatus.REFUSED)
_IN_FORCE = IN_FORCE

def priority_case_filter() -> Q:
    """Cases decided with a priority charge (what trafficking prosecutors take on)."""
    return Q(state=CaseState.PROSECUTING) & Q(
        Exists(
            ChargingDecision.objects.filter(
                case=OuterRef("pk"), priority=True, status__in=_IN_FORCE
            )
        )
    )


def is_priority_case(case: Case) -> bool:
    return (
        case.state == CaseState.PROSECUTING
        and ChargingDecision.objects.filter(case=case, priority=True, status__in=_IN_FORCE).exists()
    )
