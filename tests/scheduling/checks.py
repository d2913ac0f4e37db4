"""Independent readings of the docket rules, written from the issue's text for the tests.

Nothing here imports the code under test except the plain docket and hearing types.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from survivors_justice.scheduling.docket import Docket
from survivors_justice.scheduling.metrics import Hearing


def court_sittings(docket: Docket) -> list[tuple[date, str, str, int]]:
    """(day, part, session, slots) of every sitting, from the format's definition."""
    out = []
    for i in range(docket.horizon_days):
        day = docket.start_date + timedelta(days=i)
        if day in docket.holidays:
            continue
        for part in docket.parts:
            if day.weekday() in part.weekdays:
                for session in part.sessions:
                    out.append((day, part.id, session, part.slots_per_session))
    return out


def rule_breaches(docket: Docket, hearings: list[Hearing]) -> dict[str, int]:
    """Counts of capacity, gap, unavailability, deadline and part breaches of a hearings list."""
    cases = {c.id: c for c in docket.cases}
    slots = {(d, p, s): n for d, p, s, n in court_sittings(docket)}
    used: dict[tuple[date, str, str], int] = defaultdict(int)
    out = {"capacity": 0, "gaps": 0, "unavailability": 0, "deadlines": 0, "parts": 0,
           "order": 0}
    by_case: dict[str, dict[int, date]] = defaultdict(dict)
    for h in hearings:
        case = cases[h.case]
        if h.part not in case.parts or (h.date, h.part, h.session) not in slots:
            out["parts"] += 1
        used[(h.date, h.part, h.session)] += 1
        if h.date > case.ready_by:
            out["deadlines"] += 1
        for person, numbers in case.attend.items():
            if h.hearing in numbers and h.date in docket.unavailable.get(person, ()):
                out["unavailability"] += 1
        by_case[h.case][h.hearing] = h.date
    for key, n in used.items():
        out["capacity"] += max(0, n - slots.get(key, 0))
    for cid, days in by_case.items():
        case = cases[cid]
        held = sorted(days)
        if held != list(range(1, len(held) + 1)):
            out["order"] += 1
        for k in held:
            if k + 1 in days and (days[k + 1] - days[k]).days < max(case.min_gap_days, 1):
                out["gaps"] += 1
    return out


def meetings(docket: Docket, hearings: list[Hearing]) -> int:
    """Encounters by the issue's definition, counted once per pair and session."""
    cases = {c.id: c for c in docket.cases}
    why: dict[tuple[str, date, str], set[tuple[str, int]]] = defaultdict(set)
    for h in hearings:
        for person, numbers in cases[h.case].attend.items():
            if h.hearing in numbers:
                why[(person, h.date, h.session)].add((h.case, h.hearing))
    count = 0
    sessions = {(d, s) for (_, d, s) in why}
    for a, b in docket.keep_apart:
        for d, s in sessions:
            wa, wb = why.get((a, d, s), set()), why.get((b, d, s), set())
            if wa and wb and wa != wb:
                count += 1
    return count


def independent_metrics(docket: Docket, hearings: list[Hearing]) -> dict[str, Any]:
    """The issue's metrics, recomputed without the package's metrics module."""
    survivors = {a for a, _ in docket.keep_apart}
    last: dict[str, int] = {}
    count: dict[str, set[int]] = defaultdict(set)
    late: set[str] = set()
    cases = {c.id: c for c in docket.cases}
    for h in hearings:
        count[h.case].add(h.hearing)
        last[h.case] = max(last.get(h.case, 0), (h.date - docket.start_date).days)
        if h.date > cases[h.case].ready_by:
            late.add(h.case)
    full = [c for c in docket.cases if len(count[c.id]) == c.hearings]
    surv = [c for c in full if any(p in survivors and hs for p, hs in c.attend.items())]
    sdays = sorted(last[c.id] for c in surv)
    adays = [last[c.id] for c in full]
    present = set()
    for h in hearings:
        for person, numbers in cases[h.case].attend.items():
            if h.hearing in numbers and person in survivors:
                present.add((person, h.date, h.session))
    p90 = None
    if sdays:
        rank = -(-9 * len(sdays) // 10)  # ceil(0.9 n)
        p90 = float(sdays[rank - 1])
    return {
        "survivor_days_mean": sum(sdays) / len(sdays) if sdays else None,
        "survivor_days_p90": p90,
        "all_days_mean": sum(adays) / len(adays) if adays else None,
        "encounters": meetings(docket, hearings),
        "deadline_violations": len(late),
        "capacity_violations": rule_breaches(docket, hearings)["capacity"]
        + rule_breaches(docket, hearings)["parts"],
        "unscheduled_hearings": sum(c.hearings for c in docket.cases)
        - sum(len(count[c.id]) for c in docket.cases),
        "survivor_sessions": len(present),
    }


def lexicographic_key(docket: Docket, hearings: list[Hearing]) -> tuple[int, int, int]:
    """(unscheduled, survivors' days, everyone's days) with a case not fully held counting as
    the horizon, as the objective is defined."""
    survivors = {a for a, _ in docket.keep_apart}
    held: dict[str, dict[int, date]] = defaultdict(dict)
    for h in hearings:
        held[h.case][h.hearing] = h.date
    unscheduled = surv = every = 0
    for c in docket.cases:
        unscheduled += c.hearings - len(held[c.id])
        if len(held[c.id]) == c.hearings:
            days = (held[c.id][c.hearings] - docket.start_date).days
        else:
            days = docket.horizon_days
        every += days
        if any(p in survivors and hs for p, hs in c.attend.items()):
            surv += days
    return unscheduled, surv, every


def best_by_enumeration(docket: Docket) -> tuple[int, int, int]:
    """The best key over every calendar that keeps all the rules and has no encounter."""
    sittings = court_sittings(docket)
    keys = [(c.id, k) for c in docket.cases for k in range(1, c.hearings + 1)]
    choices: list[int | None] = [None, *range(len(sittings))]
    best: tuple[int, int, int] | None = None
    for combo in itertools.product(choices, repeat=len(keys)):
        hearings = []
        for (cid, k), pick in zip(keys, combo, strict=True):
            if pick is not None:
                d, p, s, _ = sittings[pick]
                hearings.append(Hearing(d, s, p, 1, cid, k))
        if any(rule_breaches(docket, hearings).values()) or meetings(docket, hearings):
            continue
        key = lexicographic_key(docket, hearings)
        if best is None or key < best:
            best = key
    assert best is not None  # the empty calendar always qualifies
    return best
