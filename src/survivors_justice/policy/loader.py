"""Read a policy document (YAML), check it whole, and refuse it whole if anything is wrong.

Every problem names the file, the line and the rule. A rule that can never fire (an earlier rule
always wins, or its condition contradicts itself) is a `PolicyWarning`, not an error.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from survivors_justice.policy.conditions import (
    TRUE,
    Cond,
    Const,
    Is,
    facts_of,
    make_all,
    make_any,
    make_not,
    restrict,
)
from survivors_justice.policy.errors import (
    BadFactValueError,
    DuplicateRuleError,
    PolicyDocumentError,
    PolicyNotFoundError,
    PolicySyntaxError,
    PolicyWarning,
    PrecedenceError,
    UnknownFactError,
    UnknownOutcomeError,
    UnknownSectionError,
)
from survivors_justice.policy.facts import FACTS, FactKind, FactValue
from survivors_justice.policy.model import (
    Action,
    FollowUp,
    FollowUpAction,
    Outcome,
    Policy,
    Rule,
    Section,
)

DOCUMENTS_DIR = Path(__file__).resolve().parent / "documents"
DEFAULT_DOCUMENT = DOCUMENTS_DIR / "survivors-justice.yaml"

_TOP_KEYS = {
    "id",
    "version",
    "effective_from",
    "title",
    "summary",
    "sections",
    "case_priority",
    "precedence",
    "rules",
    "followups",
}
_REQUIRED_TOP = _TOP_KEYS - {"summary", "followups"}
_RULE_KEYS = {"id", "cites", "when", "outcome", "reason", "actions"}
_REQUIRED_RULE = {"id", "cites", "when", "outcome", "reason"}
_SECTION_KEYS = {"id", "title", "text"}
_FOLLOWUP_KEYS = {"id", "cites", "when", "action", "due_days", "reason"}
_MAX_DUE_DAYS = 365


# --- YAML with line numbers ------------------------------------------------------------------


class Located(dict[Any, Any]):
    """A YAML mapping that remembers the line it starts on and the line of each key."""

    line: int | None = None
    key_lines: dict[Any, int]


# libyaml's parser when PyYAML was built with it (several times faster); marks work the same.
_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_Base):  # type: ignore[valid-type,misc]  # chosen at import time (see above)
    """SafeLoader whose mappings are `Located`; duplicate keys are refused."""


def _construct_located(loader: yaml.SafeLoader, node: yaml.MappingNode) -> Located:
    loader.flatten_mapping(node)
    mapping = Located()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if key in mapping:
            raise PolicySyntaxError(f"key {key!r} appears twice in one mapping", line=line)
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = line
    return mapping


_LineLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_located,
)


def read_yaml(text: str, path: Path | str | None = None) -> Any:
    """Parse YAML keeping line numbers on mappings; errors name file and line."""
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 (a SafeLoader subclass)
    except PolicyDocumentError as exc:
        exc.path = str(path) if path is not None else exc.path
        raise PolicySyntaxError(exc.message, path=path, line=exc.line) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise PolicySyntaxError(f"not valid YAML: {exc}", path=path, line=line) from None


def line_of(value: object, key: object = None) -> int | None:
    if isinstance(value, Located):
        if key is not None and key in value.key_lines:
            return value.key_lines[key]
        return value.line
    return None


# --- the checker -----------------------------------------------------------------------------


class _Checker:
    def __init__(self, path: Path | str | None) -> None:
        self.path = path
        self.problems: list[PolicyDocumentError] = []

    def add(
        self,
        cls: type[PolicyDocumentError],
        message: str,
        line: int | None,
        rule_id: str | None = None,
    ) -> None:
        self.problems.append(cls(message, path=self.path, line=line, rule_id=rule_id))

    # conditions ------------------------------------------------------------------------------

    def condition(self, raw: object, line: int | None, rule_id: str) -> Cond:
        if raw == "always" or raw is True:
            return TRUE
        if isinstance(raw, list):  # a bare list reads as "all of these"
            return make_all([self.condition(item, line, rule_id) for item in raw])
        if not isinstance(raw, dict) or not raw:
            self.add(
                PolicySyntaxError,
                f"a condition must be `always`, a fact test like `charge.role: seller`, or "
                f"all/any/not; got {raw!r}",
                line,
                rule_id,
            )
            return TRUE
        parts: list[Cond] = []
        for key, value in raw.items():
            key_line = line_of(raw, key) or line
            if key in ("all", "any"):
                if not isinstance(value, list) or not value:
                    self.add(
                        PolicySyntaxError,
                        f"`{key}` needs a non-empty list of conditions, got {value!r}",
                        key_line,
                        rule_id,
                    )
                    continue
                items = [self.condition(v, line_of(v) or key_line, rule_id) for v in value]
                parts.append(make_all(items) if key == "all" else make_any(items))
            elif key == "not":
                parts.append(make_not(self.condition(value, line_of(value) or key_line, rule_id)))
            else:
                parts.append(self.fact_test(str(key), value, key_line, rule_id))
        return make_all(parts)

    def fact_test(self, fact: str, raw: object, line: int | None, rule_id: str) -> Cond:
        spec = FACTS.get(fact)
        if spec is None:
            self.add(
                UnknownFactError,
                f"unknown fact {fact!r}; known facts: {', '.join(FACTS)}",
                line,
                rule_id,
            )
            return TRUE
        values = raw if isinstance(raw, list) else [raw]
        if not values:
            self.add(BadFactValueError, f"{fact} is compared with an empty list", line, rule_id)
            return TRUE
        good: set[FactValue] = set()
        for v in values:
            ok = (
                isinstance(v, bool)
                if spec.kind is FactKind.BOOL
                else isinstance(v, str) and v in spec.domain
            )
            if ok and isinstance(v, str | bool):
                good.add(v)
            else:
                allowed = ", ".join(
                    str(d).lower() if isinstance(d, bool) else str(d) for d in spec.domain
                )
                self.add(
                    BadFactValueError,
                    f"{fact} cannot be {v!r}; its values are: {allowed}",
                    line,
                    rule_id,
                )
        return Is(fact, frozenset(good)) if good else TRUE


def _str(
    raw: Any, key: str, checker: _Checker, line: int | None, rule_id: str | None = None
) -> str:
    value = raw.get(key) if isinstance(raw, dict) else None
    if value is None or isinstance(value, dict | list):
        checker.add(PolicySyntaxError, f"`{key}` must be text, got {value!r}", line, rule_id)
        return ""
    return str(value).strip()


def satisfiable(cond: Cond) -> bool:
    """Whether some assignment of the facts makes ``cond`` true (search with simplification)."""
    if isinstance(cond, Const):
        return cond.value
    fact = min(facts_of(cond))
    return any(satisfiable(restrict(cond, fact, v)) for v in FACTS[fact].domain)


def parse_policy(text: str, path: Path | str | None = None) -> Policy:
    """Build a `Policy` from YAML text, or raise the first problem with all of them attached."""
    raw = read_yaml(text, path)
    checker = _Checker(path)
    if not isinstance(raw, dict):
        raise PolicySyntaxError("a policy document must be a YAML mapping", path=path, line=1)
    for key in raw:
        if key not in _TOP_KEYS:
            checker.add(
                PolicySyntaxError,
                f"unknown top-level key {key!r}; allowed: {', '.join(sorted(_TOP_KEYS))}",
                line_of(raw, key),
            )
    for key in sorted(_REQUIRED_TOP - set(raw)):
        checker.add(PolicySyntaxError, f"missing top-level key {key!r}", 1)

    effective = raw.get("effective_from")
    if not isinstance(effective, date):
        checker.add(
            PolicySyntaxError,
            f"effective_from must be a date (YYYY-MM-DD), got {effective!r}",
            line_of(raw, "effective_from"),
        )
        effective = date.min

    sections = _sections(raw.get("sections"), checker, line_of(raw, "sections"))
    section_ids = {s.id for s in sections}
    rules = _rules(raw.get("rules"), checker, section_ids, line_of(raw, "rules"))
    ordered = _precedence(raw.get("precedence"), rules, checker, line_of(raw, "precedence"))
    priority = _case_priority(raw.get("case_priority"), checker, line_of(raw, "case_priority"))
    followups = _followups(
        raw.get("followups"), checker, section_ids, {r.id for r in rules}, line_of(raw, "followups")
    )

    if checker.problems:
        first = checker.problems[0]
        raise first.with_others(checker.problems)

    found = list(_never_fires(ordered, path))
    for message in found:
        warnings.warn(message, PolicyWarning, stacklevel=3)
    return Policy(
        id=str(raw["id"]),
        version=str(raw["version"]),
        effective_from=effective,
        title=str(raw["title"]),
        summary=str(raw.get("summary") or "").strip(),
        sections=tuple(sections),
        rules=tuple(ordered),
        case_priority=tuple(priority),
        path=Path(path) if path is not None else None,
        warnings=tuple(found),
        followups=tuple(followups),
    )


def _sections(raw: object, checker: _Checker, line: int | None) -> list[Section]:
    if not isinstance(raw, list) or not raw:
        checker.add(PolicySyntaxError, "`sections` must be a non-empty list", line)
        return []
    out: list[Section] = []
    seen: set[str] = set()
    for item in raw:
        item_line = line_of(item) or line
        if not isinstance(item, dict):
            checker.add(PolicySyntaxError, f"a section must be a mapping, got {item!r}", item_line)
            continue
        for key in item:
            if key not in _SECTION_KEYS:
                checker.add(PolicySyntaxError, f"unknown section key {key!r}", line_of(item, key))
        sid = _str(item, "id", checker, item_line)
        if sid in seen:
            checker.add(PolicySyntaxError, f"section id {sid!r} appears twice", item_line)
        seen.add(sid)
        out.append(
            Section(
                id=sid,
                title=_str(item, "title", checker, item_line),
                text=" ".join(_str(item, "text", checker, item_line).split()),
                line=item_line,
            )
        )
    return out


def _rules(raw: object, checker: _Checker, section_ids: set[str], line: int | None) -> list[Rule]:
    if not isinstance(raw, list) or not raw:
        checker.add(PolicySyntaxError, "`rules` must be a non-empty list", line)
        return []
    out: list[Rule] = []
    seen: dict[str, int | None] = {}
    for item in raw:
        item_line = line_of(item) or line
        if not isinstance(item, dict):
            checker.add(PolicySyntaxError, f"a rule must be a mapping, got {item!r}", item_line)
            continue
        rid = str(item.get("id") or "").strip()
        if not rid:
            checker.add(PolicySyntaxError, "a rule has no `id`", item_line)
            continue
        if rid in seen:
            checker.add(
                DuplicateRuleError,
                f"rule id {rid!r} is used twice (first on line {seen[rid]}); give each rule "
                "its own id",
                line_of(item, "id"),
                rid,
            )
            continue
        seen[rid] = line_of(item, "id")
        for key in item:
            if key not in _RULE_KEYS:
                checker.add(
                    PolicySyntaxError,
                    f"unknown rule key {key!r}; allowed: {', '.join(sorted(_RULE_KEYS))}",
                    line_of(item, key),
                    rid,
                )
        for key in sorted(_REQUIRED_RULE - set(item)):
            checker.add(PolicySyntaxError, f"the rule has no `{key}`", item_line, rid)
        cites_raw = item.get("cites")
        cites = tuple(str(c) for c in (cites_raw if isinstance(cites_raw, list) else [cites_raw]))
        for cited in cites:
            if cited not in section_ids:
                checker.add(
                    UnknownSectionError,
                    f"cites section {cited!r}, which the document does not contain; sections: "
                    f"{', '.join(sorted(section_ids))}",
                    line_of(item, "cites"),
                    rid,
                )
        outcome_raw = item.get("outcome")
        try:
            outcome = Outcome(str(outcome_raw))
        except ValueError:
            checker.add(
                UnknownOutcomeError,
                f"unknown outcome {outcome_raw!r}; use one of: "
                f"{', '.join(o.value for o in Outcome)}",
                line_of(item, "outcome"),
                rid,
            )
            outcome = Outcome.PANEL_REVIEW
        actions: list[Action] = []
        for a in item.get("actions") or []:
            try:
                actions.append(Action(str(a)))
            except ValueError:
                checker.add(
                    PolicySyntaxError,
                    f"unknown action {a!r}; use one of: {', '.join(x.value for x in Action)}",
                    line_of(item, "actions"),
                    rid,
                )
        when = checker.condition(item.get("when"), line_of(item, "when") or item_line, rid)
        out.append(
            Rule(
                id=rid,
                cites=cites,
                when=when,
                outcome=outcome,
                reason=" ".join(str(item.get("reason") or "").split()),
                actions=tuple(actions),
                line=item_line,
            )
        )
    return out


def _followups(
    raw: object,
    checker: _Checker,
    section_ids: set[str],
    rule_ids: set[str],
    line: int | None,
) -> list[FollowUp]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        checker.add(PolicySyntaxError, "`followups` must be a list of follow-ups", line)
        return []
    out: list[FollowUp] = []
    seen: set[str] = set()
    for item in raw:
        item_line = line_of(item) or line
        if not isinstance(item, dict):
            checker.add(
                PolicySyntaxError, f"a follow-up must be a mapping, got {item!r}", item_line
            )
            continue
        fid = str(item.get("id") or "").strip()
        if not fid:
            checker.add(PolicySyntaxError, "a follow-up has no `id`", item_line)
            continue
        if fid in seen or fid in rule_ids:
            checker.add(
                DuplicateRuleError,
                f"follow-up id {fid!r} is already used by a rule or follow-up; give it its own id",
                line_of(item, "id"),
                fid,
            )
            continue
        seen.add(fid)
        for key in item:
            if key not in _FOLLOWUP_KEYS:
                checker.add(
                    PolicySyntaxError,
                    f"unknown follow-up key {key!r}; allowed: {', '.join(sorted(_FOLLOWUP_KEYS))}",
                    line_of(item, key),
                    fid,
                )
        for key in sorted(_FOLLOWUP_KEYS - set(item)):
            checker.add(PolicySyntaxError, f"the follow-up has no `{key}`", item_line, fid)
        cites_raw = item.get("cites")
        cites = tuple(str(c) for c in (cites_raw if isinstance(cites_raw, list) else [cites_raw]))
        for cited in cites:
            if cited not in section_ids:
                checker.add(
                    UnknownSectionError,
                    f"cites section {cited!r}, which the document does not contain; sections: "
                    f"{', '.join(sorted(section_ids))}",
                    line_of(item, "cites"),
                    fid,
                )
        action_raw = item.get("action")
        try:
            action = FollowUpAction(str(action_raw))
        except ValueError:
            checker.add(
                PolicySyntaxError,
                f"unknown follow-up action {action_raw!r}; use one of: "
                f"{', '.join(a.value for a in FollowUpAction)}",
                line_of(item, "action"),
                fid,
            )
            action = FollowUpAction.REFER_TO_ADVOCATE
        due = item.get("due_days")
        if isinstance(due, bool) or not isinstance(due, int) or not 0 <= due <= _MAX_DUE_DAYS:
            checker.add(
                PolicySyntaxError,
                f"`due_days` must be a whole number of days from 0 to {_MAX_DUE_DAYS}, got {due!r}",
                line_of(item, "due_days") or item_line,
                fid,
            )
            due = 0
        when = checker.condition(item.get("when"), line_of(item, "when") or item_line, fid)
        out.append(
            FollowUp(
                id=fid,
                cites=cites,
                when=when,
                action=action,
                due_days=due,
                reason=" ".join(str(item.get("reason") or "").split()),
                line=item_line,
            )
        )
    return out


def _precedence(raw: object, rules: list[Rule], checker: _Checker, line: int | None) -> list[Rule]:
    by_id = {r.id: r for r in rules}
    if not isinstance(raw, list) or not raw:
        checker.add(PrecedenceError, "`precedence` must list every rule id, first wins", line)
        return rules
    ordered: list[Rule] = []
    named: set[str] = set()
    for rid in (str(r) for r in raw):
        if rid not in by_id:
            checker.add(
                PrecedenceError, f"precedence names rule {rid!r}, which does not exist", line, rid
            )
        elif rid in named:
            checker.add(PrecedenceError, f"precedence names rule {rid!r} twice", line, rid)
        else:
            named.add(rid)
            ordered.append(by_id[rid])
    for rule in rules:
        if rule.id not in named:
            checker.add(
                PrecedenceError,
                f"rule {rule.id!r} is missing from `precedence`; add it where it should rank",
                rule.line,
                rule.id,
            )
    if ordered and ordered[-1].when != TRUE:
        checker.add(
            PrecedenceError,
            f"the last rule in precedence ({ordered[-1].id!r}) must be `when: always`, so every "
            "charge gets a rule",
            ordered[-1].line,
            ordered[-1].id,
        )
    return ordered


def _case_priority(raw: object, checker: _Checker, line: int | None) -> list[Outcome]:
    everything = [o.value for o in Outcome]
    if not isinstance(raw, list) or sorted(map(str, raw)) != sorted(everything):
        checker.add(
            PolicySyntaxError,
            f"`case_priority` must list the five outcomes once each, most serious first; got "
            f"{raw!r}",
            line,
        )
        return list(Outcome)
    return [Outcome(str(o)) for o in raw]


def _never_fires(rules: list[Rule], path: Path | str | None) -> Iterator[str]:
    """Rules no assignment of the facts lets decide (checked over known values).

    The final catch-all is exempt: its purpose is the charges whose facts are unknown.
    """
    earlier: list[Cond] = []
    for rule in rules[:-1]:
        reachable = make_all([rule.when, *(make_not(c) for c in earlier)])
        if not satisfiable(reachable):
            yield (
                f"{path or '<document>'}:{rule.line} (rule {rule.id}): this rule can never fire; "
                "earlier rules always decide first, or its condition contradicts itself"
            )
        earlier.append(rule.when)


# --- public entry points ---------------------------------------------------------------------


def load_policy(path: Path | str | None = None) -> Policy:
    """Load a policy document; by default the office's own (``survivors-justice.yaml``)."""
    target = Path(path) if path is not None else DEFAULT_DOCUMENT
    if not target.is_file():
        raise PolicyNotFoundError(f"no policy document at {target}; give the path of a .yaml file")
    return _load_cached(str(target.resolve()), target.stat().st_mtime_ns)


@lru_cache(maxsize=32)
def _load_cached(path: str, mtime_ns: int) -> Policy:  # mtime in the key: edits are re-read
    return parse_policy(Path(path).read_text(encoding="utf-8"), path)


def policy_documents() -> list[Path]:
    """Every policy document shipped with the package."""
    return sorted(DOCUMENTS_DIR.glob("*.yaml"))


def find_policy(policy_id: str, version: str | None = None) -> Policy:
    """The shipped document with this id (and version, when given)."""
    for path in policy_documents():
        policy = load_policy(path)
        if policy.id == policy_id and (version is None or policy.version == version):
            return policy
    wanted = policy_id + (f" version {version}" if version else "")
    raise PolicyNotFoundError(
        f"no shipped policy document is {wanted}; shipped: "
        + ", ".join(p.name for p in policy_documents())
    )
