"""A decision in plain English, for the person who has to act on it."""

from __future__ import annotations

from survivors_justice.policy.evaluate import Decision
from survivors_justice.policy.facts import FACTS
from survivors_justice.policy.model import FOLLOWUP_WORDS, OUTCOME_WORDS, Action, Policy

OWNER_WORDS = {"advocate": "victim advocates", "trafficking_ada": "trafficking prosecutors"}


def _value(v: object) -> str:
    if v is None:
        return "unknown"
    if isinstance(v, bool):
        return "yes" if v else "no"
    return str(v)


def explain(decision: Decision, policy: Policy | None = None) -> str:
    """Several paragraphs: the case, then each charge with its reason, citations and gaps."""
    lines: list[str] = []
    lines.append(
        f"Policy: {policy.title if policy else decision.policy_id} "
        f"(id {decision.policy_id}, version {decision.policy_version})"
    )
    if decision.decision_date is not None:
        lines.append(f"Decision date: {decision.decision_date.isoformat()}")
    lines.append(
        f"The case as a whole: {OUTCOME_WORDS[decision.case_priority]} "
        f"({decision.case_priority.value})."
    )
    for i, charge in enumerate(decision.charges, start=1):
        lines.append("")
        label = charge.law_code or (f"PL {charge.section}" if charge.section else "charge")
        title = f" - {charge.title}" if charge.title else ""
        lines.append(f"Charge {i}: {label}{title}")
        if charge.role:
            lines.append(f"  Whom the law targets: {charge.role}")
        lines.append(f"  Recommendation: {OUTCOME_WORDS[charge.outcome]} ({charge.outcome.value}).")
        lines.append(f"  Why: {charge.reason} (rule {charge.rule_id})")
        if Action.SEAL in charge.actions:
            lines.append("  Also: mark the record for sealing.")
        for citation in charge.citations:
            lines.append(f"  Cites: {citation}")
        if charge.facts:
            read = ", ".join(f"{k} = {_value(v)}" for k, v in charge.facts.items())
            lines.append(f"  Facts read: {read}")
        if charge.missing_facts:
            lines.append("  This recommendation could change once these are known:")
            for fact in charge.missing_facts:
                spec = FACTS[fact]
                lines.append(f"    - {spec.question} (give {spec.supply})")
        if charge.note:
            lines.append(f"  Note on the record: {charge.note}")
    if decision.followups:
        lines.append("")
        lines.append("Follow-ups for the people in the case:")
        for followup in decision.followups:
            owner = OWNER_WORDS.get(followup.owner_role, followup.owner_role)
            days = "day" if followup.due_days == 1 else "days"
            lines.append(
                f"  - {FOLLOWUP_WORDS[followup.action].capitalize()} "
                f"(for the {owner}, within {followup.due_days} {days})."
            )
            lines.append(f"    Why: {followup.reason}")
            for citation in followup.cites:
                lines.append(f"    Cites: {citation}")
    if decision.missing_facts:
        lines.append("")
        lines.append(
            "Missing facts for the case: "
            + ", ".join(decision.missing_facts)
            + ". Until they are known the recommendation above is provisional."
        )
    return "\n".join(lines)
