"""A decision in plain English, for the person who has to act on it.

No internal names: facts are said as sentences, outcomes in words, rules by their reasons, and
statute links as plain addresses. (`sj policy evaluate` prints the same decision as JSON, with the
names scripts need.)
"""

from __future__ import annotations

import re

from survivors_justice.policy.evaluate import ChargeDecision, Decision
from survivors_justice.policy.facts import FACTS, FactValue
from survivors_justice.policy.model import FOLLOWUP_WORDS, OUTCOME_WORDS, Action, Policy

OWNER_WORDS = {"advocate": "victim advocates", "trafficking_ada": "trafficking prosecutors"}
ROLE_WORDS = {
    "seller": "people who sell sex",
    "buyer": "people who buy sex",
    "promoter": "people who promote or profit from prostitution",
    "trafficker": "people who traffic others",
    "premises": "people who let premises be used for prostitution",
}
FAMILY_WORDS = {
    "prostitution": "a prostitution offense",
    "loitering": "loitering for prostitution",
    "sex_trafficking": "sex trafficking",
    "labor_trafficking": "labor trafficking",
}
STATUS_WORDS = {
    "cataloged": "The charge is a prostitution or trafficking offense in the charge catalog.",
    "unknown": "The charge looks like a prostitution or trafficking offense, but the charge "
    "catalog does not list its code.",
    "outside": "The charge is not a prostitution or trafficking offense.",
}
PANEL_WORDS = {
    "panel.determination": {
        "none": "The review panel has not determined the case.",
        "voluntary": "The review panel found the person's sex work voluntary.",
        "involuntary": "The review panel found the person's sex work involuntary.",
        "cannot_tell": "The review panel could not tell whether the person's sex work was "
        "voluntary.",
    },
    "panel.recommendation": {
        "none": "The review panel has recommended no outcome.",
        "decline": "The review panel recommended declining the charge.",
        "prosecute": "The review panel recommended prosecuting the charge.",
        "divert": "The review panel recommended offering voluntary services and declining.",
        "more_facts": "The review panel asked for more facts first.",
    },
}
_READING_ID = re.compile(r"\s*\[reading [^\]]*\]")


def fact_sentence(name: str, value: FactValue | None) -> str:
    """One named fact and its value as a sentence a lawyer reads (``unknown`` said as such)."""
    if name == "charge.status" and isinstance(value, str):
        return STATUS_WORDS.get(value, f"The charge's status is {value}.")
    if name == "charge.role" and isinstance(value, str):
        return f"The law charged targets {ROLE_WORDS.get(value, value)}."
    if name == "charge.family" and isinstance(value, str):
        return f"The charge is {FAMILY_WORDS.get(value, value)}."
    if name in PANEL_WORDS and isinstance(value, str) and value in PANEL_WORDS[name]:
        return PANEL_WORDS[name][value]
    answer = "unknown" if value is None else ("yes" if value is True else "no")
    if isinstance(value, str):
        answer = value
    return f"{FACTS[name].question} {answer.capitalize()}."


def charge_label(charge: ChargeDecision) -> str:
    """``PL 230345A, read as PL 230.34(5)(a) Sex trafficking (...), B felony``."""
    recorded = (
        charge.law_code
        or charge.citation
        or (f"PL {charge.section}" if charge.section else "a charge with no law code")
    )
    if charge.citation is None:
        return recorded
    read = f"{charge.citation} {charge.title}" if charge.title else charge.citation
    if charge.offense_class:
        read += f", {charge.offense_class}"
    if recorded == charge.citation:
        return read
    return f"{recorded}, read as {read}"


def plain_note(note: str) -> str:
    """A catalog note without the ids of the readings it names."""
    return _READING_ID.sub("", note).strip()


def explain(decision: Decision, policy: Policy | None = None) -> str:
    """Several paragraphs: the case, then each charge with its reason, citations and gaps."""
    lines: list[str] = []
    lines.append(
        f"Policy: {policy.title if policy else decision.policy_id}, "
        f"version {decision.policy_version}"
    )
    if decision.decision_date is not None:
        lines.append(f"Decision date: {decision.decision_date.isoformat()}")
    lines.append(f"The case as a whole: {OUTCOME_WORDS[decision.case_priority]}.")
    for i, charge in enumerate(decision.charges, start=1):
        lines.append("")
        lines.append(f"Charge {i}: {charge_label(charge)}")
        if charge.role:
            lines.append(f"  Whom the law targets: {ROLE_WORDS.get(charge.role, charge.role)}")
        lines.append(f"  Recommendation: {OUTCOME_WORDS[charge.outcome]}.")
        lines.append(f"  Why: {charge.reason}")
        if Action.SEAL in charge.actions:
            lines.append("  Also: mark the record for sealing.")
        for citation in charge.citations:
            lines.append(f"  Cites: {citation}")
        if charge.source_url:
            lines.append(f"  Text of the law: {charge.source_url}")
        if charge.facts:
            lines.append("  What the policy's rules read:")
            for name, value in charge.facts.items():
                lines.append(f"    - {fact_sentence(name, value)}")
        if charge.missing_facts:
            lines.append("  This recommendation could change once these are known:")
            for fact in charge.missing_facts:
                lines.append(f"    - {FACTS[fact].question}")
        if charge.note:
            lines.append(f"  Note on the record: {plain_note(charge.note)}")
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
            "Until these are known, the recommendation above is provisional: "
            + " ".join(FACTS[f].question for f in decision.missing_facts)
        )
    return "\n".join(lines)
