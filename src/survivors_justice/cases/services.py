"""Intake: the policy's recommendation for a case, and every write a charging decision makes.

Each write is one function, one transaction, with its audit record in the same transaction
(DESIGN.md > Conventions). The functions take what they need as keyword arguments, check the
permission module themselves (the views check first, for the right HTTP answer) and never import
anything of HTTP. The case's state only changes through :func:`_move`, which asks
``cases/flows.py``'s transition table.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import secrets
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from survivors_justice.cases.flows import CaseState, check_transition, state_for_outcomes
from survivors_justice.cases.models import (
    ApiToken,
    Case,
    ChargingDecision,
    DecisionKind,
    DecisionStatus,
    OverrideReason,
)
from survivors_justice.limits import MAX_NOTE_CHARS, MAX_REASON_CHARS, check_text
from survivors_justice.permissions import PRIORITY_OUTCOME, Action, NotAllowed, can

DECLINE = "decline"
# What a prosecutor may choose for a charge when overriding (outside_policy is the policy's
# verdict that it has nothing to say, never a choice).
OVERRIDE_CHOICES: tuple[str, ...] = ("decline", "prosecute", "prosecute_priority", "panel_review")
MIN_REASON_CHARS = 20
API_PAGE_SIZE = 25
# Decisions that are in force: what the case was decided on.
_IN_FORCE = (DecisionStatus.FINAL, DecisionStatus.APPROVED, DecisionStatus.REFUSED)


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


# --- the recommendation ----------------------------------------------------------------------


OUTCOME_LABELS: dict[str, str] = {
    "decline": "Decline to prosecute",
    "prosecute": "Prosecute",
    "prosecute_priority": "Prosecute as a priority case",
    "panel_review": "Send to the review panel",
    "outside_policy": "Outside this policy (normal process)",
}


_OUTCOME_CLASSES = {
    "decline": "bg-success-darker",
    "prosecute": "bg-primary-dark",
    "prosecute_priority": "bg-secondary-dark",
    "panel_review": "bg-accent-cool-darker",
    "outside_policy": "bg-base-dark",
}


@dataclass(frozen=True)
class ChargeRecommendation:
    position: int
    law_code: str
    section: str
    subdivision: str
    role: str
    outcome: str
    rule: str
    reasons: list[str]
    rules: list[str]  # the rules evaluated, in precedence order, up to the deciding one
    citations: list[str]
    facts: dict[str, Any]  # the values the evaluated rules read (None: unknown)
    missing_facts: list[str]

    @property
    def outcome_label(self) -> str:
        return OUTCOME_LABELS.get(self.outcome, self.outcome)

    @property
    def outcome_class(self) -> str:
        """A USWDS background utility per outcome (all dark enough for white text)."""
        return _OUTCOME_CLASSES.get(self.outcome, "bg-base-dark")


@dataclass(frozen=True)
class Recommendation:
    """The policy engine's decision for a case, in the shape the pages and the API show."""

    policy_id: str
    policy_version: str
    case_priority: str
    charges: list[ChargeRecommendation]
    missing_facts: list[str]
    raw: dict[str, Any] = field(compare=False)

    @property
    def outcomes(self) -> dict[str, str]:
        """Charge position (as text, the JSON key) -> outcome."""
        return {str(c.position): c.outcome for c in self.charges}

    @property
    def state(self) -> CaseState:
        return state_for_outcomes([c.outcome for c in self.charges])

    @property
    def declines(self) -> bool:
        return any(c.outcome == DECLINE for c in self.charges)

    @functools.cached_property
    def missing(self) -> list[str]:
        """The missing facts as the questions a person would answer."""
        return [_question(name) for name in self.missing_facts]

    @functools.cached_property
    def facts_read(self) -> list[tuple[str, str]]:
        read: dict[str, Any] = {}
        for charge in self.charges:
            read.update(charge.facts)
        return [(name, "unknown" if v is None else str(v).lower()) for name, v in read.items()]


