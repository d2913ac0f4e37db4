"""Every write a charging decision makes: accept, override, and a supervisor's review.

Each write is one function, one transaction, with its audit record in the same transaction
(DESIGN.md > Conventions). The functions take what they need as keyword arguments, check the
permission module themselves (the views check first, for the right HTTP answer) and never import
anything of HTTP. The case's state only changes through :func:`_move`, which asks
``cases/flows.py``'s transition table.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from survivors_justice.accounts.models import User
from survivors_justice.cases.flows import CaseState, check_transition, state_for_outcomes
from survivors_justice.cases.models import (
    Case,
    ChargingDecision,
    DecisionKind,
    DecisionStatus,
    OverrideReason,
)
from survivors_justice.cases.recommendations import (
    DECLINE,
    OUTCOME_LABELS,
    Recommendation,
    _positions,
    recommend,
    recommendation_from_json,
)
from survivors_justice.permissions import PRIORITY_OUTCOME, Action, NotAllowed, Principal, can

# What a prosecutor may choose for a charge when overriding (outside_policy is the policy's
# verdict that it has nothing to say, never a choice).
OVERRIDE_CHOICES: tuple[str, ...] = ("decline", "prosecute", "prosecute_priority", "panel_review")
MIN_REASON_CHARS = 20


# --- errors ----------------------------------------------------------------------------------


class IntakeError(ValueError):
    """Base of the intake workflow's refusals; the message says what to do."""


class RecommendationChanged(IntakeError):
    def __init__(self, case: Case, seen: str, current: str) -> None:
        super().__init__(
            f"case {case.number}: the recommendation was made under policy version {seen!r}, the "
            f"office now uses {current!r}; open the case again and decide on the current one"
        )


class ReasonRequired(IntakeError):
    def __init__(self, what: str, given: str) -> None:
        super().__init__(
            f"{what} needs a reason of at least {MIN_REASON_CHARS} characters "
            f"(got {len(given.strip())}); say in plain words why"
        )


class UnknownReasonCategory(IntakeError):
    def __init__(self, value: str) -> None:
        super().__init__(
            f"unknown override reason category {value!r}; choose one of "
            f"{', '.join(OverrideReason.values)}"
        )


class ChargeOutcomesMismatch(IntakeError):
    def __init__(self, case: Case, expected: Iterable[str], given: Iterable[str]) -> None:
        super().__init__(
            f"case {case.number}: an override gives an outcome for each charge "
            f"{sorted(expected)}; got {sorted(given)}"
        )


class NotAnOverrideChoice(IntakeError):
    def __init__(self, value: str) -> None:
        super().__init__(
            f"{value!r} is not an outcome a prosecutor can choose; use one of "
            f"{', '.join(OVERRIDE_CHOICES)}"
        )


class SameAsRecommendation(IntakeError):
    def __init__(self, case: Case) -> None:
        super().__init__(
            f"case {case.number}: the outcomes chosen are the recommendation; accept it instead"
        )


class OverrideNotPending(IntakeError):
    def __init__(self, decision: ChargingDecision) -> None:
        super().__init__(
            f"decision {decision.pk} is {decision.status!r}, not waiting for a supervisor; "
            "only pending overrides can be approved or refused"
        )


def principal_user(actor: Principal) -> User:
    """The accountable account: the user, or an API token's owner."""
    user = getattr(actor, "owner", None) or actor
    if not isinstance(user, User):
        raise TypeError(f"{actor!r} is neither an account nor speaks for one; sign in first")
    return user


_principal_user = principal_user


def actor_label(actor: Principal) -> str:
    label = getattr(actor, "audit_label", None)
    return str(label) if label else str(getattr(actor, "email", actor))


def _record(
    *, actor: Principal, action: str, case: Case, source: str, details: dict[str, Any]
) -> None:
    from survivors_justice.audit.services import record_event

    record_event(
        actor=actor_label(actor),
        action=action,
        object_type="case",
        object_id=str(case.pk),
        source=source,
        outcome="success",
        details=details,
    )


def _lock_case(case_id: int) -> Case:
    return Case.objects.select_for_update().select_related("arrest").get(pk=case_id)


def _move(case: Case, target: CaseState) -> str:
    previous = case.state
    check_transition(case.number, previous, target)
    case.state = target
    case.save(update_fields=["state"])
    return previous


def _has_priority(outcomes: Mapping[str, str]) -> bool:
    return PRIORITY_OUTCOME in outcomes.values()


def _decidable(
    actor: Principal, case_id: int, policy_version: str | None
) -> tuple[Case, Recommendation]:
    """Lock the case, check the actor may decide it, and check the recommendation the actor saw
    (``policy_version``) is still the one in force. Call inside the decision's transaction."""
    case = _lock_case(case_id)
    if not can(actor, Action.DECIDE_CASE, case):
        raise NotAllowed(actor, Action.DECIDE_CASE, case)
    rec = recommend(case)
    if policy_version is not None and policy_version != rec.policy_version:
        raise RecommendationChanged(case, policy_version, rec.policy_version)
    return case, rec


def _recommended(rec: Recommendation) -> dict[str, Any]:
    """What a decision records of the recommendation it answers."""
    return {
        "policy_id": rec.policy_id,
        "policy_version": rec.policy_version,
        "recommended_priority": rec.case_priority,
        "recommendation": copy.deepcopy(rec.raw),
    }


