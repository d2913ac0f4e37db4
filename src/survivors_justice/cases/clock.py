"""The CPL 30.30 readiness clock of a case, as the queues and the case page show it.

The period comes from ``law.speedy_trial`` (dated data with its source); the class is the most
serious class among the case's charges as the catalog read them, else the NYPD's law category
(F: felony; M: B misdemeanor, the shorter of the two periods, so the clock never shows more time
than the law allows; V: violation).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from survivors_justice.cases.models import Case
from survivors_justice.law.speedy_trial import SpeedyTrialError, readiness_deadline, top_class

_BY_CATEGORY = {"F": "felony", "M": "B misdemeanor", "V": "violation"}
URGENT_DAYS = 14  # a deadline this many days away or fewer is shown as urgent


@dataclass(frozen=True)
class Clock:
    deadline: date
    days_left: int
    offense_class: str
    period: str
    citation: str
    source_url: str
    from_category: bool  # the class came from the NYPD law category, not the catalog

    @property
    def days_text(self) -> str:
        return days_text(self.days_left)

    @property
    def days_class(self) -> str:
        return days_class(self.days_left)


def days_class(days_left: int) -> str:
    """The USWDS text classes a deadline's distance is shown with: overdue in red and bold,
    urgent (``URGENT_DAYS`` or fewer to go) in bold."""
    if days_left < 0:
        return "text-secondary-dark text-bold"
    return "text-bold" if days_left <= URGENT_DAYS else ""


def days_text(days_left: int) -> str:
    """``12 days left``, ``1 day left``, ``3 days past``: a deadline's distance in words."""
    days = abs(days_left)
    unit = "day" if days == 1 else "days"
    return f"{days} {unit} past" if days_left < 0 else f"{days} {unit} left"


def offense_class_of(case: Case) -> tuple[str | None, bool]:
    """(the case's top offense class, whether it came from the NYPD category)."""
    arrest = case.arrest
    cached = getattr(arrest, "_prefetched_objects_cache", {}).get("charges")
    charges = list(cached) if cached is not None else list(arrest.charges.all())
    best = top_class(c.offense_class for c in charges if c.offense_class)
    if best:
        return best, False
    return _BY_CATEGORY.get((arrest.law_cat_cd or "").upper()[:1]), True


def clock_of(case: Case, today: date | None = None) -> Clock | None:
    """The readiness clock of ``case`` counted from its arrest date (None: no class known)."""
    offense_class, from_category = offense_class_of(case)
    if offense_class is None:
        return None
    try:
        rd = readiness_deadline(offense_class, case.arrest.arrest_date)
    except SpeedyTrialError:
        return None
    today = today or timezone.localdate()
    return Clock(
        deadline=rd.deadline,
        days_left=(rd.deadline - today).days,
        offense_class=offense_class,
        period=rd.period,
        citation=rd.citation,
        source_url=rd.source_url,
        from_category=from_category,
    )


def classes_of(case_ids: list[int]) -> dict[int, str | None]:
    """Each case's top offense class from its charges, in one query."""
    from survivors_justice.arrests.models import Charge

    found: dict[int, list[str]] = {}
    rows = Charge.objects.filter(arrest__case__pk__in=case_ids).exclude(offense_class="")
    for case_id, offense_class in rows.values_list("arrest__case__pk", "offense_class"):
        found.setdefault(case_id, []).append(offense_class)
    return {pk: top_class(v) for pk, v in found.items()}


def deadline_key(row: tuple[int, date, str], classes: dict[int, str | None]) -> tuple[int, date]:
    """Sort key of (pk, arrest date, NYPD law category) by readiness deadline (unknown last)."""
    pk, arrest_date, category = row
    offense_class = classes.get(pk) or _BY_CATEGORY.get((category or "").upper()[:1])
    if offense_class is None:
        return (1, arrest_date)
    try:
        return (0, readiness_deadline(offense_class, arrest_date).deadline)
    except SpeedyTrialError:
        return (1, arrest_date)


def deadline_of(classes: list[str], category: str | None, arrest_date: date) -> date | None:
    """The readiness deadline from plain values: the offense classes of the arrest's charges, the
    NYPD law category and the arrest date (None: no class known), as :func:`clock_of` counts it.
    What ``cases/stored_recommendation.py`` keeps on the case for the trafficking queue's sort."""
    offense_class = top_class(c for c in classes if c) or _BY_CATEGORY.get(
        (category or "").upper()[:1]
    )
    if offense_class is None:
        return None
    try:
        return readiness_deadline(offense_class, arrest_date).deadline
    except SpeedyTrialError:
        return None