def _question(name: str) -> str:
    from survivors_justice.policy import FACTS

    spec = FACTS.get(name)
    return f"{spec.question} ({name})" if spec else name


_POLICY_CACHE: dict[str, Any] = {}
POLICY_RECHECK_SECONDS = 5.0


def current_policy() -> Any:
    """The office's policy document in force.

    The loader re-reads the document when its file changes; asking it costs a ``stat`` call, so
    a list page of 25 cases asks at most once every few seconds, not once per case.
    """
    from survivors_justice.policy import load_policy

    now = time.monotonic()
    if now - _POLICY_CACHE.get("at", -POLICY_RECHECK_SECONDS) >= POLICY_RECHECK_SECONDS:
        _POLICY_CACHE["policy"] = load_policy()
        _POLICY_CACHE["at"] = now
    return _POLICY_CACHE["policy"]


def _fact_key(case: Case, on: date | None) -> tuple[Any, ...]:
    """Everything :func:`case_facts` reads from the case, as a hashable key."""
    arrest = case.arrest
    charges = _charges(case)
    return fact_key(
        arrest_law_code=arrest.law_code,
        charges=[(c.position, c.law_code) for c in charges],
        pd_cd=arrest.pd_cd,
        arrest_date=arrest.arrest_date,
        age_group=arrest.age_group,
        on=on,
    )


def fact_key(
    *,
    arrest_law_code: str,
    charges: Iterable[tuple[int, str]],
    pd_cd: str,
    arrest_date: date,
    age_group: str,
    on: date | None = None,
) -> tuple[Any, ...]:
    """The key :func:`recommend` caches on, from plain column values (a search reads these
    without loading a case): ``charges`` are (position, law code) pairs, in any order."""
    ordered = sorted(charges)
    codes = tuple(code for _, code in ordered) or (arrest_law_code,)
    positions = tuple(position for position, _ in ordered) or (1,)
    return (
        codes,
        positions,
        pd_cd or None,
        arrest_date.isoformat(),
        age_group or None,
        (on or timezone.localdate()).isoformat(),
    )


def recommendation_for(key: tuple[Any, ...]) -> Recommendation:
    """:func:`recommend` for the case whose :func:`fact_key` is ``key`` (read from plain column
    values, without loading the case). Shared between cases: treat it as read-only."""
    policy = current_policy()
    _POLICIES.setdefault(id(policy), policy)
    return _recommend_cached(id(policy), key)


def recommended_outcomes(key: tuple[Any, ...]) -> frozenset[str]:
    """The outcomes the policy in force recommends for the charges of the case with ``key``
    (what the queue shows for it); cached per policy document and key."""
    policy = current_policy()
    _POLICIES.setdefault(id(policy), policy)
    cache = _OUTCOMES.setdefault(id(policy), {})
    hit = cache.get(key)
    if hit is None:
        if len(cache) > 200_000:
            cache.clear()
        hit = frozenset(c.outcome for c in _recommend_cached(id(policy), key).charges)
        cache[key] = hit
    return hit


_OUTCOMES: dict[int, dict[tuple[Any, ...], frozenset[str]]] = {}


def case_facts(case: Case, *, on: date | None = None) -> dict[str, Any]:
    """The facts the office knows about ``case``, in the policy's JSON contract.

    Charges, dates and the NYPD age group come from the arrest; anything the record does not say
    (victims, coercion indicators, sold-together) stays unknown, never false.
    """
    return _facts_from_key(_fact_key(case, on))


def _facts_from_key(key: tuple[Any, ...]) -> dict[str, Any]:
    codes, _, pd_cd, arrest_date, age_group, decision_date = key
    return {
        "decision_date": decision_date,
        "charges": [
            {
                k: v
                for k, v in {"law_code": code, "pd_cd": pd_cd, "arrest_date": arrest_date}.items()
                if v is not None
            }
            for code in codes
        ],
        "defendant": {
            "age": None,
            "age_group": age_group,
            "victim_indicators": None,
        },
        "victims": None,
        "indicators": {
            "force": None,
            "threats": None,
            "fraud": None,
            "debt_bondage": None,
            "documents_withheld": None,
            "drugs_as_control": None,
        },
        "co_defendants_sold_together": None,
    }


