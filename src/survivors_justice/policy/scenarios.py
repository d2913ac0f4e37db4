"""Scenario tests a lawyer can read: facts in; outcome, rule and citation out.

A scenario file (``policy/scenarios/*.yaml``)::

    title: Selling sex is declined
    scenarios:
      - name: An adult arrested for prostitution is declined
        facts:                       # the `sj policy evaluate` contract
          charges: [{section: "230.00"}]
          defendant: {age: 30}
        expect:
          case_priority: decline     # optional
          charges:                   # one entry per charge, in order
            - outcome: decline
              rule: selling-declined
              cites: selling-sex     # optional: policy section(s) the deciding rule cites
              actions: [seal]        # optional
              missing_facts: []      # optional: exactly these facts are missing
          missing_facts: []          # optional: for the whole case
          followups: [advocate-for-seller]  # optional: exactly these follow-ups open
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from survivors_justice.policy.errors import FactsError, ScenarioFileError
from survivors_justice.policy.evaluate import Decision, evaluate
from survivors_justice.policy.facts import FACTS, CaseFacts
from survivors_justice.policy.loader import line_of, load_policy, read_yaml
from survivors_justice.policy.model import Outcome, Policy

SCENARIOS_DIR = Path(__file__).resolve().parent / "scenarios"

_SCENARIO_KEYS = {"name", "facts", "expect", "note"}
_EXPECT_KEYS = {"case_priority", "charges", "missing_facts", "followups"}
_CHARGE_KEYS = {"outcome", "rule", "cites", "actions", "missing_facts"}


@dataclass(frozen=True, slots=True)
class ExpectedCharge:
    outcome: Outcome
    rule: str | None
    cites: tuple[str, ...] | None
    actions: tuple[str, ...] | None
    missing_facts: tuple[str, ...] | None


@dataclass(frozen=True, slots=True)
class Scenario:
    file: Path
    line: int | None
    title: str  # the file's title
    name: str
    facts: CaseFacts
    case_priority: Outcome | None
    charges: tuple[ExpectedCharge, ...]
    missing_facts: tuple[str, ...] | None
    followups: tuple[str, ...] | None = None

    @property
    def where(self) -> str:
        return f"{self.file.name}:{self.line}" if self.line else self.file.name


@dataclass(frozen=True, slots=True)
class ScenarioResult:
    scenario: Scenario
    decision: Decision
    failures: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.failures


def scenario_files(directory: Path = SCENARIOS_DIR) -> list[Path]:
    return sorted(directory.glob("*.yaml"))


def _tuple(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    return (str(value),)


def _outcome(value: object, path: Path, line: int | None) -> Outcome:
    try:
        return Outcome(str(value))
    except ValueError:
        raise ScenarioFileError(
            path,
            f"unknown outcome {value!r}; use one of {', '.join(o.value for o in Outcome)}",
            line=line,
        ) from None


def _facts_names(value: object, path: Path, line: int | None) -> tuple[str, ...]:
    names = _tuple(value)
    for name in names:
        if name not in FACTS:
            raise ScenarioFileError(path, f"unknown fact {name!r} in missing_facts", line=line)
    return names


def load_scenarios(path: Path) -> list[Scenario]:
    """Read one scenario file; any malformed part raises `ScenarioFileError` with its line."""
    try:
        raw = read_yaml(path.read_text(encoding="utf-8"), path)
    except Exception as exc:  # a YAML error already names file and line
        raise ScenarioFileError(path, str(exc)) from None
    if not isinstance(raw, dict) or not isinstance(raw.get("scenarios"), list):
        raise ScenarioFileError(path, "expected a mapping with `title` and a list `scenarios`")
    title = str(raw.get("title") or path.stem)
    out: list[Scenario] = []
    for item in raw["scenarios"]:
        line = line_of(item)
        if not isinstance(item, dict):
            raise ScenarioFileError(path, f"a scenario must be a mapping, got {item!r}", line=line)
        unknown = set(item) - _SCENARIO_KEYS
        if unknown:
            raise ScenarioFileError(path, f"unknown scenario key(s) {sorted(unknown)}", line=line)
        name = str(item.get("name") or "").strip()
        if not name:
            raise ScenarioFileError(path, "a scenario has no `name`", line=line)
        try:
            facts = CaseFacts.from_dict(item.get("facts"))
        except FactsError as exc:
            raise ScenarioFileError(path, f"{name}: {exc}", line=line) from None
        expect = item.get("expect")
        if not isinstance(expect, dict):
            raise ScenarioFileError(path, f"{name}: `expect` must be a mapping", line=line)
        unknown = set(expect) - _EXPECT_KEYS
        if unknown:
            raise ScenarioFileError(
                path, f"{name}: unknown expect key(s) {sorted(unknown)}", line=line
            )
        charges: list[ExpectedCharge] = []
        for c in expect.get("charges") or []:
            c_line = line_of(c) or line
            if not isinstance(c, dict) or "outcome" not in c:
                raise ScenarioFileError(
                    path, f"{name}: each expected charge needs an `outcome`", line=c_line
                )
            unknown = set(c) - _CHARGE_KEYS
            if unknown:
                raise ScenarioFileError(
                    path, f"{name}: unknown key(s) {sorted(unknown)}", line=c_line
                )
            charges.append(
                ExpectedCharge(
                    outcome=_outcome(c["outcome"], path, c_line),
                    rule=None if c.get("rule") is None else str(c["rule"]),
                    cites=_tuple(c["cites"]) if "cites" in c else None,
                    actions=_tuple(c["actions"]) if "actions" in c else None,
                    missing_facts=_facts_names(c["missing_facts"], path, c_line)
                    if "missing_facts" in c
                    else None,
                )
            )
        if charges and len(charges) != len(facts.charges):
            raise ScenarioFileError(
                path,
                f"{name}: {len(facts.charges)} charge(s) in the facts but {len(charges)} "
                "expected; give one expectation per charge",
                line=line,
            )
        priority = expect.get("case_priority")
        if (
            priority is None
            and not charges
            and "missing_facts" not in expect
            and "followups" not in expect
        ):
            raise ScenarioFileError(
                path,
                f"{name}: expect nothing? give case_priority, charges, missing_facts or followups",
                line=line,
            )
        out.append(
            Scenario(
                file=path,
                line=line,
                title=title,
                name=name,
                facts=facts,
                case_priority=None if priority is None else _outcome(priority, path, line),
                charges=tuple(charges),
                missing_facts=_facts_names(expect["missing_facts"], path, line)
                if "missing_facts" in expect
                else None,
                followups=_tuple(expect["followups"]) if "followups" in expect else None,
            )
        )
    return out


def check(policy: Policy, scenario: Scenario) -> ScenarioResult:
    """Evaluate a scenario and list every way the decision differs from what it expects."""
    decision = evaluate(policy, scenario.facts)
    failures: list[str] = []
    if scenario.case_priority is not None and decision.case_priority != scenario.case_priority:
        failures.append(
            f"case priority: expected {scenario.case_priority.value}, "
            f"got {decision.case_priority.value}"
        )
    if scenario.missing_facts is not None and set(decision.missing_facts) != set(
        scenario.missing_facts
    ):
        failures.append(
            f"missing facts: expected {sorted(scenario.missing_facts)}, "
            f"got {sorted(decision.missing_facts)}"
        )
    if scenario.followups is not None:
        got_ids = [f.id for f in decision.followups]
        if sorted(got_ids) != sorted(scenario.followups):
            failures.append(
                f"follow-ups: expected {sorted(scenario.followups)}, got {sorted(got_ids)}"
            )
    for i, (want, got) in enumerate(zip(scenario.charges, decision.charges, strict=False), 1):
        rule = policy.rule_by_id[got.rule_id]
        if got.outcome != want.outcome:
            failures.append(
                f"charge {i}: expected {want.outcome.value}, got {got.outcome.value} "
                f"(rule {got.rule_id})"
            )
        if want.rule is not None and got.rule_id != want.rule:
            failures.append(f"charge {i}: expected rule {want.rule}, got {got.rule_id}")
        if want.cites is not None and set(want.cites) != set(rule.cites):
            failures.append(
                f"charge {i}: expected citation of {list(want.cites)}, rule cites "
                f"{list(rule.cites)}"
            )
        if want.actions is not None and set(want.actions) != {a.value for a in got.actions}:
            failures.append(
                f"charge {i}: expected actions {list(want.actions)}, got "
                f"{[a.value for a in got.actions]}"
            )
        if want.missing_facts is not None and set(want.missing_facts) != set(got.missing_facts):
            failures.append(
                f"charge {i}: expected missing facts {sorted(want.missing_facts)}, got "
                f"{sorted(got.missing_facts)}"
            )
    return ScenarioResult(scenario, decision, tuple(failures))


def run_scenarios(
    policy: Policy | None = None, paths: Iterable[Path] | None = None
) -> list[ScenarioResult]:
    """Run every scenario of the given files (default: all shipped) against the policy."""
    pol = policy if policy is not None else load_policy()
    files = list(paths) if paths is not None else scenario_files()
    results: list[ScenarioResult] = []
    for path in files:
        for scenario in load_scenarios(path):
            results.append(check(pol, scenario))
    return results


def report(results: list[ScenarioResult]) -> tuple[str, Any]:
    """A plain-text report: one line per scenario, failures spelled out; and the pass count."""
    lines: list[str] = []
    current = None
    for r in results:
        if r.scenario.file != current:
            current = r.scenario.file
            lines.append(f"\n{r.scenario.title}  ({current.name})")
        mark = "PASS" if r.passed else "FAIL"
        outcomes = ", ".join(f"{c.outcome.value} by {c.rule_id}" for c in r.decision.charges)
        lines.append(f"  {mark}  {r.scenario.name}  ->  {outcomes}")
        for failure in r.failures:
            lines.append(f"        {failure}  [{r.scenario.where}]")
    passed = sum(r.passed for r in results)
    lines.append(f"\n{passed} of {len(results)} scenarios pass.")
    return "\n".join(lines), passed
