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
from survivors_justice.audit.services import actor_label
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
from survivors_justice.cases.stored_recommendation import store
from survivors_justice.limits import MAX_NOTE_CHARS, MAX_REASON_CHARS, check_text
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


class AlreadyDecided(IntakeError):
    """The case left intake meanwhile (another tab, another person)."""

    def __init__(self, case: Case, decision: ChargingDecision | None) -> None:
        if decision is None:
            what = f"is {case.get_state_display().lower()}"
        else:
            who = getattr(decision.decided_by, "email", "") or "someone"
            what = (
                f"was decided by {who} on {decision.decided_at:%Y-%m-%d at %H:%M} UTC "
                f"({decision.get_kind_display().lower()}; {decision.get_status_display().lower()})"
            )
        super().__init__(
            f"case {case.number} {what}; nothing was changed. Open the case to see the decision"
        )


class PanelCaseAtIntake(IntakeError):
    def __init__(self, case: Case) -> None:
        super().__init__(
            f"case {case.number}: the policy sends it to the review panel, and a panel case is "
            "not decided at intake; accept the recommendation to send it to the panel, or ask a "
            "supervisor to decide it with a written reason"
        )


class NotAPanelCase(IntakeError):
    def __init__(self, case: Case) -> None:
        super().__init__(
            f"case {case.number}: the policy does not send it to the review panel; decide it at "
            "intake (a departure waits for a supervisor's review)"
        )


class NotDecided(IntakeError):
    def __init__(self, case: Case) -> None:
        super().__init__(
            f"case {case.number} is {case.get_state_display().lower()}: there is no decision in "
            "force to reopen"
        )


class NotBulkAcceptable(IntakeError):
    def __init__(self, case: Case, why: str) -> None:
        super().__init__(f"case {case.number} cannot be accepted in bulk: {why}; decide it alone")


def in_force_decision(case: Case) -> ChargingDecision | None:
    """The case's latest decision that is not reopened (pending, final, approved or refused)."""
    return (
        case.decisions.exclude(status=DecisionStatus.REOPENED)
        .select_related("decided_by")
        .order_by("-pk")
        .first()
    )


def principal_user(actor: Principal) -> User:
    """The accountable account: the user, or an API token's owner."""
    user = getattr(actor, "owner", None) or actor
    if not isinstance(user, User):
        raise TypeError(f"{actor!r} is neither an account nor speaks for one; sign in first")
    return user