def accept_recommendation(
    *, actor: Principal, case_id: int, source: str = "", policy_version: str | None = None
) -> ChargingDecision:
    """Decide ``case_id`` as the policy recommends. The case leaves intake."""
    with transaction.atomic():
        case, rec = _decidable(actor, case_id, policy_version)
        previous = _move(case, rec.state)
        decision = ChargingDecision.objects.create(
            case=case,
            kind=DecisionKind.ACCEPT,
            status=DecisionStatus.FINAL,
            **_recommended(rec),
            outcomes=rec.outcomes,
            priority=_has_priority(rec.outcomes),
            seller_case=rec.declines,
            declines_overridden=False,
            decided_by=_principal_user(actor),
            decided_at=timezone.now(),
        )
        _record(
            actor=actor,
            action="case.decision.accept",
            case=case,
            source=source,
            details={
                "decision": decision.pk,
                "policy": f"{rec.policy_id}@{rec.policy_version}",
                "outcomes": rec.outcomes,
                "state": [previous, case.state],
            },
        )
    return decision


def override_recommendation(
    *,
    actor: Principal,
    case_id: int,
    outcomes: Mapping[str, str] | Mapping[int, str],
    reason_category: str,
    reason_text: str,
    source: str = "",
    policy_version: str | None = None,
) -> ChargingDecision:
    """Decide ``case_id`` otherwise than the policy recommends, with a reason.

    Prosecuting a charge the policy declines (a person who sold sex) does not take effect: the
    case waits in ``override_pending`` for a supervisor's approval or refusal.
    """
    if reason_category not in OverrideReason.values:
        raise UnknownReasonCategory(reason_category)
    if len(reason_text.strip()) < MIN_REASON_CHARS:
        raise ReasonRequired("an override", reason_text)
    chosen = {str(k): str(v) for k, v in outcomes.items()}
    with transaction.atomic():
        case, rec = _decidable(actor, case_id, policy_version)
        if set(chosen) != set(rec.outcomes):
            raise ChargeOutcomesMismatch(case, rec.outcomes, chosen)
        for p, value in chosen.items():
            # outside_policy stays possible only where the policy itself says so
            if value not in OVERRIDE_CHOICES and value != rec.outcomes[p]:
                raise NotAnOverrideChoice(value)
        if chosen == rec.outcomes:
            raise SameAsRecommendation(case)
        declines_overridden = any(
            rec.outcomes[p] == DECLINE and chosen[p] != DECLINE for p in chosen
        )
        if declines_overridden:
            status, target = DecisionStatus.PENDING, CaseState.OVERRIDE_PENDING
        else:
            status, target = DecisionStatus.FINAL, state_for_outcomes(list(chosen.values()))
        previous = _move(case, target)
        decision = ChargingDecision.objects.create(
            case=case,
            kind=DecisionKind.OVERRIDE,
            status=status,
            **_recommended(rec),
            outcomes=chosen,
            priority=status == DecisionStatus.FINAL and _has_priority(chosen),
            seller_case=rec.declines,
            declines_overridden=declines_overridden,
            reason_category=reason_category,
            reason_text=reason_text.strip(),
            decided_by=_principal_user(actor),
            decided_at=timezone.now(),
        )
        _record(
            actor=actor,
            action="case.decision.override",
            case=case,
            source=source,
            details={
                "decision": decision.pk,
                "policy": f"{rec.policy_id}@{rec.policy_version}",
                "recommended": rec.outcomes,
                "outcomes": chosen,
                "reason_category": reason_category,
                "status": status,
                "state": [previous, case.state],
            },
        )
    return decision


def review_override(
    *, actor: Principal, decision_id: int, approve: bool, note: str = "", source: str = ""
) -> ChargingDecision:
    """A supervisor approves (the override's outcomes apply) or refuses (the policy's apply)."""
    if not approve and len(note.strip()) < MIN_REASON_CHARS:
        raise ReasonRequired("refusing an override", note)
    with transaction.atomic():
        decision = ChargingDecision.objects.select_for_update().get(pk=decision_id)
        if decision.status != DecisionStatus.PENDING:
            raise OverrideNotPending(decision)
        if not can(actor, Action.REVIEW_OVERRIDE, decision):
            raise NotAllowed(actor, Action.REVIEW_OVERRIDE, decision)
        case = _lock_case(decision.case_id)
        recommended = {
            str(p): o
            for p, o in recommendation_from_json(
                decision.recommendation, _positions(case)
            ).outcomes.items()
        }
        effective = decision.outcomes if approve else recommended
        previous = _move(case, state_for_outcomes(list(effective.values())))
        decision.status = DecisionStatus.APPROVED if approve else DecisionStatus.REFUSED
        decision.priority = _has_priority(effective)
        decision.reviewed_by = _principal_user(actor)
        decision.reviewed_at = timezone.now()
        decision.review_note = note.strip()
        decision.save(
            update_fields=["status", "priority", "reviewed_by", "reviewed_at", "review_note"]
        )
        _record(
            actor=actor,
            action="case.override.approve" if approve else "case.override.refuse",
            case=case,
            source=source,
            details={
                "decision": decision.pk,
                "outcomes": effective,
                "state": [previous, case.state],
            },
        )
    return decision


def override_rows(decision: ChargingDecision) -> list[dict[str, str]]:
    """For a supervisor: each charge, what the policy said and what the prosecutor asks."""
    positions = sorted(int(p) for p in decision.outcomes)
    rec = recommendation_from_json(decision.recommendation, positions)
    by_position = {str(c.position): c for c in rec.charges}
    rows = []
    for position in [str(p) for p in positions]:
        requested = decision.outcomes[position]
        charge = by_position.get(position)
        rows.append(
            {
                "charge": charge.law_code if charge else f"charge {position}",
                "recommended": OUTCOME_LABELS.get(charge.outcome, "") if charge else "",
                "requested": OUTCOME_LABELS.get(requested, requested),
            }
        )
    return rows
