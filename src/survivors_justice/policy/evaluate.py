"""The per-case evaluator: facts of one case in, an explained decision out.

For each charge the rules are tried in precedence order under three-valued logic; the first rule
whose condition is *true* decides. A rule whose condition is *unknown* does not decide, but it is
never taken as false either: the facts it needs are reported in ``missing_facts`` whenever some way
the unknown facts could turn out would change the outcome.

``missing_facts`` is exact: a fact is listed when there is an assignment of the other unknown facts
under which giving the fact one value or another yields different outcomes. It is found by a search
that fixes one unknown fact at a time and simplifies the remaining conditions, pruning as soon as
the possible outcomes on both sides are settled.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from survivors_justice.law import Catalog, LawCodeError, ResolvedCharge, load_catalog
from survivors_justice.policy.conditions import (
    FALSE,
    TRUE,
    Cond,
    Const,
    evaluate3,
    facts_of,
    restrict,
)
from survivors_justice.policy.errors import BadLawCodeError
from survivors_justice.policy.facts import (
    DEFAULTS,
    FACT_NAMES,
    FACTS,
    CaseFacts,
    ChargeFacts,
    FactValue,
)
from survivors_justice.policy.model import Action, FollowUp, FollowUpAction, Outcome, Policy, Rule

# --- the decision ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RuleResult:
    rule_id: str
    result: bool | None  # None: unknown


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the rules say for one charge's named facts."""

    rule: Rule
    evaluated: tuple[RuleResult, ...]  # in precedence order, up to the deciding rule
    missing_facts: tuple[str, ...]  # in `FACT_NAMES` order
    read: tuple[str, ...]  # facts the evaluated rules read

    @property
    def outcome(self) -> Outcome:
        return self.rule.outcome


@dataclass(frozen=True, slots=True)
class ChargeDecision:
    law_code: str | None
    section: str | None
    subdivision: str | None
    status: str
    role: str | None
    title: str | None
    outcome: Outcome
    rule_id: str
    reason: str
    actions: tuple[Action, ...]
    rules: tuple[RuleResult, ...]
    citations: tuple[str, ...]
    missing_facts: tuple[str, ...]
    facts: Mapping[str, FactValue | None]  # the values the evaluated rules read
    note: str = ""
    followup_ids: tuple[str, ...] = ()  # the policy's follow-ups whose condition holds here
    citation: str | None = None  # the offense as a lawyer cites it: "PL 230.34(5)(a)"
    offense_class: str | None = None  # "B felony"
    source_url: str | None = None  # the statute's text

    def to_dict(self) -> dict[str, Any]:
        return {
            "law_code": self.law_code,
            "section": self.section,
            "subdivision": self.subdivision,
            "status": self.status,
            "role": self.role,
            "title": self.title,
            "outcome": self.outcome.value,
            "rule": self.rule_id,
            "reason": self.reason,
            "actions": [a.value for a in self.actions],
            "rules": [{"id": r.rule_id, "result": r.result} for r in self.rules],
            "citations": list(self.citations),
            "missing_facts": list(self.missing_facts),
            "facts": dict(self.facts),
            "note": self.note,
            "citation": self.citation,
            "offense_class": self.offense_class,
            "source_url": self.source_url,
        }


@dataclass(frozen=True, slots=True)
class FollowUpResult:
    """A follow-up the case calls for: who does what, by when, why, under which sections."""

    id: str  # the follow-up's id in the policy document
    action: FollowUpAction
    owner_role: str  # "advocate" or "trafficking_ada"
    due_days: int
    reason: str
    cites: tuple[str, ...]  # full citations of the policy sections

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "action": self.action.value,
            "owner_role": self.owner_role,
            "due_days": self.due_days,
            "reason": self.reason,
            "cites": list(self.cites),
        }


