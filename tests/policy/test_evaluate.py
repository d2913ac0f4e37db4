"""The per-case evaluator: facts contract, decisions, and exact missing facts."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from hypothesis import assume, given, settings

from survivors_justice.policy import CaseFacts, Outcome, Policy, decide, evaluate
from survivors_justice.policy.errors import (
    FactsError,
    FactTypeError,
    NoChargesError,
    UnknownFactKeyError,
)
from survivors_justice.policy.explain import explain
from survivors_justice.policy.facts import FACT_NAMES

from .strategies import Env, combinations, completions, envs, oracle_missing, outcome_of

CONTRACT: dict[str, Any] = {
    "decision_date": "2026-11-28",
    "charges": [
        {"law_code": "PL 2302502", "pd_cd": "584", "arrest_date": "2017-12-22"},
        {"section": "230.00"},
    ],
    "defendant": {"age": 17, "age_group": "<18", "victim_indicators": None},
    "victims": [{"age": None}],
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


def test_the_design_contract_example(policy: Policy) -> None:
    decision = evaluate(policy, CONTRACT)
    data = json.loads(decision.to_json())
    assert data["policy"] == {"id": "survivors-justice", "version": policy.version}
    assert [c["outcome"] for c in data["charges"]] == ["panel_review", "decline"]
    first = data["charges"][0]
    assert (first["section"], first["subdivision"], first["role"]) == ("230.25", "2", "promoter")
    assert first["rule"] == "minor-charged-with-promoting"
    assert any("PL 230.25(2)" in c for c in first["citations"])
    assert any("§case-by-case" in c for c in first["citations"])
    assert data["case_priority"] == "panel_review"
    for key in ("law_code", "section", "subdivision", "role", "outcome", "rules", "citations"):
        assert key in first


def test_facts_round_trip_through_the_contract() -> None:
    facts = CaseFacts.from_dict(CONTRACT)
    assert CaseFacts.from_dict(facts.to_dict()) == facts
    assert facts.charges[0].arrest_date == date(2017, 12, 22)


@pytest.mark.parametrize(
    ("patch", "error", "where"),
    [
        ({"defendent": {}}, UnknownFactKeyError, "defendent"),
        ({"defendant": {"age": "seventeen"}}, FactTypeError, "defendant.age"),
        ({"defendant": {"age": 250}}, FactTypeError, "defendant.age"),
        ({"indicators": {"force": "yes"}}, FactTypeError, "indicators.force"),
        ({"indicators": {"violence": True}}, UnknownFactKeyError, "indicators.violence"),
        ({"charges": []}, NoChargesError, "charges"),
        ({"charges": [{"pd_cd": "563"}]}, FactTypeError, "charges[0]"),
        ({"decision_date": "28/11/2026"}, FactTypeError, "decision_date"),
        ({"victims": {"age": 3}}, FactTypeError, "victims"),
    ],
)
def test_bad_facts_name_the_key(
    policy: Policy, patch: dict[str, Any], error: type, where: str
) -> None:
    with pytest.raises(error) as info:
        evaluate(policy, {**CONTRACT, **patch})
    assert isinstance(info.value, FactsError)
    assert info.value.path == where
    assert where in str(info.value)


def test_an_unreadable_law_code_goes_to_a_person(policy: Policy) -> None:
    decision = evaluate(policy, {"charges": [{"law_code": "@@@"}]})
    charge = decision.charges[0]
    assert (charge.outcome, charge.rule_id) == (Outcome.PANEL_REVIEW, "unrecognised-charge")
    assert "@@@" in charge.note


def test_case_priority_is_the_most_serious_charge(policy: Policy) -> None:
    facts = {
        "charges": [
            {"section": "230.00"},
            {"law_code": "PL 1200500"},
            {"section": "230.34", "arrest_date": "2020-01-01"},
        ],
        "defendant": {"age": 30, "victim_indicators": False},
    }
    decision = evaluate(policy, facts)
    assert [c.outcome for c in decision.charges] == [
        Outcome.DECLINE,
        Outcome.OUTSIDE_POLICY,
        Outcome.PROSECUTE_PRIORITY,
    ]
    assert decision.case_priority is Outcome.PROSECUTE_PRIORITY
    assert policy.case_priority[0] is Outcome.PROSECUTE_PRIORITY


def test_decision_records_rules_read_values_and_citations(policy: Policy) -> None:
    decision = evaluate(
        policy,
        {"charges": [{"section": "230.04", "arrest_date": "2024-01-01"}], "defendant": {"age": 40}},
    )
    charge = decision.charges[0]
    assert charge.rule_id == "buyer-prosecuted"
    evaluated = [r.rule_id for r in charge.rules]
    assert evaluated == [r.id for r in policy.rules][: evaluated.index("buyer-prosecuted") + 1]
    assert {r.result for r in charge.rules if r.rule_id == "control-priority"} == {None}
    assert charge.facts["charge.role"] == "buyer"
    assert charge.facts["indicators.force"] is None
    assert "indicators.force" in charge.missing_facts
    text = explain(decision, policy)
    assert "    - Was force used to control anyone in the case?\n" in text
    assert "indicators.force" not in text


def test_the_decision_date_changes_the_rule_for_repealed_law(policy: Policy) -> None:
    charge = {"section": "240.37", "arrest_date": "2019-01-01"}
    before = evaluate(policy, {"charges": [charge], "decision_date": "2021-02-01"})
    after = evaluate(policy, {"charges": [charge], "decision_date": "2021-02-02"})
    assert before.charges[0].rule_id == "loitering-declined"
    assert after.charges[0].rule_id == "loitering-after-repeal"
    assert before.charges[0].outcome == after.charges[0].outcome == Outcome.DECLINE


@settings(max_examples=300, deadline=None)
@given(env=envs())
def test_missing_facts_are_exactly_the_facts_that_could_change_the_outcome(
    policy: Policy, env: Env
) -> None:
    """Brute force over every completion of the unknown facts is the oracle."""
    assume(combinations(policy, env) <= 4096)
    verdict = decide(policy, env)
    assert set(verdict.missing_facts) == oracle_missing(policy, env)
    assert list(verdict.missing_facts) == [f for f in FACT_NAMES if f in verdict.missing_facts]
    _, fulls = completions(policy, env)
    outcomes = {outcome_of(policy, full) for full in fulls}
    if verdict.rule.id != policy.rules[-1].id:
        assert verdict.outcome in outcomes  # the decision is one the facts could lead to
    else:  # the safety net: what no rule settles with the facts known goes to a person
        assert verdict.outcome in outcomes or verdict.missing_facts
    if not verdict.missing_facts:  # nothing missing: settled for every completion
        assert outcomes == {verdict.outcome}


def test_a_charge_whose_role_is_unknown_goes_to_a_person_not_to_a_guess(policy: Policy) -> None:
    """Every role would settle it (declined, prosecuted), but which one is unknown: the safety
    net sends it to the panel and asks for the role, although no completion ends there."""
    env: Env = dict.fromkeys(FACT_NAMES, False)
    env.update(
        {
            "charge.status": "cataloged",
            "charge.family": "prostitution",
            "charge.role": None,
            "charge.in_force_at_arrest": True,
            "panel.determination": "none",
            "panel.recommendation": "none",
        }
    )
    verdict = decide(policy, env)
    assert (verdict.rule.id, verdict.outcome.value) == ("no-rule-settles", "panel_review")
    assert verdict.missing_facts == ("charge.role",)


@settings(max_examples=200, deadline=None)
@given(env=envs(unknown=0.0))
def test_with_every_fact_known_nothing_is_missing(policy: Policy, env: Env) -> None:
    assert decide(policy, env).missing_facts == ()


def test_follow_ups_in_the_decision_json(policy: Policy) -> None:
    decision = evaluate(
        policy,
        {
            "decision_date": "2026-11-28",
            "charges": [{"section": "230.00", "arrest_date": "2025-01-01"}],
            "defendant": {"age": 16},
        },
    )
    title = "Survivor's Justice Policy v2026.3 §help-and-investigation"
    sections = (
        f"{title} (People who are exploited get help, and whoever exploited them is investigated)"
    )
    assert decision.to_dict()["followups"] == [
        {
            "id": "advocate-for-minor",
            "action": "refer_to_advocate",
            "owner_role": "advocate",
            "due_days": 1,
            "reason": "The person charged is under 18; a victim advocate meets them, whatever "
            "happens to the charge.",
            "cites": [sections],
        },
        {
            "id": "lead-minor-sold",
            "action": "open_trafficking_lead",
            "owner_role": "trafficking_ada",
            "due_days": 1,
            "reason": "A child or young person was sold for sex (a person under 18 is charged "
            "with selling sex, "
            "a person exploited in the case is under 18, or the offense charged is defined by "
            "the young age of the person prostituted); a child who is sold is a victim of "
            "trafficking, so whoever sold them is investigated.",
            "cites": [
                sections,
                "Survivor's Justice Policy v2026.3 §coercive-and-predatory (Coercive and "
                "predatory cases come first)",
            ],
        },
    ]
    text = explain(decision, policy)
    assert (
        "Follow-ups for the people in the case:\n"
        "  - Refer the person to a victim advocate (for the victim advocates, within 1 day).\n"
        "    Why: The person charged is under 18; a victim advocate meets them, whatever happens "
        "to the charge.\n"
        f"    Cites: {sections}\n"
        "  - Open a lead for the trafficking prosecutors: investigate whoever sold or controlled "
        "the person (for the trafficking prosecutors, within 1 day).\n"
    ) in text


def test_a_case_without_follow_ups_says_nothing_of_them(policy: Policy) -> None:
    decision = evaluate(policy, {"charges": [{"section": "230.04"}], "defendant": {"age": 40}})
    assert decision.followups == ()
    assert "Follow-ups" not in explain(decision, policy)
