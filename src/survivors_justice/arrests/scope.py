"""The office's scope: which arrests open a case at intake.

An arrest opens a case when its charge is prostitution-related (`reader.opens_case`), it was
made in the office's county (``SJ_OFFICE_COUNTY``, default Queens) and on or after the intake
start date (``SJ_INTAKE_START``, if set). Every other arrest stays in the store, without a case,
for analytics, simulation and record relief.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import Q

BOROUGH_NAMES = {
    "B": "the Bronx",
    "K": "Brooklyn",
    "M": "Manhattan",
    "Q": "Queens",
    "S": "Staten Island",
}


@dataclass(frozen=True, slots=True)
class OfficeScope:
    county: str  # "Q", or "all"
    start: date | None

    def covers(self, borough: str, arrest_date: date) -> bool:
        """Whether an arrest in ``borough`` on ``arrest_date`` opens a case."""
        if self.county != "all" and borough != self.county:
            return False
        return self.start is None or arrest_date >= self.start

    def q(self, prefix: str = "") -> Q:
        """The same test as a query on ``Arrest`` (``prefix`` e.g. ``"arrest__"``)."""
        test = Q()
        if self.county != "all":
            test &= Q(**{f"{prefix}borough": self.county})
        if self.start is not None:
            test &= Q(**{f"{prefix}arrest_date__gte": self.start})
        return test

    def describe(self) -> str:
        """``arrests in Queens from 2017-12-01 on``: the scope in words."""
        where = "every county" if self.county == "all" else BOROUGH_NAMES[self.county]
        if self.start is None:
            return f"arrests in {where}, of any date"
        return f"arrests in {where} from {self.start.isoformat()} on"


def office_scope() -> OfficeScope:
    """The scope the settings give (read at each call, so tests can override settings)."""
    county = getattr(settings, "SJ_OFFICE_COUNTY", "Q")
    start = getattr(settings, "SJ_INTAKE_START", None)
    return OfficeScope(county=county, start=start)
