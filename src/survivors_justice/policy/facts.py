"""The named facts a policy may read, and the facts of a case as the CLI and API receive them.

Two layers:

* **Input facts** (`CaseFacts`): what a person or a file knows about a case, in the contract of
  DESIGN.md (``decision_date``, ``charges``, ``defendant``, ``victims``, ``indicators``,
  ``co_defendants_sold_together``). Every value may be absent or ``null``: unknown.
* **Named facts** (`FACTS`): the typed vocabulary rule conditions are written in
  (``charge.role``, ``defendant.minor``, ``indicators.force`` ...). They are derived from the input
  facts and the charge catalog; ``None`` is *unknown*, never false.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import lru_cache
from typing import Any, Final

from survivors_justice.law import ChargeStatus, Family, Role
from survivors_justice.policy.errors import FactTypeError, NoChargesError, UnknownFactKeyError

FactValue = str | bool
"""A known value of a named fact. ``None`` stands for unknown."""


class FactKind(StrEnum):
    BOOL = "bool"
    ENUM = "enum"


@dataclass(frozen=True, slots=True)
class FactSpec:
    """One named fact: its type, its possible values and how to ask for it in plain English."""

    name: str
    kind: FactKind
    domain: tuple[FactValue, ...]
    question: str  # "Is the defendant under 18?"
    supply: str  # where in the input facts a person gives it
    level: str  # "charge" (one per charge) or "case" (the same for every charge of a case)


def _bool(name: str, question: str, supply: str, level: str = "case") -> FactSpec:
    return FactSpec(name, FactKind.BOOL, (True, False), question, supply, level)


def _enum(
    name: str, values: tuple[str, ...], question: str, supply: str, level: str = "charge"
) -> FactSpec:
    return FactSpec(name, FactKind.ENUM, values, question, supply, level)


INDICATORS: Final = (
    "force",
    "threats",
    "fraud",
    "debt_bondage",
    "documents_withheld",
    "drugs_as_control",
)
_INDICATOR_QUESTIONS: Final = {
    "force": "Was force used to control anyone in the case?",
    "threats": "Were threats used to control anyone in the case?",
    "fraud": "Were fraud or deception used to control anyone in the case?",
    "debt_bondage": "Was anyone in the case held in debt bondage?",
    "documents_withheld": "Were anyone's identity or travel documents withheld?",
    "drugs_as_control": "Were drugs used to control anyone in the case?",
}

# The review panel's determination of a case and the outcome it recommends, as the panel records
# them (``review.models.Finding`` and ``RecommendedOutcome``). ``none``: the panel has not
# determined the case. That is known from the office's own records, so it is the value when the
# facts do not mention the panel; only an explicit null makes it unknown.
NO_DETERMINATION: Final = "none"
PANEL_FINDINGS: Final = ("voluntary", "involuntary", "cannot_tell")
PANEL_RECOMMENDATIONS: Final = ("decline", "prosecute", "divert", "more_facts")
PANEL_FACTS: Final = ("panel.determination", "panel.recommendation")

_FACT_LIST: Final = (
    _enum(
        "charge.status",
        tuple(s.value for s in ChargeStatus),
        "Is the charge a prostitution or trafficking offense the catalog knows?",
        "charges[].law_code or charges[].section",
    ),
    _enum(
        "charge.role",
        tuple(r.value for r in Role),
        "Whom does the charged offense target (seller, buyer, promoter, trafficker, premises)?",
        "charges[].law_code or charges[].section",
    ),
    _enum(
        "charge.family",
        tuple(f.value for f in Family),
        "Which family of offenses is the charge (prostitution, loitering, trafficking)?",
        "charges[].law_code or charges[].section",
    ),
    _bool(
        "charge.minor_offense",
        "Does the charged offense, as the law defines it, involve a minor?",
        "charges[].law_code or charges[].section",
        "charge",
    ),
    _bool(
        "charge.coercion",
        "Is force, intimidation or deception an element of the charged offense?",
        "charges[].law_code or charges[].section",
        "charge",
    ),
    _bool(
        "charge.in_force_at_arrest",
        "Was the charged section in force on the arrest date?",
        "charges[].arrest_date",
        "charge",
    ),
    _bool(
        "charge.repealed",
        "Had the charged section been repealed by the decision date?",
        "decision_date",
        "charge",
    ),
    _bool(
        "defendant.minor",
        "Is the defendant under 18?",
        "defendant.age or defendant.age_group",
    ),
    _bool(
        "defendant.victim_indicators",
        "Does the defendant show signs of being a victim of trafficking or coercion?",
        "defendant.victim_indicators",
    ),
    _bool(
        "victim.minor",
        "Is any person exploited in the case under 18?",
        "victims[].age",
    ),
    *(
        _bool(
            f"indicators.{name}",
            _INDICATOR_QUESTIONS[name],
            f"indicators.{name}",
        )
        for name in INDICATORS
    ),
    _bool(
        "co_defendants_sold_together",
        "Are the people charged with promoting each other people who sold sex together?",
        "co_defendants_sold_together",
    ),
    _enum(
        "panel.determination",
        (NO_DETERMINATION, *PANEL_FINDINGS),
        "What did the review panel find: was the person's sex work voluntary, involuntary, or "
        "could it not tell?",
        "panel.determination",
        "case",
    ),
    _enum(
        "panel.recommendation",
        (NO_DETERMINATION, *PANEL_RECOMMENDATIONS),
        "What outcome did the review panel recommend (decline, prosecute, offer voluntary "
        "services and decline, gather more facts)?",
        "panel.recommendation",
        "case",
    ),
)

FACTS: Final[Mapping[str, FactSpec]] = {spec.name: spec for spec in _FACT_LIST}
FACT_NAMES: Final[tuple[str, ...]] = tuple(FACTS)
CHARGE_FACTS: Final[tuple[str, ...]] = tuple(s.name for s in _FACT_LIST if s.level == "charge")
CASE_FACTS: Final[tuple[str, ...]] = tuple(s.name for s in _FACT_LIST if s.level == "case")
# Facts whose value, when the input does not give one, is known from the office's own records.
DEFAULTS: Final[Mapping[str, FactValue]] = dict.fromkeys(PANEL_FACTS, NO_DETERMINATION)

MINOR_AGE: Final = 18
ADULT_AGE_GROUPS: Final = frozenset({"18-24", "25-44", "45-64", "65+"})
MINOR_AGE_GROUPS: Final = frozenset({"<18"})


# --- input facts -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChargeFacts:
    """One charge as recorded: an NYPD law code (with PD code and date) or a Penal Law section."""

    law_code: str | None = None
    pd_cd: str | None = None
    arrest_date: date | None = None
    section: str | None = None
    subdivision: str | None = None


@dataclass(frozen=True, slots=True)
class DefendantFacts:
    age: int | None = None
    age_group: str | None = None
    victim_indicators: bool | None = None


@dataclass(frozen=True, slots=True)
class VictimFacts:
    age: int | None = None


@dataclass(frozen=True, slots=True)
class IndicatorFacts:
    force: bool | None = None
    threats: bool | None = None
    fraud: bool | None = None
    debt_bondage: bool | None = None
    documents_withheld: bool | None = None
    drugs_as_control: bool | None = None


@dataclass(frozen=True, slots=True)
class PanelFacts:
    """The review panel's determination (``none``: not determined; ``None``: unknown)."""

    determination: str | None = NO_DETERMINATION
    recommendation: str | None = NO_DETERMINATION


