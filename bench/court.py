"""Benchmark: the CP-SAT court plan beside first come, first served.

    .venv/bin/python bench/court.py                       # 100, 400 and 1,500 cases, 60 s each
    .venv/bin/python bench/court.py --sizes 400 --time-limit 60

Dockets are resampled from real Queens arrests (data/nypd/, see
survivors_justice.scheduling.synthetic): a third of the cases with a survivor, 60 days from
2027-01-04, 6 parts with two sessions a day. Slots per session: 1 for 100 cases, 2 for 400 (the
target) and 7 for 1,500, so each court is near capacity. For each size prints the solve time
(model building included), status, objective bound and gap, and each metric beside the
baseline's, with the ratio plan/baseline.

Target at 400 cases, two slots a session: within 60 s on a 2-core machine, 0 encounters,
0 deadline violations, no more unscheduled hearings than the baseline, survivors' mean days at
most 0.6 of the baseline's.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from survivors_justice.scheduling import (  # noqa: E402 (after the path set-up)
    compute_metrics,
    fifo_plan,
    parse_docket,
    solve,
)
from survivors_justice.scheduling.synthetic import synthetic_docket  # noqa: E402

SLOTS = {100: 1, 400: 2, 1500: 7}
METRICS = ("survivor_days_mean", "survivor_days_p90", "all_days_mean", "encounters",
           "deadline_violations", "capacity_violations", "unscheduled_hearings",
           "survivor_sessions")


def fmt(v: float | int | None) -> str:
    if v is None:
        return "-"
    return f"{v:.1f}" if isinstance(v, float) else str(v)


def ratio(a: float | int | None, b: float | int | None) -> str:
    if a is None or b is None or b == 0:
        return "-"
    return f"{a / b:.2f}"


def run(n: int, *, time_limit: float, seed: int, slots: int | None) -> dict[str, object]:
    raw = synthetic_docket(n, data_dir=ROOT / "data" / "nypd",
                           slots_per_session=slots or SLOTS.get(n, 2), seed=seed)
    docket = parse_docket(raw)
    t0 = time.perf_counter()
    fifo = fifo_plan(docket)
    fifo_s = time.perf_counter() - t0
    result = solve(docket, time_limit=time_limit, explain=False)
    plan_m = result.metrics.to_json()
    fifo_m = compute_metrics(docket, fifo).to_json()
    hearings = sum(c.hearings for c in docket.cases)
    slots_total = sum(s.capacity for s in docket.sessions())
    survivors = sum(1 for c in docket.cases if docket.is_survivor_case(c))
    print(f"\n{n} cases ({survivors} with a survivor), {hearings} hearings, {slots_total} slots "
          f"({slots or SLOTS.get(n, 2)} a session), {len(docket.keep_apart)} keep-apart pairs")
    gap = "-" if result.gap is None else f"{result.gap:.2%}"
    print(f"  plan: {result.seconds:.1f} s, {result.status}, objective {fmt(result.objective)}, "
          f"bound {fmt(result.bound)}, gap {gap}; baseline {fifo_s * 1000:.0f} ms")
    print(f"  model: {result.size}")
    for st in result.stages:
        print(f"  level {st.name!r}: {st.status} {fmt(st.objective)} (bound {fmt(st.bound)}) "
              f"in {st.seconds:.1f} s")
    print(f"  {'metric':<24}{'plan':>10}{'baseline':>10}{'ratio':>8}")
    for key in METRICS:
        print(f"  {key:<24}{fmt(plan_m[key]):>10}{fmt(fifo_m[key]):>10}"
              f"{ratio(plan_m[key], fifo_m[key]):>8}")
    return {"n": n, "seconds": result.seconds, "status": result.status, "gap": result.gap,
            "plan": plan_m, "fifo": fifo_m}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[100, 400, 1500])
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--slots", type=int, default=None, help="slots a session for every size")
    ap.add_argument("--json", type=Path, default=None, help="write the figures here")
    args = ap.parse_args()
    load = os.getloadavg()[0]
    print(f"load average before: {load:.2f}; {os.cpu_count()} cores")
    rows = [run(n, time_limit=args.time_limit, seed=args.seed, slots=args.slots)
            for n in args.sizes]
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    for row in rows:
        if row["n"] == 400:
            p, f = row["plan"], row["fifo"]
            assert isinstance(p, dict) and isinstance(f, dict)
            ok = (float(str(row["seconds"])) <= 60 and p["encounters"] == 0
                  and p["deadline_violations"] == 0
                  and p["unscheduled_hearings"] <= f["unscheduled_hearings"]
                  and p["survivor_days_mean"] is not None and f["survivor_days_mean"]
                  and p["survivor_days_mean"] <= 0.6 * f["survivor_days_mean"])
            print(f"target at 400 cases: {'met' if ok else 'NOT met'}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
