"""Scenario files for the instrument, like the policy's: answers in, facts out.

``instrument/scenarios/*.yaml``::

    title: Coercion
    scenarios:
      - name: Someone holds her passport
        answers: {documents: "yes"}
        expect:
          facts: {indicators.documents_withheld: true}   # exactly the known facts
          unknown: []                                    # facts left unknown ("I don't know")
          prefer_not_to_say: []                          # facts the person chose not to answer
          next: drugs                                    # optional: the next question (null: done)

:func:`coverage` says which answer of which question's fact mapping no scenario exercises, so the
meta-test can require that every mapping is covered.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from survivors_justice.instrument.administer import FactAnswer, derive_facts, next_question
from survivors_justice.instrument.errors import InstrumentError, InstrumentScenarioError
from survivors_justice.instrument.model import NOT_ANSWERS, Instrument, QuestionKind

SCENARIOS_DIR = Path(__file__).resolve().parent / "scenarios"
_EXPECT_KEYS = {"facts", "unknown", "prefer_not_to_say", "next"}


@dataclass(frozen=True, slots=True)
class InstrumentScenario:
    file: Path
    name: str
    answers: dict[str, str | int]
    facts: dict[str, bool]
    unknown: tuple[str, ...]
    prefer_not_to_say: tuple[str, ...]
    next: str | None
    checks_next: bool


@dataclass(frozen=True, slots=True)
class ScenarioResult:
    scenario: InstrumentScenario
    problems: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.problems


def scenario_files() -> list[Path]:
    return sorted(SCENARIOS_DIR.glob("*.yaml"))


def read_scenarios(path: Path) -> list[InstrumentScenario]:
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InstrumentScenarioError(f"{path}: cannot read scenarios: {exc}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("scenarios"), list):
        raise InstrumentScenarioError(f"{path}: expected a mapping with a 'scenarios' list")
    out = []
    for i, s in enumerate(doc["scenarios"]):
        where = f"{path}: scenario {i + 1}"
        if not isinstance(s, dict) or not isinstance(s.get("name"), str):
            raise InstrumentScenarioError(f"{where} needs a name")
        expect: dict[str, Any] = s.get("expect") or {}
        extra = set(expect) - _EXPECT_KEYS
        if extra:
            raise InstrumentScenarioError(
                f"{where} ({s['name']}): unknown expect keys {sorted(extra)}; "
                f"use {sorted(_EXPECT_KEYS)}"
            )
        answers = s.get("answers") or {}
        if not isinstance(answers, dict):
            raise InstrumentScenarioError(f"{where} ({s['name']}): answers must be a mapping")
        facts = expect.get("facts") or {}
        if not all(isinstance(v, bool) for v in facts.values()):
            raise InstrumentScenarioError(f"{where} ({s['name']}): expected facts are true/false")
        out.append(
            InstrumentScenario(
                file=path,
                name=s["name"],
                answers={str(k): v for k, v in answers.items()},
                facts={str(k): bool(v) for k, v in facts.items()},
                unknown=tuple(expect.get("unknown") or ()),
                prefer_not_to_say=tuple(expect.get("prefer_not_to_say") or ()),
                next=expect.get("next"),
                checks_next="next" in expect,
            )
        )
    return out


def run_scenario(instrument: Instrument, sc: InstrumentScenario) -> ScenarioResult:
    problems: list[str] = []
    try:
        derived = derive_facts(instrument, sc.answers)
    except InstrumentError as exc:
        return ScenarioResult(sc, (f"the answers were refused: {exc}",))
    known = {f: d.value for f, d in derived.items() if d.answer is FactAnswer.KNOWN}
    if known != sc.facts:
        problems.append(f"facts: expected {sc.facts}, got {known}")
    for label, kind, expected in (
        ("unknown", FactAnswer.UNKNOWN, sc.unknown),
        ("prefer_not_to_say", FactAnswer.PREFER_NOT_TO_SAY, sc.prefer_not_to_say),
    ):
        got = sorted(f for f, d in derived.items() if d.answer is kind)
        if got != sorted(expected):
            problems.append(f"{label}: expected {sorted(expected)}, got {got}")
    if sc.checks_next:
        nxt = next_question(instrument, dict(sc.answers))
        got_next = nxt.id if nxt is not None else None
        if got_next != sc.next:
            problems.append(f"next question: expected {sc.next!r}, got {got_next!r}")
    return ScenarioResult(sc, tuple(problems))


def run_scenarios(instrument: Instrument, files: Iterable[Path]) -> list[ScenarioResult]:
    return [run_scenario(instrument, sc) for f in files for sc in read_scenarios(f)]


def coverage(instrument: Instrument, results: Iterable[ScenarioResult]) -> list[str]:
    """Each (question, fact, answer) mapping, withheld answers too, no passing scenario covers."""
    seen: set[tuple[str, str, str]] = set()
    for r in results:
        if not r.passed:
            continue
        for qid, ans in r.scenario.answers.items():
            q = instrument.question(qid)
            for m in q.facts:
                if q.kind is QuestionKind.NUMBER and str(ans) not in NOT_ANSWERS:
                    hit = m.value_for(int(ans)) is not None
                    seen.add((qid, m.fact, "below" if hit else "at_or_above"))
                else:
                    seen.add((qid, m.fact, str(ans)))
    missing = []
    for q in instrument.questions:
        for m in q.facts:
            keys = (
                ["below", "at_or_above"] if q.kind is QuestionKind.NUMBER else sorted(m.map or {})
            )
            for key in [*keys, *sorted(NOT_ANSWERS)]:
                if (q.id, m.fact, key) not in seen:
                    missing.append(f"{q.id} -> {m.fact} when answered {key}")
    return missing


def report(results: list[ScenarioResult]) -> tuple[str, int]:
    lines = []
    passed = 0
    for r in results:
        if r.passed:
            passed += 1
            lines.append(f"  ok    {r.scenario.name}")
        else:
            lines.append(f"  FAIL  {r.scenario.name} ({r.scenario.file.name})")
            lines.extend(f"        {p}" for p in r.problems)
    lines.append(f"{passed} passed, {len(results) - passed} failed")
    return "\n".join(lines), passed