@dataclass(frozen=True, slots=True)
class Decision:
    policy_id: str
    policy_version: str
    decision_date: date | None
    case_priority: Outcome
    charges: tuple[ChargeDecision, ...]
    missing_facts: tuple[str, ...]
    followups: tuple[FollowUpResult, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "policy": {"id": self.policy_id, "version": self.policy_version},
            "decision_date": None if self.decision_date is None else self.decision_date.isoformat(),
            "case_priority": self.case_priority.value,
            "charges": [c.to_dict() for c in self.charges],
            "missing_facts": list(self.missing_facts),
            "followups": [f.to_dict() for f in self.followups],
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)


# --- named facts of a charge -----------------------------------------------------------------


@lru_cache(maxsize=256)
def repeal_date(catalog: Catalog, section: str) -> date | None:
    """The last day a section was in force, if every version of it has ended; else None."""
    ends = [e.in_force_to for e in catalog.entries if e.section == section]
    if not ends or any(end is None for end in ends):
        return None
    return max(end for end in ends if end is not None)


def charge_values(
    resolved: ResolvedCharge, decision_date: date | None, catalog: Catalog
) -> dict[str, FactValue | None]:
    """The charge-level named facts of a resolved charge (unknown where the catalog is silent)."""
    entry = resolved.entry
    repealed: bool | None = None
    if entry is not None:
        end = repeal_date(catalog, entry.section)
        if end is None:
            repealed = False
        elif decision_date is not None:
            repealed = decision_date > end
    # Without an arrest date, whether the section was law on it is unknown, even for a section
    # that has read the same on every date the catalog tracks: unknown is never taken as true.
    in_force = resolved.in_force
    return {
        "charge.status": resolved.status.value,
        "charge.role": None if resolved.role is None else resolved.role.value,
        "charge.family": None if entry is None else entry.family.value,
        "charge.minor_offense": None if entry is None else entry.minor,
        "charge.coercion": None if entry is None else entry.coercion,
        "charge.in_force_at_arrest": in_force,
        "charge.repealed": repealed,
    }


@lru_cache(maxsize=65536)
def _resolve(catalog: Catalog, charge: ChargeFacts) -> ResolvedCharge:
    try:
        if charge.law_code is not None:
            return catalog.resolve(
                law_code=charge.law_code, pd_cd=charge.pd_cd, on=charge.arrest_date
            )
        return catalog.resolve(
            section=charge.section, subdivision=charge.subdivision, on=charge.arrest_date
        )
    except LawCodeError as exc:
        raise BadLawCodeError("charges[].law_code", str(exc)) from exc


# --- the rules -------------------------------------------------------------------------------

Pair = tuple[Cond, Outcome]


@lru_cache(maxsize=65536)
def _possible(rules: tuple[Pair, ...]) -> frozenset[Outcome]:
    """Outcomes some completion could give (over-approximation; exact once settled)."""
    out: set[Outcome] = set()
    for cond, outcome in rules:
        if cond == Const(False):
            continue
        out.add(outcome)
        if cond == TRUE:
            break
    return frozenset(out)


def _next_fact(lists: tuple[tuple[Pair, ...], ...]) -> str:
    for rules in lists:
        for cond, _ in rules:
            if isinstance(cond, Const):
                if cond.value:
                    break
                continue
            return min(facts_of(cond), key=FACT_NAMES.index)
    raise AssertionError("unreachable: every list is settled")


@lru_cache(maxsize=65536)
def _restrict_list(rules: tuple[Pair, ...], fact: str, value: FactValue) -> tuple[Pair, ...]:
    """Restrict every condition; drop rules that became false, and everything after a rule
    that became true (it always decides first). The result is canonical, so memos hit."""
    out: list[Pair] = []
    for cond, outcome in rules:
        if fact in facts_of(cond):
            cond = restrict(cond, fact, value)
            if cond == FALSE:
                continue
        out.append((cond, outcome))
        if cond == TRUE:
            break
    return tuple(out)


