"""The loader refuses a malformed document whole, naming file, line and rule."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from survivors_justice.policy import load_policy, parse_policy, policy_documents
from survivors_justice.policy.errors import (
    BadFactValueError,
    DuplicateRuleError,
    PolicyDocumentError,
    PolicyNotFoundError,
    PolicySyntaxError,
    PolicyWarning,
    PrecedenceError,
    UnknownFactError,
    UnknownOutcomeError,
    UnknownSectionError,
)
from survivors_justice.policy.model import Outcome

GOOD = """\
id: tiny
version: "1"
effective_from: 2026-01-01
title: Tiny policy
sections:
  - id: sell
    title: Selling
    text: Sellers are declined.
  - id: rest
    title: Everything else
    text: A person decides.
case_priority: [prosecute_priority, panel_review, prosecute, outside_policy, decline]
precedence: [sellers, everyone]
rules:
  - id: sellers
    cites: sell
    when: {charge.role: seller}
    outcome: decline
    reason: Selling is declined.
  - id: everyone
    cites: rest
    when: always
    outcome: panel_review
    reason: A person decides.
"""


def test_a_good_document_loads() -> None:
    policy = parse_policy(GOOD, "tiny.yaml")
    assert [r.id for r in policy.rules] == ["sellers", "everyone"]
    assert policy.rules[0].outcome is Outcome.DECLINE
    assert policy.rules[0].line == 15
    assert policy.facts == ("charge.role",)


def _problem(text: str) -> PolicyDocumentError:
    with pytest.raises(PolicyDocumentError) as info:
        parse_policy(text, "bad.yaml")
    return info.value


def test_unknown_fact_names_file_line_and_rule() -> None:
    error = _problem(GOOD.replace("{charge.role: seller}", "{charge.roel: seller}"))
    assert isinstance(error, UnknownFactError)
    assert (error.path, error.line, error.rule_id) == ("bad.yaml", 17, "sellers")
    assert "charge.roel" in str(error) and "bad.yaml:17" in str(error)


def test_fact_value_outside_its_type() -> None:
    error = _problem(GOOD.replace("{charge.role: seller}", "{charge.role: pimp}"))
    assert isinstance(error, BadFactValueError)
    assert "pimp" in str(error) and "seller" in str(error)


def test_boolean_fact_compared_with_text() -> None:
    error = _problem(GOOD.replace("{charge.role: seller}", "{defendant.minor: maybe}"))
    assert isinstance(error, BadFactValueError)


def test_unknown_outcome() -> None:
    error = _problem(GOOD.replace("outcome: decline", "outcome: acquit"))
    assert isinstance(error, UnknownOutcomeError)
    assert error.rule_id == "sellers" and error.line == 18
    assert "acquit" in str(error)


def test_duplicate_rule_id() -> None:
    text = GOOD.replace("  - id: everyone\n", "  - id: sellers\n").replace(
        "[sellers, everyone]", "[sellers]"
    )
    error = _problem(text)
    assert any(isinstance(p, DuplicateRuleError) and p.line == 20 for p in error.problems)


def test_cited_section_must_exist() -> None:
    error = _problem(GOOD.replace("cites: sell\n", "cites: [sell, buyers]\n"))
    assert isinstance(error, UnknownSectionError)
    assert "buyers" in str(error) and error.rule_id == "sellers"


def test_precedence_must_name_every_rule_and_end_in_a_catch_all() -> None:
    error = _problem(GOOD.replace("[sellers, everyone]", "[sellers]"))
    assert isinstance(error, PrecedenceError)
    assert error.rule_id == "everyone"
    swapped = _problem(GOOD.replace("[sellers, everyone]", "[everyone, sellers]"))
    assert isinstance(swapped, PrecedenceError)
    assert "must be `when: always`" in str(swapped)


def test_every_problem_is_reported_and_nothing_is_loaded() -> None:
    text = GOOD.replace("outcome: decline", "outcome: acquit").replace(
        "cites: rest", "cites: nowhere"
    )
    error = _problem(text)
    kinds = {type(p) for p in error.problems}
    assert kinds == {UnknownOutcomeError, UnknownSectionError}
    assert "2 problems" in str(error)


def test_yaml_syntax_error_has_a_line() -> None:
    error = _problem(GOOD.replace("title: Tiny policy", "title: [Tiny"))
    assert isinstance(error, PolicySyntaxError)
    assert error.line is not None


def test_duplicate_key_in_a_mapping() -> None:
    error = _problem(
        GOOD.replace("    outcome: decline\n", "    outcome: decline\n    outcome: prosecute\n")
    )
    assert isinstance(error, PolicySyntaxError) and error.line == 19


def test_a_rule_that_can_never_fire_is_a_warning() -> None:
    text = GOOD.replace("[sellers, everyone]", "[sellers, again, everyone]").replace(
        "  - id: everyone\n",
        "  - id: again\n    cites: sell\n    when: {charge.role: seller}\n"
        "    outcome: prosecute\n    reason: Never.\n  - id: everyone\n",
    )
    with pytest.warns(PolicyWarning, match=r"rule again\): this rule can never fire"):
        policy = parse_policy(text, "warn.yaml")
    assert len(policy.warnings) == 1


def test_a_self_contradicting_condition_is_a_warning() -> None:
    text = GOOD.replace(
        "when: {charge.role: seller}",
        "when: {all: [{charge.role: seller}, {charge.role: buyer}]}",
    )
    with pytest.warns(PolicyWarning, match="sellers"):
        parse_policy(text, "warn.yaml")


def test_missing_document(tmp_path: Path) -> None:
    with pytest.raises(PolicyNotFoundError, match="no policy document"):
        load_policy(tmp_path / "nope.yaml")


def test_edits_to_a_document_are_reread(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(GOOD)
    assert load_policy(path).version == "1"
    path.write_text(GOOD.replace('version: "1"', 'version: "2"') + "\n")
    assert load_policy(path).version == "2"


@pytest.mark.parametrize("path", policy_documents(), ids=lambda p: p.name)
def test_every_shipped_document_loads_cleanly(path: Path) -> None:
    """Meta-test: every policy document parses, with no warnings, and cites real sections."""
    policy = parse_policy(path.read_text(encoding="utf-8"), path)
    assert policy.warnings == ()
    assert {c for r in policy.rules for c in r.cites} <= set(policy.section_by_id)
    assert all(r.reason for r in policy.rules)


def test_the_office_document_is_the_default() -> None:
    policy = load_policy()
    assert policy.id == "survivors-justice"
    assert textwrap.shorten(policy.summary, 40).startswith("We do not prosecute")


FOLLOWUPS = """\
followups:
  - id: help-sellers
    cites: sell
    when: {charge.role: seller}
    action: refer_to_advocate
    due_days: 3
    reason: Sellers meet an advocate.
