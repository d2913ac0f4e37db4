"""The states of a case and the only transitions allowed between them.

Any other transition raises :class:`IllegalTransition`; nothing changes a case's state except
:func:`check_transition` callers in ``cases/services.py``.
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
    CaseState.OVERRIDE_PENDING: frozenset({CaseState.PROSECUTING, CaseState.DECLINED}),
    CaseState.PANEL_REVIEW: frozenset({CaseState.DECLINED, CaseState.PROSECUTING}),
    CaseState.PROSECUTING: frozenset({CaseState.CLOSED}),
    CaseState.DECLINED: frozenset({CaseState.CLOSED}),
    CaseState.CLOSED: frozenset(),
}


class IllegalTransition(ValueError):
    """A case was asked to move between two states the transition table does not connect."""

    def __init__(self, case_number: str, current: str, target: str) -> None:
        allowed = ", ".join(sorted(TRANSITIONS[CaseState(current)])) or "none (final state)"
        super().__init__(
            f"case {case_number} cannot go from {current!r} to {target!r}; allowed from "
            f"{current!r}: {allowed}"
        )


def check_transition(case_number: str, current: str, target: str) -> None:
    if CaseState(target) not in TRANSITIONS[CaseState(current)]:
        raise IllegalTransition(case_number, current, target)