@dataclass(frozen=True, slots=True)
class CaseFacts:
    """The facts of one case (the ``sj policy evaluate`` contract). ``None`` is unknown."""

    charges: tuple[ChargeFacts, ...]
    decision_date: date | None = None
    defendant: DefendantFacts = field(default_factory=DefendantFacts)
    victims: tuple[VictimFacts, ...] | None = None  # None: unknown; (): nobody exploited
    indicators: IndicatorFacts = field(default_factory=IndicatorFacts)
    co_defendants_sold_together: bool | None = None
    panel: PanelFacts = field(default_factory=PanelFacts)

    @classmethod
    def from_dict(cls, data: object) -> CaseFacts:
        """Read the JSON contract; unknown keys and wrong types raise `FactsError`."""
        return _parse_case(data)

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract (round-trips through `from_dict`)."""
        return {
            "decision_date": _iso(self.decision_date),
            "charges": [
                {
                    k: v
                    for k, v in {
                        "law_code": c.law_code,
                        "pd_cd": c.pd_cd,
                        "arrest_date": _iso(c.arrest_date),
                        "section": c.section,
                        "subdivision": c.subdivision,
                    }.items()
                    if v is not None
                }
                for c in self.charges
            ],
            "defendant": {
                "age": self.defendant.age,
                "age_group": self.defendant.age_group,
                "victim_indicators": self.defendant.victim_indicators,
            },
            "victims": None if self.victims is None else [{"age": v.age} for v in self.victims],
            "indicators": {name: getattr(self.indicators, name) for name in INDICATORS},
            "co_defendants_sold_together": self.co_defendants_sold_together,
            "panel": {
                "determination": self.panel.determination,
                "recommendation": self.panel.recommendation,
            },
        }

    def case_key(self) -> tuple[object, ...]:
        """Everything the case-level facts are derived from, as a cheap-to-hash tuple."""
        d, i = self.defendant, self.indicators
        return (
            d.age,
            d.age_group,
            d.victim_indicators,
            None if self.victims is None else tuple(v.age for v in self.victims),
            i.force,
            i.threats,
            i.fraud,
            i.debt_bondage,
            i.documents_withheld,
            i.drugs_as_control,
            self.co_defendants_sold_together,
            self.panel.determination,
            self.panel.recommendation,
        )

    def case_values(self) -> dict[str, FactValue | None]:
        """The case-level named facts (the same for every charge of the case)."""
        values: dict[str, FactValue | None] = {
            "defendant.minor": defendant_minor(self.defendant.age, self.defendant.age_group),
            "defendant.victim_indicators": self.defendant.victim_indicators,
            "victim.minor": _victim_minor(self.victims),
            "co_defendants_sold_together": self.co_defendants_sold_together,
            "panel.determination": self.panel.determination,
            "panel.recommendation": self.panel.recommendation,
        }
        for name in INDICATORS:
            values[f"indicators.{name}"] = getattr(self.indicators, name)
        return values


def defendant_minor(age: int | None, age_group: str | None) -> bool | None:
    """Under 18 from the exact age when known, else from the NYPD age group; else unknown."""
    if age is not None:
        return age < MINOR_AGE
    if age_group in MINOR_AGE_GROUPS:
        return True
    if age_group in ADULT_AGE_GROUPS:
        return False
    return None


def _victim_minor(victims: tuple[VictimFacts, ...] | None) -> bool | None:
    if victims is None:
        return None
    ages = [v.age for v in victims]
    if any(a is not None and a < MINOR_AGE for a in ages):
        return True
    if any(a is None for a in ages):
        return None
    return False


def _iso(d: date | None) -> str | None:
    return None if d is None else d.isoformat()


# --- parsing the JSON contract ---------------------------------------------------------------

_CASE_KEYS: Final = frozenset(
    {
        "decision_date",
        "charges",
        "defendant",
        "victims",
        "indicators",
        "co_defendants_sold_together",
        "panel",
    }
)
_CHARGE_KEYS: Final = frozenset({"law_code", "pd_cd", "arrest_date", "section", "subdivision"})
_DEFENDANT_KEYS: Final = frozenset({"age", "age_group", "victim_indicators"})
_VICTIM_KEYS: Final = frozenset({"age"})
_PANEL_KEYS: Final = frozenset({"determination", "recommendation"})


def _mapping(value: object, path: str) -> Mapping[str, object]:
    if type(value) is dict:  # the common case, without the slower ABC check
        return value
    if not isinstance(value, Mapping):
        raise FactTypeError(path, f"expected an object, got {value!r}")
    return value


def _keys(data: Mapping[str, object], allowed: frozenset[str], path: str) -> None:
    for key in data:
        if key not in allowed:
            where = f"{path}.{key}" if path else str(key)
            raise UnknownFactKeyError(
                where, f"unknown key {key!r}; allowed here: {', '.join(sorted(allowed))}"
            )


def _opt_bool(value: object, path: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise FactTypeError(path, f"expected true, false or null, got {value!r}")


def _opt_str(value: object, path: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)  # PD codes are often written as numbers
    if isinstance(value, str):
        return value.strip() or None
    raise FactTypeError(path, f"expected a string or null, got {value!r}")


def _opt_int(value: object, path: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise FactTypeError(path, f"expected a whole number or null, got {value!r}")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and math.isfinite(value) and value.is_integer():
        number = int(value)
    else:
        raise FactTypeError(path, f"expected a whole number or null, got {value!r}")
    if not 0 <= number <= 130:
        raise FactTypeError(path, f"age {number} is not a human age (0-130)")
    return number


def _opt_date(value: object, path: str) -> date | None:
    if value is None or (isinstance(value, date) and not hasattr(value, "hour")):
        return value
    if isinstance(value, str):
        parsed = _read_date(value)
        if parsed is not None:
            return parsed
    raise FactTypeError(path, f"expected a date as YYYY-MM-DD (or MM/DD/YYYY), got {value!r}")


@lru_cache(maxsize=8192)
def _read_date(value: str) -> date | None:
    text = value.strip()
    parts = text.split("/")
    if len(parts) == 3 and all(p.isdigit() for p in parts):  # NYPD's 12/22/2017
        try:
            return date(int(parts[2]), int(parts[0]), int(parts[1]))
        except ValueError:
            return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _parse_charge(data: object, path: str) -> ChargeFacts:
    if isinstance(data, str):  # shorthand: "PL 2300000" or "230.00"
        data = {"section": data} if data[:1].isdigit() else {"law_code": data}
    m = _mapping(data, path)
    _keys(m, _CHARGE_KEYS, path)
    charge = ChargeFacts(
        law_code=_opt_str(m.get("law_code"), f"{path}.law_code"),
        pd_cd=_opt_str(m.get("pd_cd"), f"{path}.pd_cd"),
        arrest_date=_opt_date(m.get("arrest_date"), f"{path}.arrest_date"),
        section=_opt_str(m.get("section"), f"{path}.section"),
        subdivision=_opt_str(m.get("subdivision"), f"{path}.subdivision"),
    )
    if charge.law_code is None and charge.section is None:
        raise FactTypeError(path, "a charge needs a law_code (NYPD LAW_CODE) or a section")
    return charge


def _panel_value(data: Mapping[str, object], key: str, allowed: tuple[str, ...]) -> str | None:
    if key not in data:
        return NO_DETERMINATION
    value = data[key]
    if value is None:
        return None
    if not isinstance(value, str) or value not in allowed:
        raise FactTypeError(
            f"panel.{key}", f"expected one of {', '.join(allowed)} or null, got {value!r}"
        )
    return value


def _parse_panel(data: object) -> PanelFacts:
    if data is None:
        return _NO_PANEL
    m = _mapping(data, "panel")
    _keys(m, _PANEL_KEYS, "panel")
    return PanelFacts(
        determination=_panel_value(m, "determination", (NO_DETERMINATION, *PANEL_FINDINGS)),
        recommendation=_panel_value(
            m, "recommendation", (NO_DETERMINATION, *PANEL_RECOMMENDATIONS)
        ),
    )


_NO_PANEL = PanelFacts()
_NO_DEFENDANT = DefendantFacts()
_NO_INDICATORS = IndicatorFacts()


def _parse_case(data: object) -> CaseFacts:
    m = _mapping(data, "facts")
    _keys(m, _CASE_KEYS, "")
    raw_charges = m.get("charges")
    if not isinstance(raw_charges, list) or not raw_charges:
        raise NoChargesError(
            "charges", f"expected a non-empty list of charges, got {raw_charges!r}"
        )
    charges = tuple(_parse_charge(c, f"charges[{i}]") for i, c in enumerate(raw_charges))

    d = _mapping(m.get("defendant") or {}, "defendant")
    _keys(d, _DEFENDANT_KEYS, "defendant")
    defendant = (
        DefendantFacts(
            age=_opt_int(d.get("age"), "defendant.age"),
            age_group=_opt_str(d.get("age_group"), "defendant.age_group"),
            victim_indicators=_opt_bool(d.get("victim_indicators"), "defendant.victim_indicators"),
        )
        if d
        else _NO_DEFENDANT
    )

    raw_victims = m.get("victims")
    victims: tuple[VictimFacts, ...] | None
    if raw_victims is None:
        victims = None
    elif isinstance(raw_victims, list):
        parsed = []
        for i, v in enumerate(raw_victims):
            vm = _mapping(v, f"victims[{i}]")
            _keys(vm, _VICTIM_KEYS, f"victims[{i}]")
            parsed.append(VictimFacts(age=_opt_int(vm.get("age"), f"victims[{i}].age")))
        victims = tuple(parsed)
    else:
        raise FactTypeError("victims", f"expected a list or null, got {raw_victims!r}")

    ind = _mapping(m.get("indicators") or {}, "indicators")
    _keys(ind, frozenset(INDICATORS), "indicators")
    indicators = (
        IndicatorFacts(
            **{name: _opt_bool(ind.get(name), f"indicators.{name}") for name in INDICATORS}
        )
        if ind
        else _NO_INDICATORS
    )
    return CaseFacts(
        charges=charges,
        decision_date=_opt_date(m.get("decision_date"), "decision_date"),
        defendant=defendant,
        victims=victims,
        indicators=indicators,
        co_defendants_sold_together=_opt_bool(
            m.get("co_defendants_sold_together"), "co_defendants_sold_together"
        ),
        panel=_parse_panel(m.get("panel")),
    )
