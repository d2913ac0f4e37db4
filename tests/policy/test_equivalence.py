"""The per-case and batch evaluators agree: outcomes, rules and missing facts."""

from __future__ import annotations

import random

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from survivors_justice.policy import Policy, decide, evaluate_frame
from survivors_justice.policy.batch import NYPD_FACTS, decision_table, env_grid
from survivors_justice.policy.facts import FACT_NAMES, FACTS

from .strategies import Env, envs


def _batch(policy: Policy, rows: list[Env]) -> list[tuple[str, str, list[str]]]:
    frame = env_grid(dict.fromkeys(FACT_NAMES, ())).clear()
    frame = pl.DataFrame(rows, schema=frame.schema)
    out = evaluate_frame(policy, frame.lazy()).collect()
    return list(zip(out["rule_id"], out["outcome"], out["missing_facts"].to_list(), strict=True))


def _single(policy: Policy, env: Env) -> tuple[str, str, list[str]]:
    v = decide(policy, env)
    return v.rule.id, v.outcome.value, list(v.missing_facts)


@settings(max_examples=150, deadline=None)
@given(rows=st.lists(envs(), min_size=1, max_size=40))
def test_both_evaluators_agree_on_random_facts(policy: Policy, rows: list[Env]) -> None:
    assert _batch(policy, rows) == [_single(policy, env) for env in rows]


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(envs(unknown=0.8), min_size=1, max_size=20))
def test_both_evaluators_agree_when_most_facts_are_unknown(policy: Policy, rows: list[Env]) -> None:
    assert _batch(policy, rows) == [_single(policy, env) for env in rows]


def test_the_screening_decision_table_agrees_with_the_per_case_evaluator(policy: Policy) -> None:
    table = decision_table(policy)
    expected_rows = 1
    for f in NYPD_FACTS:
        expected_rows *= len(FACTS[f].domain) + 1
    assert table.height == expected_rows
    sample = random.Random(2017).sample(range(table.height), 1500)
    for i in sample:
        row = table.row(i, named=True)
        env = {f: row[f] for f in NYPD_FACTS}
        assert (row["rule_id"], row["outcome"], row["missing_facts"]) == _single(policy, env)
