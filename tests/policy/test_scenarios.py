"""The lawyer-readable scenarios: every one passes, they cover every rule, and they can fail."""

from __future__ import annotations

from pathlib import Path

import pytest

from survivors_justice.policy import Policy
from survivors_justice.policy.errors import ScenarioFileError
from survivors_justice.policy.scenarios import (
    Scenario,
    check,
    load_scenarios,
    report,
    run_scenarios,
    scenario_files,
)

ALL: list[Scenario] = [s for path in scenario_files() for s in load_scenarios(path)]


def test_there_are_at_least_forty_scenarios_in_several_files() -> None:
    assert len(ALL) >= 40
    assert len(scenario_files()) >= 5
    assert len({s.name for s in ALL}) == len(ALL), "scenario names must be unique"


@pytest.mark.parametrize("scenario", ALL, ids=lambda s: f"{s.file.stem}:{s.line}")
def test_scenario(policy: Policy, scenario: Scenario) -> None:
    result = check(policy, scenario)
    assert result.passed, "\n".join(result.failures)


def test_every_rule_of_the_office_policy_is_exercised(policy: Policy) -> None:
    fired = {c.rule_id for r in run_scenarios(policy) for c in r.decision.charges}
    # The catch-all fires only when a cataloged charge has no role, which the catalog never
    # produces; the property tests exercise it with synthetic facts.
    assert {r.id for r in policy.rules} - fired == {"no-rule-settles"}


def test_every_outcome_appears_as_a_case_priority() -> None:
    assert {s.case_priority for s in ALL if s.case_priority} >= {
        "decline",
        "prosecute",
        "prosecute_priority",
        "panel_review",
        "outside_policy",
    }


def test_a_wrong_expectation_fails_with_a_readable_message(policy: Policy, tmp_path: Path) -> None:
    path = tmp_path / "wrong.yaml"
    path.write_text(
        "title: Wrong on purpose\n"
        "scenarios:\n"
        "  - name: selling is (wrongly) expected to be prosecuted\n"
        "    facts: {charges: [{section: '230.00'}]}\n"
        "    expect:\n"
        "      charges:\n"
        "        - {outcome: prosecute, rule: buyer-prosecuted, missing_facts: [defendant.minor]}\n"
    )
    (result,) = run_scenarios(policy, [path])
    assert not result.passed
    assert result.failures == (
        "charge 1: expected prosecute, got decline (rule selling-declined)",
        "charge 1: expected rule buyer-prosecuted, got selling-declined",
        "charge 1: expected missing facts ['defendant.minor'], got []",
    )
    text, passed = report([result])
    assert passed == 0 and "FAIL" in text and "wrong.yaml:3" in text


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "scenarios: [{name: x, facts: {charges: []}, expect: {case_priority: decline}}]",
            "non-empty list of charges",
        ),
        (
            "scenarios: [{name: x, facts: {charges: ['230.00']}, expect: {case_priority: jail}}]",
            "unknown outcome 'jail'",
        ),
        ("scenarios: [{name: x, facts: {charges: ['230.00']}, expect: {}}]", "expect nothing"),
        ("scenarios: [{name: x, facts: {charges: ['230.00']}, expects: {}}]", "expects"),
        (
            "scenarios: [{name: x, facts: {charges: ['230.00']}, expect: {missing_facts: [age]}}]",
            "unknown fact 'age'",
        ),
        (
            "scenarios: [{name: x, facts: {charges: ['230.00', '230.04']},"
            " expect: {charges: [{outcome: decline}]}}]",
            "2 charge(s)",
        ),
    ],
)
def test_malformed_scenario_files_are_refused(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(body + "\n")
    with pytest.raises(ScenarioFileError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_scenarios(path)


def test_every_follow_up_of_the_office_policy_opens_in_some_scenario(policy: Policy) -> None:
    opened = {f.id for r in run_scenarios(policy) for f in r.decision.followups}
    assert opened == {f.id for f in policy.followups}
    assert {f.id for f in policy.followups} == {
        "advocate-for-minor",
        "advocate-for-victim",
        "advocate-for-seller",
        "lead-minor-sold",
        "lead-coercion",
        "advocate-after-panel",
        "lead-after-panel",
    }


def test_the_scenarios_cover_every_determination_and_recommendation_of_the_panel(
    policy: Policy,
) -> None:
    """Each finding the panel records (review.models.Finding), with each outcome it recommends
    (RecommendedOutcome), is in some scenario of the office's policy; the values are written out
    here, not read from the policy's fact list."""
    findings = ("voluntary", "involuntary", "cannot_tell")
    recommendations = ("decline", "prosecute", "divert", "more_facts")
    seen = {
        (r.scenario.facts.panel.determination, r.scenario.facts.panel.recommendation)
        for r in run_scenarios(policy)
        if r.passed
    }
    for finding in findings:
        for recommendation in recommendations:
            assert (finding, recommendation) in seen, (finding, recommendation)
    assert ("none", "none") in seen  # and cases no panel has determined


def test_a_wrong_follow_up_expectation_fails(policy: Policy, tmp_path: Path) -> None:
    path = tmp_path / "wrong-followups.yaml"
    path.write_text(
        "title: Wrong on purpose\n"
        "scenarios:\n"
        "  - name: a seller is (wrongly) expected to open a trafficking lead\n"
        "    facts: {charges: [{section: '230.00'}], defendant: {age: 30}}\n"
        "    expect: {followups: [lead-coercion]}\n"
    )
    (result,) = run_scenarios(policy, [path])
    assert result.failures == (
        "follow-ups: expected ['lead-coercion'], got ['advocate-for-seller']",
    )