def _can_differ(lists: tuple[tuple[Pair, ...], ...], memo: dict[Any, bool]) -> bool:
    """Is there one assignment of the remaining facts under which the lists' outcomes differ?"""
    hit = memo.get(lists)
    if hit is not None:
        return hit
    possible = [_possible(rules) for rules in lists]
    union = set().union(*possible)
    if len(union) <= 1:
        result = False
    elif all(len(p) == 1 for p in possible):
        result = True
    else:
        fact = _next_fact(lists)
        result = any(
            _can_differ(tuple(_restrict_list(r, fact, v) for r in lists), memo)
            for v in FACTS[fact].domain
        )
    memo[lists] = result
    return result


def decide(policy: Policy, env: Mapping[str, FactValue | None]) -> Verdict:
    """Apply the rules to one charge's named facts (``None`` = unknown; absent = unknown, or the
    fact's default where the office's own records settle it, `facts.DEFAULTS`)."""
    if any(f not in env for f in DEFAULTS):
        env = {**DEFAULTS, **env}
    evaluated: list[RuleResult] = []
    undecided: list[Rule] = []
    deciding: Rule | None = None
    read: set[str] = set()
    for rule in policy.rules:
        result = evaluate3(rule.when, env)
        evaluated.append(RuleResult(rule.id, result))
        read |= rule.facts
        if result is True:
            deciding = rule
            break
        if result is None:
            undecided.append(rule)
    if deciding is None:  # the loader guarantees a final `always` rule
        raise AssertionError(f"policy {policy.id} has no catch-all rule")
    missing: tuple[str, ...] = ()
    if undecided:
        missing = _missing(policy, env, [*undecided, deciding])
    return Verdict(
        rule=deciding,
        evaluated=tuple(evaluated),
        missing_facts=missing,
        read=tuple(f for f in FACT_NAMES if f in read),
    )


_SEARCH_MEMO: dict[Any, bool] = {}


def _missing(
    policy: Policy, env: Mapping[str, FactValue | None], rules: list[Rule]
) -> tuple[str, ...]:
    from survivors_justice.policy.conditions import restrict_env

    known = {k: v for k, v in env.items() if v is not None}
    pairs = tuple((restrict_env(r.when, known), r.outcome) for r in rules)
    candidates: set[str] = set()
    for cond, _ in pairs:
        candidates |= facts_of(cond)
    memo = _SEARCH_MEMO  # a pure function of the (restricted) rule lists: shared by all calls
    if len(memo) > 500_000:
        memo.clear()
    found = []
    for fact in sorted(candidates, key=FACT_NAMES.index):
        lists = tuple(_restrict_list(pairs, fact, v) for v in FACTS[fact].domain)
        if _can_differ(lists, memo):
            found.append(fact)
    return tuple(found)


