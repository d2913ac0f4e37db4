"""The Survivor's Justice Policy as reviewable data, and its two evaluators.

Framework-free (no Django). The stable interface others call:

    load_policy(path=None) -> Policy          the office's document by default
    evaluate(policy, facts) -> Decision       facts: the DESIGN.md dict contract or `CaseFacts`
    decision.to_json() / decision.to_dict()
    screen_frame(policy, lf, *, catalog=None, decision_date=None, columns=...) -> pl.LazyFrame
        adds rule_id, outcome, seal, missing_facts (list[str]), policy_id, policy_version
        (plus section, subdivision, role, charge_status and the named-fact columns; pass
        columns=("outcome",) to add only what you need, which is also faster)
    explain(decision, policy) -> str           the decision in plain English
    compile_policy / evaluate_frame            the batch evaluator over a frame of named facts
"""

from survivors_justice.policy.batch import (
    CompiledPolicy,
    compile_policy,
    evaluate_frame,
    nypd_facts,
    screen_frame,
)
from survivors_justice.policy.errors import (
    FactsError,
    PolicyDocumentError,
    PolicyError,
    PolicyNotFoundError,
    PolicyWarning,
)
from survivors_justice.policy.evaluate import (
    ChargeDecision,
    Decision,
    RuleResult,
    Verdict,
    decide,
    evaluate,
)
from survivors_justice.policy.explain import explain
from survivors_justice.policy.facts import FACTS, CaseFacts, ChargeFacts
from survivors_justice.policy.loader import find_policy, load_policy, parse_policy, policy_documents
from survivors_justice.policy.model import Outcome, Policy, Rule, Section

__all__ = [
    "FACTS",
    "CaseFacts",
    "ChargeDecision",
    "ChargeFacts",
    "CompiledPolicy",
    "Decision",
    "FactsError",
    "Outcome",
    "Policy",
    "PolicyDocumentError",
    "PolicyError",
    "PolicyNotFoundError",
    "PolicyWarning",
    "Rule",
    "RuleResult",
    "Section",
    "Verdict",
    "compile_policy",
    "decide",
    "evaluate",
    "evaluate_frame",
    "explain",
    "find_policy",
    "load_policy",
    "nypd_facts",
    "parse_policy",
    "policy_documents",
    "screen_frame",
]
