"""The CP-SAT plan: each rule of the docket format is one function below, named for it.

Variables. For each hearing (case, number) and each sitting (day, part, session) of one of the
case's parts, a Boolean ``x`` says "this hearing is held in this sitting". A hearing may be left
unscheduled (all its ``x`` false) at a price; the objective makes that the last resort.

Rules (each a sentence of the docket format; the first five narrow the sittings a hearing may
use, the last four link hearings to each other):

- :func:`rule_parts` -- a hearing is held in at most one sitting, of one of its case's parts.
- :func:`rule_deadlines` -- no hearing after the case's ``ready_by`` date.
- :func:`rule_unavailability` -- no one is scheduled on a day they are unavailable.
- :func:`rule_gap_windows` -- the gaps, read on the calendar (first and last possible days).
- :func:`rule_survivors_early` -- on a docket too large to prove, a survivor's case ends no
  later than the survivor-first calendar ends it.
- :func:`rule_capacity` -- a sitting holds at most ``slots_per_session`` hearings.
- :func:`rule_ordering` -- hearing *k+1* is held only if hearing *k* is, and on a later day.
- :func:`rule_gaps` -- consecutive hearings of a case are at least ``min_gap_days`` apart.
- :func:`rule_encounters` -- a survivor and a person kept apart from them are never both in
  the courthouse in the same session of the same day, unless both are there only for the same
  hearing(s).

Objective, in order (levels solved one after another, each level's value kept while the next
is improved; see docs/decisions.md):
no encounter (met by every calendar the model admits, because leaving a hearing out always
avoids a meeting); no deadline missed (also hard) and as few hearings unscheduled as possible;
then the survivors' days (sum over survivor cases of the day of their last hearing); then
everyone's days.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ortools.sat.python import cp_model

from survivors_justice.scheduling.docket import Case, Docket, Session
from survivors_justice.scheduling.fifo import gap_days
from survivors_justice.scheduling.greedy import greedy_plan
from survivors_justice.scheduling.metrics import Hearing, Metrics, compute_metrics

DEFAULT_TIME_LIMIT = 30.0
DEFAULT_WORKERS = 2  # the office's machine has two cores
RULE_FAMILIES = ("capacity", "gaps", "deadlines", "unavailability", "encounters")

HearingKey = tuple[int, int]  # (case index, hearing number)
Bool = Any  # a cp_model literal (IntVar or its negation); ortools ships no precise stub


@dataclass(frozen=True, slots=True)
class Stage:
    """One level of the lexicographic objective, as the solver left it."""

    name: str
    status: str
    objective: float | None
    bound: float | None
    gap: float | None
    seconds: float

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status,
            "objective": self.objective,
            "bound": self.bound,
            "gap": self.gap,
            "seconds": round(self.seconds, 3),
        }


@dataclass(frozen=True)
class PlanResult:
    hearings: list[Hearing]
    metrics: Metrics
    status: str  # OPTIMAL (every level proved), FEASIBLE, or the solver's word for a failure
    objective: float | None  # the last level's value (everyone's days, summed)
    bound: float | None
    gap: float | None
    stages: tuple[Stage, ...]
    explanation: tuple[str, ...] = ()
    seconds: float = 0.0
    size: dict[str, int] = field(default_factory=dict)

    def solver_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "objective": self.objective,
            "objective_bound": self.bound,
            "gap": self.gap,
            "seconds": round(self.seconds, 3),
            "stages": [s.to_json() for s in self.stages],
            "model_size": self.size,
        }


class CalendarModel:
    """The variables every rule reads, and the switches that turn rule families on.

    Built in two steps. First the rules that forbid sittings narrow each hearing's options (a
    list of sitting indices); then one Boolean per remaining option is made and the rules that
    link hearings are posted. With ``switchable`` (explaining an infeasible docket) nothing is
    narrowed: a forbidden option becomes a constraint behind its rule family's switch.
    """

    def __init__(self, docket: Docket, *, switchable: bool = False) -> None:
        self.docket = docket
        self.model = cp_model.CpModel()
        self.sittings: tuple[Session, ...] = docket.sessions()
        self.day_of_sitting = [docket.day_index(s.day) for s in self.sittings]
        self.cases: tuple[Case, ...] = docket.cases
        self.options: dict[HearingKey, list[int]] = {}
        self.x: dict[HearingKey, dict[int, Bool]] = {}
        self.held: dict[HearingKey, Bool] = {}
        self.day: dict[HearingKey, Any] = {}
        self.meeting_checks = 0
        self.large = False  # too large to prove: searched from the survivor-first calendar
        self.switchable = switchable
        self.switches: dict[str, Bool] = {}
        self._forbidden: list[tuple[HearingKey, int, str]] = []
        # A day of a part: its first sitting stands for all its sessions (see rule_parts).
        first: dict[tuple[date, str], int] = {}
        self.block_of = [first.setdefault((x.day, x.part), i) for i, x in enumerate(self.sittings)]
        self.block: dict[int, list[int]] = defaultdict(list)
        for i, b in enumerate(self.block_of):
            self.block[b].append(i)
        kept_apart = {p for pair in docket.keep_apart for p in pair}
        # Hearings whose people are kept apart from no one: their session matters to no rule.
        self.by_day: set[HearingKey] = {
            (ci, k)
            for ci, case in enumerate(docket.cases)
            for k in range(1, case.hearings + 1)
            if not kept_apart.intersection(case.attendees(k))
        }
        if switchable:
            self.switches = {f: self.model.new_bool_var(f"rule:{f}") for f in RULE_FAMILIES}

    def when(self, family: str) -> list[Bool]:
        """Enforcement literals for a rule family (none when the rules are simply on)."""
        return [self.switches[family]] if self.switchable else []

    def forbid(self, key: HearingKey, sittings: Iterable[int], family: str) -> None:
        """Hearing ``key`` may not be held in ``sittings`` (a rule of ``family`` says so)."""
        banned = set(sittings)
        if not banned:
            return
        if self.switchable:
            self._forbidden.extend((key, i, family) for i in banned)
        else:
            self.options[key] = [i for i in self.options[key] if i not in banned]

    def make_variables(self) -> None:
        """One Boolean per hearing and remaining sitting; ``held`` and ``day`` follow from them."""
        for key, options in self.options.items():
            case_id = self.cases[key[0]].id
            self.x[key] = {
                i: self.model.new_bool_var(f"x[{case_id},{key[1]},{i}]") for i in options
            }
            self.held[key] = self.model.new_bool_var(f"held[{case_id},{key[1]}]")
            self.model.add(sum(self.x[key].values()) == self.held[key])
            # the day of the hearing (counted from start_date) when it is held, else 0
            self.day[key] = sum(self.day_of_sitting[i] * v for i, v in self.x[key].items())
        for key, i, family in self._forbidden:
            self.model.add(self.x[key][i] == 0).only_enforce_if(self.switches[family])

    def hearings_of(self, person: str) -> list[HearingKey]:
        return [
            (ci, k)
            for ci, case in enumerate(self.cases)
            for k in sorted(case.attend.get(person, ()))
        ]


# ---------------------------------------------------------------------- rules that forbid sittings
def rule_parts(m: CalendarModel) -> None:
    """A hearing is held in at most one sitting, and only in a sitting of one of its case's
    parts.

    Sessions matter only to encounters: a hearing none of whose people is kept apart from
    anyone is placed by day and part (its option is the day's first sitting of the part, which
    stands for the whole day) and given a session with a free slot afterwards.
    """
    for ci, case in enumerate(m.cases):
        options = [i for i, s in enumerate(m.sittings) if s.part in case.parts]
        whole_days = [i for i in options if m.block_of[i] == i]
        for k in range(1, case.hearings + 1):
            m.options[(ci, k)] = list(whole_days if (ci, k) in m.by_day else options)


def rule_deadlines(m: CalendarModel) -> None:
    """No hearing of a case after its ``ready_by`` date (its CPL 30.30 date)."""
    for (ci, k), options in list(m.options.items()):
        last = m.docket.day_index(m.cases[ci].ready_by)
        m.forbid((ci, k), [i for i in options if m.day_of_sitting[i] > last], "deadlines")


def rule_unavailability(m: CalendarModel) -> None:
    """No one is scheduled on a day in their ``unavailable`` list."""
    for (ci, k), options in list(m.options.items()):
        away: set[date] = set()
        for person in m.cases[ci].attendees(k):
            away |= m.docket.unavailable.get(person, frozenset())
        if away:
            m.forbid((ci, k), [i for i in options if m.sittings[i].day in away], "unavailability")


def rule_gap_windows(m: CalendarModel) -> None:
    """The gaps rule read on the calendar: hearing k cannot come sooner than a gap after the
    earliest day hearing k-1 can have (hearing k is held only after hearing k-1).
    """
    for ci, case in enumerate(m.cases):
        gap = gap_days(case.min_gap_days)
        earliest = 0
        for k in range(1, case.hearings + 1):
            key = (ci, k)
            m.forbid(key, [i for i in m.options[key] if m.day_of_sitting[i] < earliest], "gaps")
            days = [m.day_of_sitting[i] for i in m.options[key]]
            earliest = (min(days) if days else m.docket.horizon_days) + gap


def rule_survivors_early(m: CalendarModel, survivor_first: Sequence[Hearing]) -> None:
    """On a large docket, a survivor's case ends no later than the survivor-first calendar
    (:func:`survivors_justice.scheduling.greedy.greedy_plan`) ends it, when that calendar holds
    all its hearings: filling the court never costs a survivor days.

    Only for a docket too large to solve to the end (``m.large``): the levels are then searched,
    not proved, and on a busy two-core machine a search that may trade survivors' days for one
    more hearing held does not always find its way back in the time left. Small dockets keep the
    plain order of the objective (proved by the property tests).
    """
    held: dict[int, int] = defaultdict(int)
    last_day: dict[int, int] = {}
    case_index = {c.id: ci for ci, c in enumerate(m.cases)}
    for h in survivor_first:
        ci = case_index[h.case]
        held[ci] += 1
        last_day[ci] = max(last_day.get(ci, 0), m.docket.day_index(h.date))
    for ci, case in enumerate(m.cases):
        if not m.docket.is_survivor_case(case) or held[ci] != case.hearings:
            continue
        for k in range(1, case.hearings + 1):
            key = (ci, k)
            m.forbid(key, [i for i in m.options[key] if m.day_of_sitting[i] > last_day[ci]],
                     "survivors_early")


# ---------------------------------------------------------------------- rules that link hearings
def rule_capacity(m: CalendarModel) -> None:
    """A sitting holds at most ``slots_per_session`` hearings (and a day of a part, the slots
    of all its sessions, counting the hearings placed by day)."""
    in_sitting: dict[int, list[Bool]] = defaultdict(list)
    in_day: dict[int, list[Bool]] = defaultdict(list)
    for key, options in m.x.items():
        for i, v in options.items():
            in_day[m.block_of[i]].append(v)
            if key not in m.by_day:
                in_sitting[i].append(v)
    for i, vs in in_sitting.items():
        if len(vs) > m.sittings[i].capacity:
            m.model.add(sum(vs) <= m.sittings[i].capacity).only_enforce_if(m.when("capacity"))
    for b, vs in in_day.items():
        room = sum(m.sittings[i].capacity for i in m.block[b])
        if len(vs) > room:
            m.model.add(sum(vs) <= room).only_enforce_if(m.when("capacity"))


def rule_ordering(m: CalendarModel) -> None:
    """Hearing k+1 of a case is held only if hearing k is held, and on a later day."""
    for ci, case in enumerate(m.cases):
        for k in range(1, case.hearings):
            m.model.add_implication(m.held[(ci, k + 1)], m.held[(ci, k)])
            m.model.add(m.day[(ci, k + 1)] >= m.day[(ci, k)] + 1).only_enforce_if(
                m.held[(ci, k + 1)]
            )


def rule_gaps(m: CalendarModel) -> None:
    """Consecutive hearings of a case are at least ``min_gap_days`` calendar days apart."""
    for ci, case in enumerate(m.cases):
        gap = gap_days(case.min_gap_days)
        if gap <= 1:
            continue  # rule_ordering already keeps hearings a day apart
        for k in range(1, case.hearings):
            m.model.add(m.day[(ci, k + 1)] >= m.day[(ci, k)] + gap).only_enforce_if(
                [m.held[(ci, k + 1)], *m.when("gaps")]
            )


def rule_encounters(m: CalendarModel) -> None:
    """A survivor never meets a person kept apart from them: the two are never both in the
    courthouse in the same session of the same day (any parts: one waiting area per session),
    unless both are there only for the same hearing(s).

    Read as: when one of the pair is there for a hearing the other does not attend, the other
    is not there at all. Leaving hearings unscheduled always avoids a meeting, so the least
    number of encounters is always zero and the rule can be hard: the first level of the
    objective is met by every calendar the model admits.
    """

    def places(person: str) -> dict[tuple[date, str], list[tuple[HearingKey, Bool]]]:
        out: dict[tuple[date, str], list[tuple[HearingKey, Bool]]] = defaultdict(list)
        for key in m.hearings_of(person):
            for i, v in m.x.get(key, {}).items():
                s = m.sittings[i]
                out[(s.day, s.session)].append((key, v))
        return out

    cache: dict[str, dict[tuple[date, str], list[tuple[HearingKey, Bool]]]] = {}
    for a, b in m.docket.keep_apart:
        at_a = cache.setdefault(a, places(a))
        at_b = cache.setdefault(b, places(b))
        shared = set(m.hearings_of(a)) & set(m.hearings_of(b))
        for where in set(at_a) & set(at_b):
            for one, other in ((at_a[where], at_b[where]), (at_b[where], at_a[where])):
                everyone_else = [v for _, v in other]
                for key, v in one:
                    if key in shared:
                        continue
                    # this hearing brings one of the pair alone: the other stays away
                    m.model.add(sum(everyone_else) == 0).only_enforce_if([v, *m.when("encounters")])
                    m.meeting_checks += 1


DOMAIN_RULES = (rule_parts, rule_deadlines, rule_unavailability, rule_gap_windows)
LINK_RULES = (rule_capacity, rule_ordering, rule_gaps, rule_encounters)


def build(docket: Docket, *, switchable: bool = False,
          survivor_first: Sequence[Hearing] | None = None) -> CalendarModel:
    """The model with every rule posted (and, for a large docket with ``survivor_first``,
    :func:`rule_survivors_early`)."""
    m = CalendarModel(docket, switchable=switchable)
    for rule in DOMAIN_RULES:
        rule(m)
    m.large = sum(len(o) for o in m.options.values()) >= LARGE_MODEL
    if m.large and survivor_first is not None and not switchable:
        rule_survivors_early(m, survivor_first)
    m.make_variables()
    for link in LINK_RULES:
        link(m)
    return m


# ---------------------------------------------------------------------- the objective levels
def unscheduled_total(m: CalendarModel) -> Any:
    return sum(1 - h for h in m.held.values())


def finish_day(m: CalendarModel, ci: int) -> Any:
    """Day of the case's last hearing; a case not fully held counts as the horizon's end."""
    case = m.cases[ci]
    last = (ci, case.hearings)
    return m.day[last] + m.docket.horizon_days * (1 - m.held[last])


def survivor_days_total(m: CalendarModel) -> Any:
    return sum(finish_day(m, ci) for ci, c in enumerate(m.cases) if m.docket.is_survivor_case(c))


def all_days_total(m: CalendarModel) -> Any:
    return sum(finish_day(m, ci) for ci in range(len(m.cases)))


def levels(m: CalendarModel) -> list[tuple[str, Any, list[Any]]]:
    """The objective levels after encounters and deadlines (hard rules), most important first.

    Unscheduled hearings and survivors' days share the first level with weights that keep
    their order (one unscheduled hearing outweighs every survivor day there can be): a search
    that fills the calendar then does not scatter the survivors' hearings meanwhile.
    """
    horizon = m.docket.horizon_days
    n_survivor = sum(1 for c in m.cases if m.docket.is_survivor_case(c))
    weight = n_survivor * horizon + 1
    unscheduled, survivor_days, everyone = (
        unscheduled_total(m), survivor_days_total(m), all_days_total(m))
    return [
        ("unscheduled hearings, then survivors' days", weight * unscheduled + survivor_days,
         [unscheduled, survivor_days]),
        ("survivors' days", survivor_days, [survivor_days]),
        ("everyone's days", everyone, [everyone]),
    ]


# ---------------------------------------------------------------------- solving
def _hint(m: CalendarModel, hearings: Sequence[Hearing]) -> None:
    """Start the search from a known calendar (the survivor-first greedy one)."""
    index = {(s.day, s.part, s.session): i for i, s in enumerate(m.sittings)}
    case_index = {c.id: ci for ci, c in enumerate(m.cases)}
    at = {(case_index[h.case], h.hearing): index.get((h.date, h.part, h.session)) for h in hearings}
    for key, options in m.x.items():
        chosen = at.get(key)
        if chosen is not None and key in m.by_day:
            chosen = m.block_of[chosen]
        if chosen not in options:
            chosen = None
        for i, v in options.items():
            m.model.add_hint(v, 1 if i == chosen else 0)
        m.model.add_hint(m.held[key], 0 if chosen is None else 1)


def _gap(objective: float, bound: float) -> float:
    if objective == bound:
        return 0.0
    return abs(objective - bound) / max(1.0, abs(objective))


def extract(m: CalendarModel, solver: cp_model.CpSolver) -> list[Hearing]:
    """The hearings list of the solver's solution, slots numbered survivor cases first."""
    by_sitting: dict[int, list[HearingKey]] = defaultdict(list)
    by_day: dict[int, list[HearingKey]] = defaultdict(list)
    for key, options in m.x.items():
        for i, v in options.items():
            if solver.boolean_value(v):
                (by_day if key in m.by_day else by_sitting)[i].append(key)
    for b, keys in by_day.items():
        for key in sorted(keys, key=lambda k: (m.cases[k[0]].id, k[1])):
            room = [i for i in m.block[b] if len(by_sitting[i]) < m.sittings[i].capacity]
            by_sitting[room[0]].append(key)  # rule_capacity guarantees a free slot
    out: list[Hearing] = []
    for i, keys in by_sitting.items():
        s = m.sittings[i]
        keys.sort(key=lambda k: (not m.docket.is_survivor_case(m.cases[k[0]]),
                                 m.cases[k[0]].id, k[1]))
        for slot, (ci, k) in enumerate(keys, start=1):
            out.append(Hearing(s.day, s.session, s.part, slot, m.cases[ci].id, k))
    out.sort()
    return out


