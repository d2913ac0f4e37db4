"""Who may sit, quorum, and how positions become a determination (no writes, no Django views).

The permission module asks :func:`sitting_gap` and :func:`may_read_packet`; the services ask
:func:`quorum_gap` and :func:`tally` before they record anything.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings

from survivors_justice.review.models import (
    DocketEntry,
    Finding,
    PanelMember,
    PanelSession,
    RecommendedOutcome,
    SeatKind,
    SessionState,
)
from survivors_justice.training.rules import training_gap


def sitting_gap(member: PanelMember, *, on: date) -> str | None:
    """Why this member may not sit on ``on`` (a plain sentence), or None when they may."""
    if not member.active:
        return "Your panel seat is not active. Ask the panel coordinator."
    if member.confidentiality_signed_at is None:
        return "Sign the confidentiality acknowledgment before you read any case."
    if not member.term_start <= on <= member.term_end:
        return (
            f"Your term runs from {member.term_start:%d %B %Y} to {member.term_end:%d %B %Y}; "
            "ask the panel coordinator about a new term."
        )
    if member.training_current_until is None or member.training_current_until < on:
        return "Your panel training is not current. Complete it before you sit on a session."
    # the training records decide too: a seat given while trained stops when a course lapses
    return training_gap(member.user, "panel_seat", today=on)


def may_read_packet(member: PanelMember, entry: DocketEntry, *, at: datetime) -> bool:
    """Seated in the entry's session, the session in progress, no conflict, allowed to sit."""
    session: PanelSession = entry.session
    return (
        session.state == SessionState.OPEN
        and entry.redaction_confirmed_at is not None
        and session.seats.filter(member=member).exists()
        and not entry.conflicts.filter(member=member).exists()
        and sitting_gap(member, on=at.date()) is None
    )


@dataclass(frozen=True, slots=True)
class QuorumRule:
    seats: frozenset[str]
    at_least: int

    def describe(self) -> str:
        names = " or ".join(SeatKind(s).label.lower() for s in sorted(self.seats))
        return f"at least {self.at_least} {names}"


def quorum_rules() -> list[QuorumRule]:
    """The quorum, as the ``PANEL_QUORUM`` setting writes it (see settings.py)."""
    return [
        QuorumRule(frozenset(r["seats"]), int(r["at_least"]))
        for r in getattr(settings, "PANEL_QUORUM", [])
    ]


def quorum_gap(voter_seats: Iterable[str]) -> str | None:
    """Which quorum rule the voters on a case fail, or None when there is quorum."""
    counts = Counter(voter_seats)
    missing = [r.describe() for r in quorum_rules() if sum(counts[s] for s in r.seats) < r.at_least]
    if missing:
        return "No quorum: the voters on this case need " + "; ".join(missing) + "."
    return None


@dataclass(frozen=True, slots=True)
class Tally:
    finding: str
    recommended_outcome: str
    voluntary: int
    involuntary: int
    cannot_tell: int
    reasons: list[dict[str, int | str]]


def tally(positions: Sequence[tuple[str, str, Sequence[str]]]) -> Tally:
    """(finding, recommended outcome, reasons) of each voter -> the panel's determination.

    The finding is the one a strict majority gave, otherwise "cannot tell"; the recommended outcome
    is the one most voters gave, and "gather more facts" when two tie.
    """
    findings = Counter(f for f, _, _ in positions)
    n = len(positions)
    finding = next(
        (f for f, c in findings.items() if c * 2 > n and f != Finding.CANNOT_TELL),
        Finding.CANNOT_TELL,
    )
    outcomes = Counter(o for _, o, _ in positions).most_common()
    outcome: str
    if not outcomes or (len(outcomes) > 1 and outcomes[0][1] == outcomes[1][1]):
        outcome = RecommendedOutcome.MORE_FACTS
    else:
        outcome = outcomes[0][0]
    reasons = Counter(r for _, _, rs in positions for r in rs)
    return Tally(
        finding=str(finding),
        recommended_outcome=str(outcome),
        voluntary=findings[Finding.VOLUNTARY],
        involuntary=findings[Finding.INVOLUNTARY],
        cannot_tell=findings[Finding.CANNOT_TELL],
        reasons=[{"reason": r, "count": c} for r, c in sorted(reasons.items())],
    )
