"""The CPL 30.30 speedy-trial clock: by when the People must be ready for trial.

Framework-free (no Django). The periods are dated data in ``law/speedy_trial.yaml``::

    readiness_deadline("D felony", date(2017, 8, 31))   # -> deadline 2018-02-28 (six months)
    top_class(["B misdemeanor", "A misdemeanor"])       # -> "A misdemeanor"

Months are calendar months (General Construction Law 30): the day with the same number in the
last month counted, or that month's last day when it is shorter. Days are calendar days after the
day counted from (General Construction Law 20). The deadline is the legal last day; it is not
moved off weekends or holidays (that could only make it later), and excludable time is not known
to the office at intake, so it is not subtracted.
"""

from __future__ import annotations

import calendar
import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources
from typing import Any, Final

import yaml

SPEEDY_TRIAL_FILE: Final = "speedy_trial.yaml"
GROUPS: Final = ("felony", "A misdemeanor", "B misdemeanor", "violation")  # most serious first
_FELONY: Final = re.compile(r"(?:(A-I|A-II|A|B|C|D|E) )?felony")
_FELONY_RANK: Final = ("A-I", "A", "A-II", "B", "C", "D", "E", "")


class SpeedyTrialError(ValueError):
    """An offense class the clock cannot place, or a malformed ``speedy_trial.yaml``."""


@dataclass(frozen=True, slots=True)
class ReadinessPeriod:
    """One version of one CPL 30.30(1) period."""

    offense_class: str  # one of GROUPS
    days: int | None
    months: int | None
    citation: str
    in_force_from: date | None
    in_force_to: date | None
    source_url: str
    note: str = ""

    def in_force_on(self, on: date) -> bool:
        if self.in_force_from is not None and on < self.in_force_from:
            return False
        return not (self.in_force_to is not None and on > self.in_force_to)


@dataclass(frozen=True, slots=True)
class ReadinessDeadline:
    """The last day the People may be ready for trial, and the law it comes from."""

    deadline: date
    days: int | None  # the period in days, or None when it is in months
    months: int | None  # the period in calendar months, or None when it is in days
    offense_class: str  # the class group: felony, A misdemeanor, B misdemeanor, violation
    citation: str  # "CPL 30.30(1)(a)"
    source_url: str
    counted_from: date  # the arrest date

    @property
    def period(self) -> str:
        """``six months`` / ``90 days``: the period in words."""
        if self.months is not None:
            return f"{self.months} months" if self.months != 6 else "six months"
        return f"{self.days} days"

    def days_left(self, today: date) -> int:
        """Days from ``today`` to the deadline (0 on the deadline, negative once it passed)."""
        return (self.deadline - today).days


def add_months(start: date, months: int) -> date:
    """``start`` plus calendar months; the month's last day when the same day does not exist."""
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def class_group(offense_class: str) -> str:
    """``D felony`` -> ``felony``; ``A misdemeanor``, ``B misdemeanor``, ``violation`` as such."""
    if not isinstance(offense_class, str):
        raise SpeedyTrialError(f"offense class {offense_class!r} must be text, e.g. 'D felony'")
    text = " ".join(offense_class.split())
    lowered = text.lower()
    if _FELONY.fullmatch(_felony_form(text)):
        return "felony"
    if lowered in {"a misdemeanor", "class a misdemeanor"}:
        return "A misdemeanor"
    if lowered in {"b misdemeanor", "class b misdemeanor"}:
        return "B misdemeanor"
    if lowered == "violation":
        return "violation"
    raise SpeedyTrialError(
        f"offense class {offense_class!r} has no CPL 30.30 period here; give a felony class "
        "('D felony'), 'A misdemeanor', 'B misdemeanor' or 'violation' (an unclassified "
        "misdemeanor needs its maximum sentence: over three months is 'A misdemeanor')"
    )


def _felony_form(text: str) -> str:
    """``class d felony`` / ``D Felony`` -> ``D felony`` for matching."""
    words = text.split()
    if words and words[0].lower() == "class":
        words = words[1:]
    if len(words) == 2 and words[1].lower() == "felony":
        return f"{words[0].upper()} felony"
    if len(words) == 1 and words[0].lower() == "felony":
        return "felony"
    return text


def _rank(offense_class: str) -> tuple[int, int]:
    group = class_group(offense_class)
    sub = 0
    if group == "felony":
        match = _FELONY.fullmatch(_felony_form(" ".join(offense_class.split())))
        letter = (match.group(1) if match else None) or ""
        sub = _FELONY_RANK.index(letter)
    return GROUPS.index(group), sub


