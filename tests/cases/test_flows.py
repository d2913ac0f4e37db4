"""The case transition table: every listed transition is allowed, every other one fails loudly."""

from __future__ import annotations

import itertools

import pytest

from survivors_justice.cases.flows import (
    TRANSITIONS,
    CaseState,
    IllegalTransition,
    UnknownOutcome,
    check_transition,
    state_for_outcomes,
)


def test_every_state_has_a_row() -> None:
    assert set(TRANSITIONS) == set(CaseState)


@pytest.mark.parametrize(("current", "target"), list(itertools.product(CaseState, CaseState)))
def test_only_listed_transitions_pass(current: CaseState, target: CaseState) -> None:
    if target in TRANSITIONS[current]:
        check_transition("Q-1", current, target)
    else:
        with pytest.raises(IllegalTransition) as err:
            check_transition("Q-1", current, target)
        message = str(err.value)
        assert "Q-1" in message and repr(str(current.value)) in message
        assert repr(str(target.value)) in message


def test_closed_is_final_and_says_so() -> None:
    with pytest.raises(IllegalTransition, match="none \\(final state\\)"):
        check_transition("Q-2", CaseState.CLOSED, CaseState.INTAKE)


def test_only_a_decided_case_returns_to_intake_when_reopened() -> None:
    back = {state for state, targets in TRANSITIONS.items() if CaseState.INTAKE in targets}
    assert back == {CaseState.DECLINED, CaseState.PROSECUTING, CaseState.PANEL_REVIEW}


def test_an_override_waits_then_goes_where_the_supervisor_says() -> None:
    assert TRANSITIONS[CaseState.INTAKE] >= {CaseState.OVERRIDE_PENDING}
    assert TRANSITIONS[CaseState.OVERRIDE_PENDING] == {
        CaseState.PROSECUTING,
        CaseState.DECLINED,
        CaseState.PANEL_REVIEW,
    }


@pytest.mark.parametrize(
    ("outcomes", "state"),
    [
        (["decline"], CaseState.DECLINED),
        (["decline", "decline"], CaseState.DECLINED),
        (["prosecute"], CaseState.PROSECUTING),
        (["prosecute_priority"], CaseState.PROSECUTING),
        (["outside_policy"], CaseState.PROSECUTING),
        # a selling charge is declined while the assault charge on the same case goes on
        (["decline", "outside_policy"], CaseState.PROSECUTING),
        (["panel_review", "prosecute"], CaseState.PANEL_REVIEW),
        (["decline", "panel_review"], CaseState.PANEL_REVIEW),
    ],
)
def test_state_for_outcomes(outcomes: list[str], state: CaseState) -> None:
    assert state_for_outcomes(outcomes) is state


def test_unknown_outcome_is_named() -> None:
    with pytest.raises(UnknownOutcome, match="'acquit'"):
        state_for_outcomes(["decline", "acquit"])
