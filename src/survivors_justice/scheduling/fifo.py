"""First come, first served: the baseline every plan is compared with.

Cases in ``filed`` order (ties in docket order); each hearing in the earliest slot (by day, then
session of the day, then part as the docket lists them) of one of the case's parts that respects
the gap after the case's previous hearing, the sitting's capacity and every attendee's unavailable
days. Encounters and ``ready_by`` are ignored, as a clerk filling the calendar by hand does. A
hearing with no such slot in the horizon is unscheduled, and so are the case's later hearings.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from survivors_justice.scheduling.docket import Docket
from survivors_justice.scheduling.metrics import Hearing


def gap_days(min_gap_days: int) -> int:
    """Calendar days between two consecutive hearings of a case (a case is heard once a day)."""
    return max(min_gap_days, 1)


def fifo_plan(docket: Docket) -> list[Hearing]:
    """The baseline's hearings list for ``docket``."""
    sessions = docket.sessions()
    used: dict[tuple[date, str, str], int] = defaultdict(int)
    order = sorted(enumerate(docket.cases), key=lambda ic: (ic[1].filed, ic[0]))
    out: list[Hearing] = []
    for _, case in order:
        earliest = docket.start_date
        for number in range(1, case.hearings + 1):
            people = case.attendees(number)
            chosen = None
            for s in sessions:
                if s.day < earliest or s.part not in case.parts:
                    continue
                if used[(s.day, s.part, s.session)] >= s.capacity:
                    continue
                if any(s.day in docket.unavailable.get(p, ()) for p in people):
                    continue
                chosen = s
                break
            if chosen is None:
                break
            key = (chosen.day, chosen.part, chosen.session)
            used[key] += 1
            out.append(Hearing(chosen.day, chosen.session, chosen.part, used[key], case.id, number))
            earliest = chosen.day + timedelta(days=gap_days(case.min_gap_days))
    out.sort()
    return out
