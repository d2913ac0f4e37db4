"""The states of a case and the only transitions allowed between them.

Any other transition raises :class:`IllegalTransition`; nothing changes a case's state except
:func:`check_transition` callers in ``cases/decisions.py``.
"""

from __future__ import annotations

from django.db import models


class CaseState(models.TextChoices):
    INTAKE = "intake", "In intake"
    OVERRIDE_PENDING = "override_pending", "Override awaiting a supervisor"
    PANEL_REVIEW = "panel_review", "With the review panel"
    DECLINED = "declined", "Declined"
    PROSECUTING = "prosecuting", "Prosecuting"
    CLOSED = "closed", "Closed"


TRANSITIONS: dict[CaseState, frozenset[CaseState]] = {
    CaseState.INTAKE: frozenset(
        {
            CaseState.DECLINED,
            CaseState.PROSECUTING,
            CaseState.PANEL_REVIEW,
            CaseState.OVERRIDE_PENDING,
        }
    ),
    # A supervisor approves the override (its outcome) or refuses it (the recommendation's).
    CaseState.OVERRIDE_PENDING: frozenset(
        {CaseState.PROSECUTING, CaseState.DECLINED, CaseState.PANEL_REVIEW}
    ),
    # A supervisor may reopen a decision (with a reason): the case goes back to intake.
    CaseState.PANEL_REVIEW: frozenset(
        {CaseState.DECLINED, CaseState.PROSECUTING, CaseState.INTAKE}
    ),
    CaseState.PROSECUTING: frozenset({CaseState.CLOSED, CaseState.INTAKE}),
    CaseState.DECLINED: frozenset({CaseState.CLOSED, CaseState.INTAKE}),
    CaseState.CLOSED: frozenset(),
}


class IllegalTransition(ValueError):
    """A case was asked to move between two states the transition table does not connect."""

    def __init__(self, case_number: str, current: str, target: str) -> None:
        current, target = str(CaseState(current).value), str(target)
        target = CaseState(target).value if target in CaseState.values else target
        allowed = ", ".join(sorted(TRANSITIONS[CaseState(current)])) or "none (final state)"
        super().__init__(
            f"case {case_number} cannot go from {current!r} to {target!r}; allowed from "
            f"{current!r}: {allowed}"
        )


def check_transition(case_number: str, current: str, target: str) -> None:
    if CaseState(target) not in TRANSITIONS[CaseState(current)]:
        raise IllegalTransition(case_number, current, target)


class UnknownOutcome(ValueError):
    """A charge outcome that is not one of the policy's five."""

    def __init__(self, values: list[str]) -> None:
        super().__init__(
            f"unknown charge outcome(s) {values}; use decline, prosecute, prosecute_priority, "
            "panel_review or outside_policy"
        )


# Charge outcomes (survivors_justice.policy.model.Outcome values) and the case state they lead to.
_GOES_ON = frozenset({"prosecute", "prosecute_priority", "outside_policy"})


def state_for_outcomes(outcomes: list[str] | tuple[str, ...]) -> CaseState:
    """The state a case takes once its charges' outcomes are decided.

    Any charge for the panel sends the case there (the panel decides case by case); otherwise any
    charge that goes on (prosecuted, or outside this policy: the normal process) makes the case
    one the office prosecutes; a case whose every charge is declined is declined.
    """
    unknown = set(outcomes) - _GOES_ON - {"decline", "panel_review"}
    if unknown:
        raise UnknownOutcome(sorted(unknown))
    if "panel_review" in outcomes:
        return CaseState.PANEL_REVIEW
    if _GOES_ON.intersection(outcomes):
        return CaseState.PROSECUTING
    return CaseState.DECLINED
