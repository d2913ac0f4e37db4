"""A survivor-first calendar that keeps every hard rule: the CP-SAT search starts from it.

Survivor cases first, then the rest, each group by ready-by date (earliest deadline first);
each hearing in the earliest sitting that keeps capacity, gaps, deadlines, unavailability and
every keep-apart pair. A hearing with no such sitting is left out, with the case's later ones.
It is a starting point, not a plan: the model improves on it.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from survivors_justice.scheduling.docket import Docket
from survivors_justice.scheduling.fifo import gap_days
from survivors_justice.scheduling.metrics import Hearing

Key = tuple[str, int]


def greedy_plan(docket: Docket) -> list[Hearing]:
    sessions = docket.sessions()
    used: dict[tuple[date, str, str], int] = defaultdict(int)
    here: dict[tuple[str, date, str], set[Key]] = defaultdict(set)
    partners: dict[str, list[str]] = defaultdict(list)
    for a, b in docket.keep_apart:
        partners[a].append(b)
        partners[b].append(a)

    def meets(people: tuple[str, ...], key: Key, day: date, session: str) -> bool:
        for p in people:
            mine = here[(p, day, session)] | {key}
            for q in partners[p]:
                theirs = here.get((q, day, session), set())
                if q in people:
                    theirs = theirs | {key}
                if theirs and theirs != mine:
                    return True
        return False

    order = sorted(
        docket.cases,
        key=lambda c: (not docket.is_survivor_case(c), c.ready_by, c.filed, c.id),
    )
    out: list[Hearing] = []
    for case in order:
        earliest = docket.start_date
        for number in range(1, case.hearings + 1):
            people = case.attendees(number)
            key = (case.id, number)
            chosen = None
            for s in sessions:
                if s.day < earliest or s.day > case.ready_by or s.part not in case.parts:
                    continue
                if used[(s.day, s.part, s.session)] >= s.capacity:
                    continue
                if any(s.day in docket.unavailable.get(p, ()) for p in people):
                    continue
                if meets(people, key, s.day, s.session):
                    continue
                chosen = s
                break
            if chosen is None:
                break
            used[(chosen.day, chosen.part, chosen.session)] += 1
            for p in people:
                here[(p, chosen.day, chosen.session)].add(key)
            out.append(Hearing(chosen.day, chosen.session, chosen.part,
                               used[(chosen.day, chosen.part, chosen.session)], case.id, number))
            earliest = chosen.day + timedelta(days=gap_days(case.min_gap_days))
    out.sort()
    return out
