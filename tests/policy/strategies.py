"""Hypothesis strategies: named-fact environments with unknowns."""

from __future__ import annotations

import itertools
from collections.abc import Mapping

from hypothesis import strategies as st

from survivors_justice.policy.conditions import evaluate3
from survivors_justice.policy.facts import FACT_NAMES, FACTS, FactValue
from survivors_justice.policy.model import Outcome, Policy

Env = dict[str, FactValue | None]


def fact_value(name: str, unknown: float = 0.35) -> st.SearchStrategy[FactValue | None]:
    known = st.sampled_from(FACTS[name].domain)
    if unknown <= 0:
        return known
    weight = max(1, round(unknown * 20))
    return st.one_of(*([st.none()] * weight), *([known] * (20 - weight)))


def envs(unknown: float = 0.35) -> st.SearchStrategy[Env]:
    return st.fixed_dictionaries({name: fact_value(name, unknown) for name in FACT_NAMES})


def completions(policy: Policy, env: Mapping[str, FactValue | None]) -> tuple[list[str], list[Env]]:
    """Every way the unknown facts a rule reads could turn out (brute force: the test oracle)."""
    unknown = [f for f in policy.facts if env.get(f) is None]
    out = []
    for values in itertools.product(*(FACTS[f].domain for f in unknown)):
        full = dict(env)
        full.update(zip(unknown, values, strict=True))
        out.append(full)
    return unknown, out


def outcome_of(policy: Policy, env: Mapping[str, FactValue | None]) -> Outcome:
    for rule in policy.rules:
        if evaluate3(rule.when, env) is True:
            return rule.outcome
    raise AssertionError("no rule fired")


def oracle_missing(policy: Policy, env: Mapping[str, FactValue | None]) -> set[str]:
    """Facts for which two completions differing only in that fact give different outcomes."""
    unknown, fulls = completions(policy, env)
    outcome = {tuple(full[f] for f in unknown): outcome_of(policy, full) for full in fulls}
    missing = set()
    for i, fact in enumerate(unknown):
        for key, o in outcome.items():
            for v in FACTS[fact].domain:
                other = (*key[:i], v, *key[i + 1 :])
                if outcome[other] != o:
                    missing.add(fact)
                    break
            if fact in missing:
                break
    return missing


def combinations(policy: Policy, env: Mapping[str, FactValue | None]) -> int:
    n = 1
    for f in policy.facts:
        if env.get(f) is None:
            n *= len(FACTS[f].domain)
    return n
