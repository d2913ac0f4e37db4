"""Plain explanations of why a docket cannot be planned in full.

Two questions, asked in order:

1. Can each case with a missing hearing be heard in full on its own (its parts, gaps, deadline,
   and its people's unavailable days)? If not, say which of its own rules stand in the way.
2. Otherwise cases compete: solve the docket again with every hearing required and each family
   of rules behind a switch, and ask CP-SAT which switches together make it infeasible.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from ortools.sat.python import cp_model

from survivors_justice.scheduling.docket import Case, Docket
from survivors_justice.scheduling.fifo import gap_days
from survivors_justice.scheduling.metrics import Hearing, encounter_list

FAMILY_WORDS = {
    "capacity": "the slots of each session",
    "gaps": "the gaps between a case's hearings",
    "deadlines": "the CPL 30.30 ready-by dates",
    "unavailability": "the days people are unavailable",
    "encounters": "keeping survivors apart from the people named with them",
}


def _alone(docket: Docket, case: Case, *, deadlines: bool, unavailability: bool) -> date | None:
    """Earliest day the case's last hearing can be held on its own (None: it cannot).

    Earliest-first placement is optimal for one case: an earlier hearing never leaves less room.
    """
    earliest = docket.start_date
    day: date | None = None
    for k in range(1, case.hearings + 1):
        people = case.attendees(k)
        day = None
        for s in docket.sessions():
            if s.part not in case.parts or s.day < earliest:
                continue
            if deadlines and s.day > case.ready_by:
                continue
            if unavailability and any(s.day in docket.unavailable.get(p, ()) for p in people):
                continue
            day = s.day
            break
        if day is None:
            return None
        earliest = day + timedelta(days=gap_days(case.min_gap_days))
    return day


def explain_case(docket: Docket, case: Case) -> str | None:
    """Why ``case`` cannot be heard in full even with the courthouse to itself (None: it can)."""
    if _alone(docket, case, deadlines=True, unavailability=True) is not None:
        return None
    gap = gap_days(case.min_gap_days)
    plural = "s" if case.hearings > 1 else ""
    needs = f"case {case.id} needs {case.hearings} hearing{plural}"
    if case.hearings > 1:
        needs += f" at least {gap} day{'s' if gap > 1 else ''} apart"
    free = _alone(docket, case, deadlines=False, unavailability=False)
    if free is None:
        return (f"{needs} in parts {', '.join(case.parts)}, but they do not fit between "
                f"{docket.start_date} and {docket.end_date}; lengthen horizon_days, add a "
                "part or court days, or lower min_gap_days.")
    no_deadline = _alone(docket, case, deadlines=False, unavailability=True)
    no_away = _alone(docket, case, deadlines=True, unavailability=False)
    if no_deadline is not None and no_away is None:
        return (f"{needs}; the earliest the last can be held is {no_deadline}, after its "
                f"ready-by date {case.ready_by}. Ask the court for an earlier start, or record "
                "the excludable time that moves the CPL 30.30 date.")
    if no_away is not None and no_deadline is None:
        away = sorted({p for p in case.attend if docket.unavailable.get(p)})
        return (f"{needs} by {case.ready_by}, but {', '.join(away)} "
                f"{'is' if len(away) == 1 else 'are'} unavailable on the court days that would "
                "allow it; check the unavailable days with them.")
    return (f"{needs} by {case.ready_by}; its deadline and its people's unavailable days "
            "together leave no court day for every hearing.")


def conflicting_rules(docket: Docket, *, time_limit: float) -> list[str] | None:
    """Rule families that together make 'every hearing held' infeasible (None: not proved)."""
    from survivors_justice.scheduling.model import build

    m = build(docket, switchable=True)
    for held in m.held.values():
        m.model.add(held == 1)
    switches = list(m.switches.items())
    m.model.add_assumptions([lit for _, lit in switches])
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1  # cores (assumptions) come from the sequential search
    solver.parameters.max_time_in_seconds = time_limit
    status = solver.solve(m.model)
    if status != cp_model.INFEASIBLE:
        return None
    core = set(solver.sufficient_assumptions_for_infeasibility())
    return [name for name, lit in switches if lit.index in core]


def explain_shortfall(docket: Docket, hearings: list[Hearing], *, time_limit: float) -> list[str]:
    """Sentences saying why ``hearings`` leaves hearings unscheduled or people meeting."""
    held: dict[str, int] = defaultdict(int)
    for h in hearings:
        held[h.case] += 1
    lines: list[str] = []
    short = [c for c in docket.cases if held[c.id] < c.hearings]
    alone_ok = True
    for case in short:
        why = explain_case(docket, case)
        if why is not None:
            alone_ok = False
            lines.append(why)
    if short and alone_ok:
        families = conflicting_rules(docket, time_limit=time_limit)
        names = ", ".join(c.id for c in short[:10]) + (" and others" if len(short) > 10 else "")
        missing = sum(c.hearings - held[c.id] for c in short)
        if families:
            words = " and ".join(FAMILY_WORDS[f] for f in families)
            lines.append(
                f"Not every hearing fits: {words} together leave no calendar holding all of "
                f"them, so {missing} hearing(s) of {names} stay unscheduled. Add sessions or "
                "slots, lengthen the horizon, or move a ready-by date."
            )
        else:
            lines.append(
                f"{missing} hearing(s) of {names} stay unscheduled; the solver could not prove "
                "within its time which rules conflict. Run again with a longer --time-limit."
            )
    for a, b, day, session in encounter_list(docket, hearings):
        lines.append(
            f"{a} and {b} would both be in the courthouse on {day} ({session}); no calendar "
            "without this was found in the time allowed."
        )
    return lines
