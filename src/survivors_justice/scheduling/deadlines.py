"""CPL 30.30 ready-by dates for the planner.

Uses :mod:`survivors_justice.law.speedy_trial` when the law package provides it; until then a
small table of CPL 30.30(1) periods stands in (the same periods: felony six months, class A
misdemeanor 90 days, class B misdemeanor 60 days, violation 30 days).
"""

from __future__ import annotations

import calendar
import importlib
from datetime import date, timedelta

CPL_3030_URL = "https://www.nysenate.gov/legislation/laws/CPL/30.30"


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def fallback_ready_by(offense_class: str, commenced: date) -> date:
    """The CPL 30.30(1) date for an offense class ("D felony", "A misdemeanor", "violation")."""
    text = offense_class.strip().lower()
    if "felony" in text:
        return _add_months(commenced, 6)
    if text.startswith("a misdemeanor") or text == "misdemeanor":
        return commenced + timedelta(days=90)
    if "misdemeanor" in text:
        return commenced + timedelta(days=60)
    if "violation" in text or "infraction" in text:
        return commenced + timedelta(days=30)
    raise ValueError(
        f"offense class {offense_class!r} has no CPL 30.30 period; use a felony class, "
        "'A misdemeanor', 'B misdemeanor' or 'violation'"
    )


def ready_by(offense_class: str, commenced: date) -> date:
    """The case's CPL 30.30 ready-by date, from the law package when it has the clock."""
    try:
        clock = importlib.import_module("survivors_justice.law.speedy_trial")
    except ImportError:
        return fallback_ready_by(offense_class, commenced)
    deadline: date = clock.readiness_deadline(offense_class, commenced).deadline
    return deadline