LARGE_MODEL = 10_000  # placement variables from which a docket is searched, not proved


def solver_parameters(solver: cp_model.CpSolver, *, time_limit: float, workers: int,
                      seed: int, large: bool = False) -> None:
    """Settings for a two-core machine: the presolve's costliest passes (symmetry detection,
    probing, repeated rounds) take longer on these models than they give back.

    A large model (``large``: a court near capacity over weeks, tens of thousands of placement
    variables) is not presolved and is searched only by large neighbourhood search from the
    start calendar: on a busy two-core machine the presolve alone took 10 of 15 seconds and the
    proving worker (LP relaxation) held one core without improving the calendar, while the
    neighbourhood moves improve it every few seconds. Its bound is then not proved (the status
    stays FEASIBLE), which it never was at that size. Small dockets keep the full search, which
    proves every level optimal.
    """
    solver.parameters.num_workers = workers
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.random_seed = seed
    solver.parameters.symmetry_level = 0
    solver.parameters.cp_model_probing_level = 0
    solver.parameters.max_presolve_iterations = 1
    if large:
        solver.parameters.cp_model_presolve = False
        solver.parameters.use_lns_only = True


# Of the time left when each level starts. A large docket's survivors are bounded by the
# survivor-first calendar (rule_survivors_early), so its search time goes to filling the court.
SHARES = (0.45, 0.85, 1.0)
SHARES_LARGE = (0.7, 0.6, 1.0)