def _charges(case: Case) -> list[Any]:
    """The arrest's charges by position; from the prefetch cache when a list page filled it
    (``.all()`` would clone a queryset per call, a measurable cost on a page of 25 cases)."""
    arrest = case.arrest
    cached = getattr(arrest, "_prefetched_objects_cache", {}).get("charges")
    rows = list(cached) if cached is not None else list(arrest.charges.all())
    return sorted(rows, key=lambda c: c.position)


def _positions(case: Case) -> list[int]:
    return [c.position for c in _charges(case)] or [1]


def evaluate_facts(facts: Mapping[str, Any]) -> dict[str, Any]:
    """Run ``facts`` (the JSON contract) through the policy in force; the decision as a dict.

    Bad facts raise ``survivors_justice.policy.FactsError`` (its message names the bad value).
    """
    return copy.deepcopy(_evaluate_shared(facts))


_POLICIES: dict[int, Any] = {}


def _evaluate_shared(facts: Mapping[str, Any]) -> dict[str, Any]:
    """The decision as a dict shared between callers: read it, never change it."""
    policy = current_policy()
    _POLICIES.setdefault(id(policy), policy)  # kept alive: its id cannot be reused
    return _evaluate_cached(id(policy), json.dumps(facts, sort_keys=True, default=str))


@functools.lru_cache(maxsize=8192)
def _evaluate_cached(policy_key: int, facts_json: str) -> dict[str, Any]:
    """Evaluation is a pure function of the policy document and the facts; the cases of a queue
    share few distinct fact sets (the same charge, date and age group), so each is evaluated
    once. ``policy_key`` is the loaded document's identity: the loader returns a new object when
    the file changes, so an edited document is never answered from the cache."""
    from survivors_justice.policy import evaluate

    result: dict[str, Any] = evaluate(_POLICIES[policy_key], json.loads(facts_json)).to_dict()
    return result


def recommendation_from_json(data: Mapping[str, Any], positions: list[int]) -> Recommendation:
    policy = data.get("policy") or {}
    charges = []
    for i, ch in enumerate(data.get("charges") or []):
        reason = ch.get("reason") or ""
        charges.append(
            ChargeRecommendation(
                position=positions[i] if i < len(positions) else i + 1,
                law_code=str(ch.get("law_code") or ch.get("section") or ""),
                section=str(ch.get("section") or ""),
                subdivision=str(ch.get("subdivision") or ""),
                role=str(ch.get("role") or ""),
                outcome=str(ch["outcome"]),
                rule=str(ch.get("rule") or ""),
                reasons=[reason] if reason else [],
                rules=[str(r["id"]) for r in ch.get("rules") or []],
                citations=[str(c) for c in ch.get("citations") or []],
                facts=dict(ch.get("facts") or {}),
                missing_facts=[str(m) for m in ch.get("missing_facts") or []],
            )
        )
    return Recommendation(
        policy_id=str(policy.get("id", "")),
        policy_version=str(policy.get("version", "")),
        case_priority=str(data.get("case_priority") or ""),
        charges=charges,
        missing_facts=[str(m) for m in data.get("missing_facts") or []],
        raw=dict(data),
    )


def recommend(case: Case, *, on: date | None = None) -> Recommendation:
    """The policy's recommendation for ``case`` today (or ``on``), under the policy in force.

    Shared between cases with the same facts (a queue page holds few distinct ones): treat it as
    read-only.
    """
    return recommendation_for(_fact_key(case, on))


@functools.lru_cache(maxsize=8192)
def _recommend_cached(policy_key: int, key: tuple[Any, ...]) -> Recommendation:
    facts_json = json.dumps(_facts_from_key(key), sort_keys=True)
    return recommendation_from_json(_evaluate_cached(policy_key, facts_json), list(key[1]))