_principal_user = principal_user


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
    if case.state != CaseState.INTAKE:
        raise AlreadyDecided(case, in_force_decision(case))
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
        _followups(actor, case, rec, source)
        store([case.pk])
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

    No override takes effect at once: every departure from the policy waits in
    ``override_pending`` for a supervisor's approval or refusal (two people for every departure).
    A case the policy sends to the review panel is not overridden at intake at all.
    """
    if reason_category not in OverrideReason.values:
        raise UnknownReasonCategory(reason_category)
    if len(reason_text.strip()) < MIN_REASON_CHARS:
        raise ReasonRequired("an override", reason_text)
    check_text(reason_text, what="the override's reason", limit=MAX_REASON_CHARS)
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
        if "panel_review" in rec.outcomes.values():
            raise PanelCaseAtIntake(case)
        declines_overridden = any(
            rec.outcomes[p] == DECLINE and chosen[p] != DECLINE for p in chosen
        )
        status, target = DecisionStatus.PENDING, CaseState.OVERRIDE_PENDING
        previous = _move(case, target)
        decision = ChargingDecision.objects.create(
            case=case,
            kind=DecisionKind.OVERRIDE,
            status=status,
            **_recommended(rec),
            outcomes=chosen,
            priority=False,  # nothing of an override is in force before a supervisor's review
            seller_case=rec.declines,
            declines_overridden=declines_overridden,
            reason_category=reason_category,
            reason_text=reason_text.strip(),
            decided_by=_principal_user(actor),
            decided_at=timezone.now(),
        )
        store([case.pk])
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
    check_text(note, what="the review note", limit=MAX_NOTE_CHARS)
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
        _followups(actor, case, recommend(case), source)
        store([case.pk])
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
    recorded = (decision.recommendation or {}).get("charges") or []
    raw = {str(positions[i]): ch for i, ch in enumerate(recorded) if i < len(positions)}
    rows = []
    for position in [str(p) for p in positions]:
        requested = decision.outcomes[position]
        charge = by_position.get(position)
        title = str(raw.get(position, {}).get("title") or "")
        rows.append(
            {
                "charge": (
                    (f"{title} ({charge.law_code})" if title else charge.law_code)
                    if charge
                    else f"charge {position}"
                ),
                "recommended": OUTCOME_LABELS.get(charge.outcome, "") if charge else "",
                "requested": OUTCOME_LABELS.get(requested, requested),
            }
        )
    return rows


def _followups(actor: Principal, case: Case, rec: Recommendation, source: str) -> None:
    from survivors_justice.cases.followups import sync_followups

    sync_followups(actor=actor, case=case, rec=rec, source=source)


def supervisor_decide(
    *,
    actor: Principal,
    case_id: int,
    outcomes: Mapping[str, str] | Mapping[int, str],
    reason_text: str,
    source: str = "",
    policy_version: str | None = None,
) -> ChargingDecision:
    """A supervisor decides a case the policy sends to the review panel, instead of the panel,
    with a written reason (listed on the compliance page)."""
    if len(reason_text.strip()) < MIN_REASON_CHARS:
        raise ReasonRequired("deciding a panel case instead of the panel", reason_text)
    check_text(reason_text, what="the reason", limit=MAX_REASON_CHARS)
    chosen = {str(k): str(v) for k, v in outcomes.items()}
    with transaction.atomic():
        case = _lock_case(case_id)
        if case.state != CaseState.INTAKE:
            raise AlreadyDecided(case, in_force_decision(case))
        if not can(actor, Action.SUPERVISOR_DECIDE, case):
            raise NotAllowed(actor, Action.SUPERVISOR_DECIDE, case)
        rec = recommend(case)
        if policy_version is not None and policy_version != rec.policy_version:
            raise RecommendationChanged(case, policy_version, rec.policy_version)
        if "panel_review" not in rec.outcomes.values():
            raise NotAPanelCase(case)
        if set(chosen) != set(rec.outcomes):
            raise ChargeOutcomesMismatch(case, rec.outcomes, chosen)
        for p, value in chosen.items():
            if value not in OVERRIDE_CHOICES and value != rec.outcomes[p]:
                raise NotAnOverrideChoice(value)
        previous = _move(case, state_for_outcomes(list(chosen.values())))
        decision = ChargingDecision.objects.create(
            case=case,
            kind=DecisionKind.SUPERVISOR,
            status=DecisionStatus.FINAL,
            **_recommended(rec),
            outcomes=chosen,
            priority=_has_priority(chosen),
            seller_case=rec.declines,
            declines_overridden=any(
                rec.outcomes[p] == DECLINE and chosen[p] != DECLINE for p in chosen
            ),
            reason_category=OverrideReason.OTHER,
            reason_text=reason_text.strip(),
            decided_by=principal_user(actor),
            decided_at=timezone.now(),
        )
        _followups(actor, case, rec, source)
        store([case.pk])
        _record(
            actor=actor,
            action="case.decision.supervisor",
            case=case,
            source=source,
            details={
                "decision": decision.pk,
                "policy": f"{rec.policy_id}@{rec.policy_version}",
                "recommended": rec.outcomes,
                "outcomes": chosen,
                "state": [previous, case.state],
            },
        )
    return decision


def reopen_decision(
    *, actor: Principal, case_id: int, reason: str, source: str = ""
) -> ChargingDecision:
    """A supervisor reopens the decision in force, with a reason: the case goes back to intake
    (``cases/flows.py`` allows it from a decided state only); the decision is kept, marked."""
    if len(reason.strip()) < MIN_REASON_CHARS:
        raise ReasonRequired("reopening a decision", reason)
    check_text(reason, what="the reason for reopening", limit=MAX_REASON_CHARS)
    with transaction.atomic():
        case = _lock_case(case_id)
        if not can(actor, Action.REOPEN_DECISION, case):
            if role_may(actor, Action.REOPEN_DECISION):
                raise NotDecided(case)
            raise NotAllowed(actor, Action.REOPEN_DECISION, case)
        decision = in_force_decision(case)
        if decision is None:
            raise NotDecided(case)
        previous = _move(case, CaseState.INTAKE)
        _mark_reopened(decision, actor=actor, reason=reason)
        store([case.pk])
        _record(
            actor=actor,
            action="case.decision.reopen",
            case=case,
            source=source,
            details={"decision": decision.pk, "state": [previous, case.state]},
        )
    return decision


def role_may(actor: Principal, action: Action) -> bool:
    return can(actor, action)


def bulk_acceptable(case: Case, rec: Recommendation) -> str | None:
    """Why ``case`` may not be accepted in bulk, or None: only a case in intake whose every
    charge the policy declines as selling sex, with no unknown fact that could change that."""
    if case.state != CaseState.INTAKE:
        return f"it is {case.get_state_display().lower()}"
    if not rec.charges or any(c.outcome != DECLINE for c in rec.charges):
        return "the policy does not decline every charge"
    if any(c.role != "seller" for c in rec.charges):
        return "not every charge is a selling-sex charge"
    if rec.missing_facts:
        return "unknown facts could change it: " + ", ".join(rec.missing_facts)
    return None


def bulk_accept(
    *, actor: Principal, case_ids: Iterable[int], source: str = ""
) -> list[ChargingDecision]:
    """A supervisor accepts the recommendation for each case of ``case_ids`` (selling-sex
    declines with no unknown fact that could change them): one audited decision per case, each
    in its own transaction. A case that does not qualify (any more) is refused by name."""
    if not can(actor, Action.BULK_ACCEPT):
        raise NotAllowed(actor, Action.BULK_ACCEPT)
    made = []
    for case_id in case_ids:
        with transaction.atomic():
            case = _lock_case(case_id)
            rec = recommend(case)
            why = bulk_acceptable(case, rec)
            if why is not None:
                raise NotBulkAcceptable(case, why)
            previous = _move(case, rec.state)
            decision = ChargingDecision.objects.create(
                case=case,
                kind=DecisionKind.ACCEPT,
                status=DecisionStatus.FINAL,
                **_recommended(rec),
                outcomes=rec.outcomes,
                priority=False,
                seller_case=True,
                declines_overridden=False,
                decided_by=principal_user(actor),
                decided_at=timezone.now(),
            )
            _followups(actor, case, rec, source)
            store([case.pk])
            _record(
                actor=actor,
                action="case.decision.bulk_accept",
                case=case,
                source=source,
                details={
                    "decision": decision.pk,
                    "policy": f"{rec.policy_id}@{rec.policy_version}",
                    "outcomes": rec.outcomes,
                    "state": [previous, case.state],
                },
            )
        made.append(decision)
    return made


def _mark_reopened(decision: ChargingDecision, *, actor: Principal, reason: str) -> None:
    """The decision in force no longer holds: reopened by ``actor`` for ``reason``."""
    decision.status = DecisionStatus.REOPENED
    decision.priority = False
    decision.reopened_by = principal_user(actor)
    decision.reopened_at = timezone.now()
    decision.reopen_reason = reason.strip()
    decision.save(
        update_fields=["status", "priority", "reopened_by", "reopened_at", "reopen_reason"]
    )


def return_from_panel(*, actor: Principal, case_id: int, note: str, source: str = "") -> bool:
    """The review panel's determination settled the case (its recommendation no longer sends
    a charge to the panel): a case with the panel goes back to intake, where a prosecutor
    decides it (a departure from the determination waits for a supervisor). The decision that
    sent it to the panel is kept, marked reopened with ``note``. False if nothing moved."""
    with transaction.atomic():
        case = _lock_case(case_id)
        if case.state != CaseState.PANEL_REVIEW:
            return False
        if "panel_review" in recommend(case).outcomes.values():
            return False
        decision = in_force_decision(case)
        previous = _move(case, CaseState.INTAKE)
        if decision is not None:
            _mark_reopened(decision, actor=actor, reason=note)
        _record(
            actor=actor,
            action="case.panel.returned",
            case=case,
            source=source,
            details={
                "decision": None if decision is None else decision.pk,
                "state": [previous, case.state],
            },
        )
        store([case.pk])
    return True