def top_class(classes: Iterable[str]) -> str | None:
    """The most serious of the classes as given (felony > A misdemeanor > B misdemeanor >
    violation; among felonies A > B > ... > E); None when there is none."""
    best: str | None = None
    best_rank: tuple[int, int] | None = None
    for offense_class in classes:
        if offense_class is None or not str(offense_class).strip():
            continue
        rank = _rank(offense_class)
        if best_rank is None or rank < best_rank:
            best, best_rank = offense_class, rank
    return best


def readiness_deadline(offense_class: str, arrest_date: date) -> ReadinessDeadline:
    """The CPL 30.30 readiness deadline for a case whose top charge has ``offense_class``."""
    if not isinstance(arrest_date, date):
        raise SpeedyTrialError(f"arrest date {arrest_date!r} must be a date")
    group = class_group(offense_class)
    period = period_for(group, arrest_date)
    if period.months is not None:
        deadline = add_months(arrest_date, period.months)
    else:
        deadline = arrest_date + timedelta(days=period.days or 0)
    return ReadinessDeadline(
        deadline=deadline,
        days=period.days,
        months=period.months,
        offense_class=group,
        citation=period.citation,
        source_url=period.source_url,
        counted_from=arrest_date,
    )


def period_for(
    group: str, on: date, periods: Iterable[ReadinessPeriod] | None = None
) -> ReadinessPeriod:
    """The version of the group's period in force on ``on`` (else the nearest earlier one)."""
    source = load_periods() if periods is None else periods
    versions = [p for p in source if p.offense_class == group]
    if not versions:
        raise SpeedyTrialError(f"speedy_trial.yaml has no period for {group!r}")
    chosen = versions[0]
    for period in versions:
        if period.in_force_on(on):
            return period
        if period.in_force_from is None or period.in_force_from <= on:
            chosen = period
    return chosen


# ---------------------------------------------------------------------- loading
def _date(value: object, where: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise SpeedyTrialError(f"{where}: {value!r} is not a date (write YYYY-MM-DD)") from exc


def _count(item: Mapping[str, Any], key: str, where: str) -> int | None:
    value: object = item.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise SpeedyTrialError(f"{where}: {key!r} must be a positive whole number, got {value!r}")
    return value


def periods_from_mapping(data: Any) -> tuple[ReadinessPeriod, ...]:
    """Read the parsed YAML; raises :class:`SpeedyTrialError` naming the bad entry and field."""
    if not isinstance(data, Mapping) or not isinstance(data.get("periods"), list):
        raise SpeedyTrialError("speedy_trial.yaml must be a mapping with a 'periods' list")
    out: list[ReadinessPeriod] = []
    for i, item in enumerate(data["periods"]):
        where = f"periods[{i}]"
        if not isinstance(item, Mapping):
            raise SpeedyTrialError(f"{where}: expected a mapping, got {item!r}")
        group = item.get("class")
        if group not in GROUPS:
            raise SpeedyTrialError(f"{where}: 'class' must be one of {list(GROUPS)}, got {group!r}")
        days, months = _count(item, "days", where), _count(item, "months", where)
        if (days is None) == (months is None):
            raise SpeedyTrialError(f"{where}: give exactly one of 'days' and 'months'")
        for key in ("citation", "source_url"):
            if not isinstance(item.get(key), str) or not item[key].strip():
                raise SpeedyTrialError(f"{where}: field {key!r} is missing")
        period = ReadinessPeriod(
            offense_class=group,
            days=days,
            months=months,
            citation=item["citation"],
            in_force_from=_date(item.get("in_force_from"), where),
            in_force_to=_date(item.get("in_force_to"), where),
            source_url=item["source_url"],
            note=" ".join(str(item.get("note") or "").split()),
        )
        if (
            period.in_force_from
            and period.in_force_to
            and period.in_force_to < period.in_force_from
        ):
            raise SpeedyTrialError(f"{where}: in_force_to is before in_force_from")
        out.append(period)
    missing = [g for g in GROUPS if not any(p.offense_class == g for p in out)]
    if missing:
        raise SpeedyTrialError(f"speedy_trial.yaml has no period for {missing}")
    return tuple(
        sorted(out, key=lambda p: (GROUPS.index(p.offense_class), p.in_force_from or date.min))
    )


@functools.cache
def load_periods() -> tuple[ReadinessPeriod, ...]:
    """The packaged periods (``law/speedy_trial.yaml``), read once per process."""
    text = resources.files("survivors_justice.law").joinpath(SPEEDY_TRIAL_FILE).read_text("utf-8")
    return periods_from_mapping(yaml.safe_load(text))