# --- reading ---------------------------------------------------------------------------------


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


# Personal fields a list never shows: not fetched, so not decrypted either.
_NOT_LISTED = ("address", "phone", "email", "narrative", "date_of_birth")


def with_list_data(cases: QuerySet[Case]) -> QuerySet[Case]:
    """What a list page shows of each case, in a fixed number of queries."""
    return (
        cases.select_related("defendant", "arrest")
        .defer(*(f"defendant__{name}" for name in _NOT_LISTED))
        .prefetch_related("arrest__charges")
    )


@dataclass(frozen=True)
class Page:
    items: list[Any]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def page_of(qs: QuerySet[Any], number: int, size: int = 25) -> Page:
    """One page without a COUNT(*) (cheap on 200,000 cases): fetch one row more than shown.
    A page past ``limits.MAX_PAGE`` raises ``limits.LimitExceeded`` (a 400)."""
    from survivors_justice.limits import check_page

    number = check_page(max(1, number))
    rows = list(qs[(number - 1) * size : number * size + 1])
    return Page(items=rows[:size], number=number, has_next=len(rows) > size)


# --- writing ---------------------------------------------------------------------------------


def _principal_user(actor: Any) -> Any:
    """The accountable account: the user, or an API token's owner."""
    return getattr(actor, "owner", None) or actor


def actor_label(actor: Any) -> str:
    label = getattr(actor, "audit_label", None)
    return str(label) if label else str(getattr(actor, "email", actor))


def _record(*, actor: Any, action: str, case: Case, source: str, details: dict[str, Any]) -> None:
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
    actor: Any, case_id: int, policy_version: str | None
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
    *, actor: Any, case_id: int, source: str = "", policy_version: str | None = None
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
    actor: Any,
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
    *, actor: Any, decision_id: int, approve: bool, note: str = "", source: str = ""
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


# --- compliance ------------------------------------------------------------------------------


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


# --- API tokens ------------------------------------------------------------------------------

TOKEN_PREFIX = "sj_"  # noqa: S105 (a public marker at the start of every token, not a secret)


class TokenError(ValueError):
    """A token command that cannot be carried out; the message says why and what to do."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_api_token(*, actor: str, name: str, role: str, owner_email: str) -> tuple[ApiToken, str]:
    """A new token for a machine client acting as ``role``; the secret is returned once only."""
    from survivors_justice.accounts.models import User
    from survivors_justice.accounts.roles import Role

    if role not in Role.values:
        raise TokenError(f"unknown role {role!r}; use one of {', '.join(Role.values)}")
    owner = User.objects.filter(email=owner_email.lower(), is_active=True).first()
    if owner is None:
        raise TokenError(
            f"no active account {owner_email!r}; a token needs an accountable owner "
            "(sj users create)"
        )
    if ApiToken.objects.filter(name=name).exists():
        raise TokenError(f"a token named {name!r} exists; pick another name or revoke it first")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            name=name,
            role=role,
            owner=owner,
            prefix=secret[: len(TOKEN_PREFIX) + 6],
            token_hash=hash_token(secret),
            created_at=timezone.now(),
        )
        from survivors_justice.audit.services import record_event

        record_event(
            actor=actor,
            action="api.token.create",
            object_type="api_token",
            object_id=str(token.pk),
            source="cli",
            details={"name": name, "role": role, "owner": owner.email},
        )
    return token, secret


def revoke_api_token(*, actor: str, name: str) -> ApiToken:
    """Revoke the token ``name`` at once; it is kept (revoked) for the audit trail."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().filter(name=name).first()
        if token is None:
            raise TokenError(f"no token named {name!r} (sj tokens list shows them)")
        if token.revoked_at is not None:
            raise TokenError(f"token {name!r} was already revoked on {token.revoked_at:%Y-%m-%d}")
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        from survivors_justice.audit.services import record_event

        record_event(
            actor=actor,
            action="api.token.revoke",
            object_type="api_token",
            object_id=str(token.pk),
            source="cli",
            details={"name": name},
        )
    return token