def _solution_hint(m: CalendarModel, solver: cp_model.CpSolver) -> None:
    m.model.clear_hints()  # type: ignore[no-untyped-call]  # ortools ships this untyped
    for key, options in m.x.items():
        for v in options.values():
            m.model.add_hint(v, solver.boolean_value(v))
        m.model.add_hint(m.held[key], solver.boolean_value(m.held[key]))


def solve(
    docket: Docket,
    *,
    time_limit: float = DEFAULT_TIME_LIMIT,
    workers: int = DEFAULT_WORKERS,
    seed: int = 0,
    explain: bool = True,
) -> PlanResult:
    """Plan ``docket`` within ``time_limit`` seconds (model building included).

    The levels are solved one after another: each level is minimized, then its value is kept
    as a constraint while the next is minimized, starting from the previous solution.
    """
    started = time.monotonic()
    margin = min(3.0, time_limit * 0.05)  # for reading the solution, and a busy machine
    greedy = greedy_plan(docket)
    m = build(docket, survivor_first=greedy)
    _hint(m, greedy)
    stages: list[Stage] = []
    best: cp_model.CpSolver | None = None
    plan_levels = levels(m)
    shares = SHARES_LARGE if m.large else SHARES
    for (name, expr, kept), share in zip(plan_levels, shares, strict=True):
        left = time_limit - margin - (time.monotonic() - started)
        if left <= 0.05 and best is not None:
            stages.append(Stage(name, "NOT_RUN", None, None, None, 0.0))
            continue
        solver = cp_model.CpSolver()
        solver_parameters(solver, time_limit=max(0.05, left * share), workers=workers, seed=seed,
                          large=m.large)
        m.model.minimize(expr)
        t0 = time.monotonic()
        status = solver.solve(m.model)
        took = time.monotonic() - t0
        word = solver.status_name(status)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            stages.append(Stage(name, word, None, None, None, took))
            break
        value, bound = solver.objective_value, solver.best_objective_bound
        stages.append(Stage(name, word, value, bound, _gap(value, bound), took))
        best = solver
        for part in kept:  # each part of the level keeps its value: no trading between them
            m.model.add(part <= int(solver.value(part)))
        _solution_hint(m, solver)
    if best is None:
        word = stages[-1].status if stages else "UNKNOWN"
        return PlanResult([], compute_metrics(docket, []), word, None, None, None,
                          tuple(stages), ("The solver found no calendar within the time limit; "
                                          "give it more time (--time-limit).",),
                          time.monotonic() - started, _size(m))
    hearings = extract(m, best)
    metrics = compute_metrics(docket, hearings)
    explanation: tuple[str, ...] = ()
    if explain and (metrics.unscheduled_hearings or metrics.encounters):
        from survivors_justice.scheduling.explain import explain_shortfall

        budget = max(1.0, min(10.0, time_limit - (time.monotonic() - started)))
        explanation = tuple(explain_shortfall(docket, hearings, time_limit=budget))
    ran = [st for st in stages if st.objective is not None]
    proved = len(ran) == len(plan_levels) and all(st.status == "OPTIMAL" for st in ran)
    last = ran[-1]
    return PlanResult(
        hearings=hearings,
        metrics=metrics,
        status="OPTIMAL" if proved else "FEASIBLE",
        objective=last.objective,
        bound=last.bound,
        gap=last.gap,
        stages=tuple(stages),
        explanation=explanation,
        seconds=time.monotonic() - started,
        size=_size(m),
    )


def _size(m: CalendarModel) -> dict[str, int]:
    return {
        "placement_variables": sum(len(o) for o in m.x.values()),
        "meeting_checks": m.meeting_checks,
        "hearings": len(m.x),
        "sittings": len(m.sittings),
    }