class _Engine:
    """A policy with a cache of verdicts keyed by the values of the facts it reads."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.facts = policy.facts
        self.cache: dict[tuple[FactValue | None, ...], Verdict] = {}
        self.charges: dict[tuple[object, ...], ChargeDecision] = {}

    def verdict(self, env: Mapping[str, FactValue | None]) -> Verdict:
        key = tuple(env.get(f, DEFAULTS.get(f)) for f in self.facts)
        hit = self.cache.get(key)
        if hit is None:
            if len(self.cache) > 200_000:
                self.cache.clear()
            hit = decide(self.policy, env)
            self.cache[key] = hit
        return hit


_ENGINES: dict[int, tuple[Policy, _Engine]] = {}


def engine(policy: Policy) -> _Engine:
    held = _ENGINES.get(id(policy))
    if held is None or held[0] is not policy:
        held = (policy, _Engine(policy))
        _ENGINES[id(policy)] = held
    return held[1]


def evaluate(
    policy: Policy,
    facts: CaseFacts | Mapping[str, Any],
    *,
    catalog: Catalog | None = None,
) -> Decision:
    """Decide a case: every charge's outcome, the case priority and the missing facts.

    ``facts`` is the JSON contract of DESIGN.md (a dict) or a `CaseFacts`; bad facts raise
    `FactsError` naming the key.
    """
    case = facts if isinstance(facts, CaseFacts) else CaseFacts.from_dict(facts)
    cat = catalog if catalog is not None else load_catalog()
    eng = engine(policy)
    case_key = case.case_key()
    decisions: list[ChargeDecision] = []
    missing: set[str] = set()
    for charge in case.charges:
        # A charge's decision depends only on the charge, the decision date and the case-level
        # facts; the same combination recurs constantly in arrest data, so it is remembered.
        key = (
            id(cat),
            charge.law_code,
            charge.pd_cd,
            charge.arrest_date,
            charge.section,
            charge.subdivision,
            case.decision_date,
            case_key,
        )
        decided = eng.charges.get(key)
        if decided is None:
            resolved = _resolve(cat, charge)
            env = {**case.case_values(), **charge_values(resolved, case.decision_date, cat)}
            decided = _charge_decision(policy, charge, resolved, env, eng.verdict(env))
            if len(eng.charges) > 200_000:
                eng.charges.clear()
            eng.charges[key] = decided
        missing.update(decided.missing_facts)
        decisions.append(decided)
    return Decision(
        policy_id=policy.id,
        policy_version=policy.version,
        decision_date=case.decision_date,
        case_priority=policy.most_serious([d.outcome for d in decisions]),
        charges=tuple(decisions),
        missing_facts=tuple(f for f in FACT_NAMES if f in missing),
        followups=followups_of(policy, decisions),
    )


def followups_of(
    policy: Policy, decisions: list[ChargeDecision] | tuple[ChargeDecision, ...]
) -> tuple[FollowUpResult, ...]:
    """The case's follow-ups: per action, the first follow-up (in document order) whose
    condition holds for some charge. A condition that is unknown never opens one."""
    fired = {fid for d in decisions for fid in d.followup_ids}
    taken: set[FollowUpAction] = set()
    out: list[FollowUpResult] = []
    for followup in policy.followups:
        if followup.id in fired and followup.action not in taken:
            taken.add(followup.action)
            out.append(_followup_result(policy, followup))
    return tuple(out)


def _followup_result(policy: Policy, followup: FollowUp) -> FollowUpResult:
    return FollowUpResult(
        id=followup.id,
        action=followup.action,
        owner_role=followup.owner_role,
        due_days=followup.due_days,
        reason=followup.reason,
        cites=tuple(policy.citation(s) for s in followup.cites),
    )


def _charge_decision(
    policy: Policy,
    charge: ChargeFacts,
    resolved: ResolvedCharge,
    env: Mapping[str, FactValue | None],
    verdict: Verdict,
) -> ChargeDecision:
    rule = verdict.rule
    citations = [policy.citation(s) for s in rule.cites]
    entry = resolved.entry
    if entry is not None:
        citations.append(f"{entry.citation} {entry.title}")
    return ChargeDecision(
        law_code=charge.law_code,
        section=resolved.section,
        subdivision=resolved.subdivision,
        status=resolved.status.value,
        role=None if resolved.role is None else resolved.role.value,
        title=None if entry is None else entry.title,
        outcome=rule.outcome,
        rule_id=rule.id,
        reason=rule.reason,
        actions=rule.actions,
        rules=verdict.evaluated,
        citations=tuple(citations),
        missing_facts=verdict.missing_facts,
        facts=MappingProxyType({f: env.get(f) for f in verdict.read}),
        note=resolved.note,
        followup_ids=tuple(f.id for f in policy.followups if evaluate3(f.when, env) is True),
        citation=None if entry is None else entry.citation,
        offense_class=None if entry is None else entry.offense_class,
        source_url=None if entry is None else entry.source_url,
    )
