"""The policy's recommendation for a case: the facts the office knows, the policy in force, and
the evaluation, cached per distinct set of facts (a queue of thousands shares few).

Reads only; the writes a decision makes live in ``cases/decisions.py``.
"""

from __future__ import annotations

import copy
import functools
import json
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils import timezone

from survivors_justice.cases.flows import CaseState, state_for_outcomes
from survivors_justice.cases.models import Case
from survivors_justice.policy import FACTS, Policy, evaluate, load_policy
from survivors_justice.policy.explain import ROLE_WORDS, fact_sentence

DECLINE = "decline"

OUTCOME_LABELS: dict[str, str] = {
    "decline": "Decline to prosecute",
    "prosecute": "Prosecute",
    "prosecute_priority": "Prosecute as a priority case",
    "panel_review": "Send to the review panel",
    "outside_policy": "Outside this policy (normal process)",
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
    citation: str = ""  # the offense as a lawyer cites it: "PL 230.34(5)(a)"
    title: str = ""  # the offense's name in the catalog
    offense_class: str = ""  # "B felony"

    @property
    def outcome_label(self) -> str:
        return OUTCOME_LABELS.get(self.outcome, self.outcome)

    @property
    def label(self) -> str:
        """``PL 230345A, read as PL 230.34(5)(a) Sex trafficking (...), B felony``: the code as
        recorded, then the offense as a lawyer cites and names it."""
        recorded = self.law_code or self.citation or "a charge with no law code"
        if not self.citation:
            return recorded
        read = f"{self.citation} {self.title}" if self.title else self.citation
        if self.offense_class:
            read += f", {self.offense_class}"
        if recorded == self.citation:
            return read
        return f"{recorded}, read as {read}"

    @property
    def role_words(self) -> str:
        """Whom the law charged targets, in words ("people who buy sex")."""
        return ROLE_WORDS.get(self.role, self.role)


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
    def policy_name(self) -> str:
        """The policy's title ("Survivor's Justice Policy"), not its internal id."""
        policy = current_policy()
        return policy.title if policy.id == self.policy_id else self.policy_id

    @property
    def declines(self) -> bool:
        return any(c.outcome == DECLINE for c in self.charges)

    @functools.cached_property
    def missing(self) -> list[str]:
        """The missing facts as the questions a person would answer."""
        return [_question(name) for name in self.missing_facts]

    @functools.cached_property
    def facts_read(self) -> list[str]:
        """The facts the rules read, each as a sentence a lawyer reads (no internal names)."""
        read: dict[str, Any] = {}
        for charge in self.charges:
            read.update(charge.facts)
        return [_fact_sentence(name, value) for name, value in read.items()]


def _question(name: str) -> str:
    spec = FACTS.get(name)
    return spec.question if spec else name.replace("_", " ").replace(".", ": ")


def _fact_sentence(name: str, value: Any) -> str:
    if name in FACTS:
        return fact_sentence(name, value)
    return f"{_question(name)}: {'unknown' if value is None else value}."


_POLICY_CACHE: dict[str, Any] = {}  # "policy": Policy, "at": monotonic seconds
POLICY_RECHECK_SECONDS = 5.0


def current_policy() -> Policy:
    """The office's policy document in force.

    The loader re-reads the document when its file changes; asking it costs a ``stat`` call, so
    a list page of 25 cases asks at most once every few seconds, not once per case.
    """
    now = time.monotonic()
    if now - _POLICY_CACHE.get("at", -POLICY_RECHECK_SECONDS) >= POLICY_RECHECK_SECONDS:
        _POLICY_CACHE["policy"] = load_policy()
        _POLICY_CACHE["at"] = now
    policy: Policy = _POLICY_CACHE["policy"]
    return policy


def _fact_key(case: Case, on: date | None) -> tuple[Any, ...]:
    """Everything :func:`case_facts` reads from the case, as a hashable key."""
    arrest = case.arrest
    return fact_key(
        arrest_law_code=arrest.law_code,
        charges=[(c.position, c.law_code) for c in _charges(case)]
        if case.amended_charges is None
        else [],
        pd_cd=arrest.pd_cd,
        arrest_date=arrest.arrest_date,
        age_group=arrest.age_group,
        on=on,
        known=case.known_facts,
        amended=case.amended_charges,
    )


def fact_key(
    *,
    arrest_law_code: str,
    charges: Iterable[tuple[int, str]],
    pd_cd: str,
    arrest_date: date,
    age_group: str,
    on: date | None = None,
    known: Mapping[str, Any] | None = None,
    amended: Iterable[Iterable[Any]] | None = None,
) -> tuple[Any, ...]:
    """The key :func:`recommend` caches on, from plain column values (a search reads these
    without loading a case): ``charges`` are (position, law code) pairs, in any order;
    ``known`` is ``Case.known_facts`` (the current known answers) and ``amended`` is
    ``Case.amended_charges`` (when not None, the case's charges instead of ``charges``)."""
    if amended is not None:
        charges = [(int(p), str(code)) for p, code in amended]
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
        tuple(sorted((k, json.dumps(v)) for k, v in (known or {}).items())),
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
    codes, _, pd_cd, arrest_date, age_group, decision_date, known = key
    facts: dict[str, Any] = {
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
    for name, raw in known:
        apply_known_fact(facts, name, json.loads(raw))
    return facts


def apply_known_fact(facts: dict[str, Any], name: str, value: Any) -> None:
    """Put the known answer ``value`` to question ``name`` (a ``CaseFact.fact`` key) into
    ``facts`` (the policy's JSON contract). Keys the policy does not read are left out."""
    head, _, tail = name.partition(".")
    if name == "victims.min_age":
        facts["victims"] = [] if value == "none" else [{"age": int(value)}]
    elif head in ("indicators", "defendant") and tail:
        facts[head][tail] = value
    elif name == "co_defendants_sold_together":
        facts[name] = value
    elif head == "panel" and tail:
        facts.setdefault("panel", {})[tail] = value


def _charges(case: Case) -> list[Any]:
    """The arrest's charges by position; from the prefetch cache when a list page filled it
    (``.all()`` would clone a queryset per call, a measurable cost on a page of 25 cases)."""
    arrest = case.arrest
    cached = getattr(arrest, "_prefetched_objects_cache", {}).get("charges")
    rows = list(cached) if cached is not None else list(arrest.charges.all())
    return sorted(rows, key=lambda c: c.position)


def _positions(case: Case) -> list[int]:
    return charge_positions(case)


def charge_positions(case: Case) -> list[int]:
    """The positions of the case's charges (after amendments), in order."""
    if case.amended_charges is not None:
        return sorted(int(p) for p, _ in case.amended_charges) or [1]
    return [c.position for c in _charges(case)] or [1]


def current_charges(case: Case) -> list[tuple[int, str]]:
    """(position, law code) of the case's charges after amendments, in order."""
    if case.amended_charges is not None:
        return sorted((int(p), str(code)) for p, code in case.amended_charges)
    return [(c.position, c.law_code) for c in _charges(case)]


def evaluate_facts(facts: Mapping[str, Any]) -> dict[str, Any]:
    """Run ``facts`` (the JSON contract) through the policy in force; the decision as a dict.

    Bad facts raise ``survivors_justice.policy.FactsError`` (its message names the bad value).
    """
    return copy.deepcopy(_evaluate_shared(facts))


_POLICIES: dict[int, Policy] = {}


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
                citation=str(ch.get("citation") or ""),
                title=str(ch.get("title") or ""),
                offense_class=str(ch.get("offense_class") or ""),
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

