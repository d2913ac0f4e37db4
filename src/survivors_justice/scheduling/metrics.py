"""What a plan costs people, computed from its hearings list alone (one function for every plan).

Definitions (the docket format's rules):

- ``survivor_days_mean`` / ``survivor_days_p90``: calendar days from ``start_date`` to the last
  hearing of each fully scheduled survivor case; mean, and the 90th percentile by nearest rank
  (the smallest value at or above 90 % of the cases). ``None`` when no survivor case is fully
  scheduled.
- ``all_days_mean``: the same over every fully scheduled case.
- ``encounters``: keep-apart pairs both in the courthouse in the same session (name) of the same
  day, in any parts, unless both are there only for the same hearing(s); once per pair and session.
- ``deadline_violations``: cases with a scheduled hearing after their ``ready_by`` date.
- ``capacity_violations``: hearings beyond a sitting's slots; a hearing in a sitting that does not
  exist (not a court day of that part, or not one of the case's parts) counts too.
- ``unscheduled_hearings``: hearings the cases need that the plan does not hold.
- ``survivor_sessions``: sessions (day and session name) each survivor spends in the courthouse,
  summed over survivors.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from survivors_justice.scheduling.docket import Docket


@dataclass(frozen=True, slots=True, order=True)
class Hearing:
    """One hearing placed in one slot: hearing number ``hearing`` (from 1) of case ``case``."""

    date: date
    session: str
    part: str
    slot: int
    case: str
    hearing: int

    def to_json(self) -> dict[str, Any]:
        return {
            "case": self.case,
            "hearing": self.hearing,
            "date": self.date.isoformat(),
            "part": self.part,
            "session": self.session,
            "slot": self.slot,
        }


@dataclass(frozen=True, slots=True)
class Metrics:
    survivor_days_mean: float | None
    survivor_days_p90: float | None
    all_days_mean: float | None
    encounters: int
    deadline_violations: int
    capacity_violations: int
    unscheduled_hearings: int
    survivor_sessions: int

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _p90(values: list[int]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return float(ordered[math.ceil(0.9 * len(ordered)) - 1])


def _mean(values: list[int]) -> float | None:
    return sum(values) / len(values) if values else None


def presence(
    docket: Docket, hearings: list[Hearing]
) -> dict[tuple[str, date, str], set[tuple[str, int]]]:
    """(person, day, session name) -> the hearings (case, number) that bring them there."""
    cases = {c.id: c for c in docket.cases}
    out: dict[tuple[str, date, str], set[tuple[str, int]]] = defaultdict(set)
    for h in hearings:
        case = cases.get(h.case)
        if case is None:
            continue
        for person, numbers in case.attend.items():
            if h.hearing in numbers:
                out[(person, h.date, h.session)].add((h.case, h.hearing))
    return out


def encounter_list(docket: Docket, hearings: list[Hearing]) -> list[tuple[str, str, date, str]]:
    """Every encounter: (survivor, other person, day, session name), in time order."""
    here = presence(docket, hearings)
    by_person: dict[str, list[tuple[date, str]]] = defaultdict(list)
    for person, day, session in here:
        by_person[person].append((day, session))
    out: list[tuple[str, str, date, str]] = []
    for a, b in docket.keep_apart:
        for day, session in by_person.get(a, []):
            other = here.get((b, day, session))
            if other and other != here[(a, day, session)]:
                out.append((a, b, day, session))
    out.sort(key=lambda e: (e[2], e[3], e[0], e[1]))
    return out


def compute_metrics(docket: Docket, hearings: list[Hearing]) -> Metrics:
    """The metrics of any hearings list against its docket (the plan's and the baseline's)."""
    cases = {c.id: c for c in docket.cases}
    placed: dict[str, list[Hearing]] = defaultdict(list)
    for h in hearings:
        placed[h.case].append(h)

    survivor_days: list[int] = []
    all_days: list[int] = []
    deadline = 0
    unscheduled = 0
    for case in docket.cases:
        mine = placed.get(case.id, [])
        numbers = {h.hearing for h in mine if 1 <= h.hearing <= case.hearings}
        unscheduled += case.hearings - len(numbers)
        if any(h.date > case.ready_by for h in mine):
            deadline += 1
        if len(numbers) == case.hearings:
            days = max(docket.day_index(h.date) for h in mine)
            all_days.append(days)
            if docket.is_survivor_case(case):
                survivor_days.append(days)

    capacity_of = {(s.day, s.part, s.session): s.capacity for s in docket.sessions()}
    used: dict[tuple[date, str, str], int] = defaultdict(int)
    capacity = 0
    for h in hearings:
        known = cases.get(h.case)
        if known is None or h.part not in known.parts:
            capacity += 1
            continue
        used[(h.date, h.part, h.session)] += 1
    for key, n in used.items():
        capacity += max(0, n - capacity_of.get(key, 0))

    survivors = docket.survivors
    here = presence(docket, hearings)
    survivor_sessions = sum(1 for (person, _, _) in here if person in survivors)
    return Metrics(
        survivor_days_mean=_mean(survivor_days),
        survivor_days_p90=_p90(survivor_days),
        all_days_mean=_mean(all_days),
        encounters=len(encounter_list(docket, hearings)),
        deadline_violations=deadline,
        capacity_violations=capacity,
        unscheduled_hearings=unscheduled,
        survivor_sessions=survivor_sessions,
    )