"""


def test_follow_ups_load_with_their_owner() -> None:
    policy = parse_policy(GOOD + FOLLOWUPS, "tiny.yaml")
    (followup,) = policy.followups
    assert (followup.id, followup.action.value, followup.owner_role, followup.due_days) == (
        "help-sellers",
        "refer_to_advocate",
        "advocate",
        3,
    )
    assert (followup.cites, followup.reason, followup.line) == (
        ("sell",),
        "Sellers meet an advocate.",
        26,
    )


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        (("refer_to_advocate", "call_the_police"), PolicySyntaxError, "unknown follow-up action"),
        (("due_days: 3", "due_days: -1"), PolicySyntaxError, "`due_days` must be a whole"),
        (("due_days: 3", "due_days: soon"), PolicySyntaxError, "`due_days` must be a whole"),
        (("cites: sell", "cites: nowhere"), UnknownSectionError, "'nowhere'"),
        (("id: help-sellers", "id: sellers"), DuplicateRuleError, "already used"),
        (("{charge.role: seller}", "{charge.age: 3}"), UnknownFactError, "'charge.age'"),
        (("    reason: Sellers meet an advocate.\n", ""), PolicySyntaxError, "no `reason`"),
    ],
)
def test_bad_follow_ups_name_line_and_follow_up(
    change: tuple[str, str], error: type[PolicyDocumentError], message: str
) -> None:
    text = GOOD + FOLLOWUPS.replace(*change)
    with pytest.raises(error, match=message) as info:
        parse_policy(text, "tiny.yaml")
    assert info.value.path == "tiny.yaml"
    assert info.value.line is not None and info.value.line >= 26
