"""A policy document in memory: sections in the office's words, rules, precedence."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import cached_property
from pathlib import Path

from survivors_justice.policy.conditions import Cond, facts_of


class Outcome(StrEnum):
    """What the policy asks the office to do with a charge."""

    DECLINE = "decline"
    PROSECUTE = "prosecute"
    PROSECUTE_PRIORITY = "prosecute_priority"
    PANEL_REVIEW = "panel_review"
    OUTSIDE_POLICY = "outside_policy"  # not a prostitution or trafficking charge: normal process


OUTCOME_WORDS = {
    Outcome.DECLINE: "decline to prosecute",
    Outcome.PROSECUTE: "prosecute",
    Outcome.PROSECUTE_PRIORITY: "prosecute as a priority case",
    Outcome.PANEL_REVIEW: "send to the review panel to decide case by case",
    Outcome.OUTSIDE_POLICY: "outside this policy: the office's normal process applies",
}


class Action(StrEnum):
    """Something the office does besides the charging decision."""

    SEAL = "seal"  # mark the record for sealing


class FollowUpAction(StrEnum):
    """Work the office opens for a person besides the charging decision."""

    REFER_TO_ADVOCATE = "refer_to_advocate"  # refer the person to a victim advocate
    OPEN_TRAFFICKING_LEAD = "open_trafficking_lead"  # investigate whoever sold or coerced them


FOLLOWUP_OWNER = {
    FollowUpAction.REFER_TO_ADVOCATE: "advocate",
    FollowUpAction.OPEN_TRAFFICKING_LEAD: "trafficking_ada",
}

FOLLOWUP_WORDS = {
    FollowUpAction.REFER_TO_ADVOCATE: "refer the person to a victim advocate",
    FollowUpAction.OPEN_TRAFFICKING_LEAD: (
        "open a lead for the trafficking prosecutors: investigate whoever sold or controlled "
        "the person"
    ),
}


@dataclass(frozen=True, slots=True)
class FollowUp:
    """A follow-up of the policy document: when its condition holds for a charge of the case,
    the office opens the action (once per case and action: the first follow-up that holds)."""

    id: str
    cites: tuple[str, ...]  # section ids
    when: Cond
    action: FollowUpAction
    due_days: int  # days from the screening to do it
    reason: str
    line: int | None = None

    @property
    def owner_role(self) -> str:
        return FOLLOWUP_OWNER[self.action]


@dataclass(frozen=True, slots=True)
class Section:
    """A section of the policy, in the office's own words; rules cite sections."""

    id: str
    title: str
    text: str
    line: int | None = None


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    cites: tuple[str, ...]  # section ids
    when: Cond
    outcome: Outcome
    reason: str  # plain English, shown to the prosecutor
    actions: tuple[Action, ...] = ()
    line: int | None = None

    @property
    def facts(self) -> frozenset[str]:
        return facts_of(self.when)


@dataclass(frozen=True)
class Policy:
    """A loaded, validated policy document. Rules are held in precedence order."""

    id: str
    version: str
    effective_from: date
    title: str
    sections: tuple[Section, ...]
    rules: tuple[Rule, ...]  # in precedence order: the first rule that holds decides
    case_priority: tuple[Outcome, ...]  # most serious first
    path: Path | None = None
    summary: str = ""
    warnings: tuple[str, ...] = field(default=())
    followups: tuple[FollowUp, ...] = field(default=())  # in document order

    @cached_property
    def section_by_id(self) -> dict[str, Section]:
        return {s.id: s for s in self.sections}

    @cached_property
    def rule_by_id(self) -> dict[str, Rule]:
        return {r.id: r for r in self.rules}

    @cached_property
    def facts(self) -> tuple[str, ...]:
        """Every named fact some rule reads, in a stable order."""
        from survivors_justice.policy.facts import FACT_NAMES

        used: set[str] = set()
        for rule in self.rules:
            used |= rule.facts
        return tuple(f for f in FACT_NAMES if f in used)

    @cached_property
    def priority_rank(self) -> dict[Outcome, int]:
        """0 = the most serious outcome."""
        return {o: i for i, o in enumerate(self.case_priority)}

    def citation(self, section_id: str) -> str:
        """``Survivor's Justice Policy v2026.1 §selling-sex: People who sell sex ...``."""
        section = self.section_by_id[section_id]
        return f"{self.title} v{self.version} §{section.id} ({section.title})"

    def most_serious(self, outcomes: list[Outcome]) -> Outcome:
        return min(outcomes, key=self.priority_rank.__getitem__)
