"""Benchmark: the per-case evaluator (`evaluate`) with its caches warm and cleared, side by side.

    .venv/bin/python bench/per_case.py [--warm 100000] [--random 3000] [--seed 14]

In one process, on the real rows of data/nypd/arrests-2017-12.csv (every charge code, PD code,
arrest date and age group as recorded):

  (a) warm: the first --warm rows of the file, repeated, evaluated one after another as the
      pages do, so the engine's caches hold every charge/date/age combination after its first use
      (this is the figure bench/screen.py prints as "per-case");
  (b) cleared, distinct real rows: every distinct (LAW_CODE, PD_CD, ARREST_DATE, AGE_GROUP) of the
      file once, with every cache of the evaluator, the condition algebra and the fact parser
      cleared before each call, so each decision is computed from scratch;
  (c) cleared, random cases: --random cases each pairing a real charge row with random case-level
      facts (indicators, victim indicators, co-defendants, victims' ages; about a third unknown),
      caches cleared before each call: the missing-facts search has the most to do here.

Prints decisions/s for each and the ratios (a)/(b) and (a)/(c). Target (issue 1): >= 20,000
decisions/s per case; (b) is the honest figure for a case never seen before.
"""

from __future__ import annotations

import argparse
import csv
import functools
import importlib
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SOURCE = REPO / "data" / "nypd" / "arrests-2017-12.csv"
DECISION_DATE = "2018-01-15"
INDICATORS = ("force", "threats", "fraud", "debt_bondage", "documents_withheld",
              "drugs_as_control")


def _cache_clearers() -> list[Callable[[], None]]:
    """`cache_clear` of every memoised function the evaluator reaches, and its engines."""
    names = ("policy.evaluate", "policy.conditions", "policy.facts", "law.catalog", "law.codes")
    modules = [importlib.import_module(f"survivors_justice.{name}") for name in names]
    clearers: list[Callable[[], None]] = [modules[0]._ENGINES.clear]
    for module in modules:
        for value in vars(module).values():
            if isinstance(value, functools._lru_cache_wrapper):
                clearers.append(value.cache_clear)
    return clearers


def _real_rows() -> list[tuple[str, str, str, str]]:
    with SOURCE.open(newline="") as handle:
        return [(r["LAW_CODE"], r["PD_CD"], r["ARREST_DATE"], r["AGE_GROUP"])
                for r in csv.DictReader(handle)]


def _facts(row: tuple[str, str, str, str], **case: Any) -> dict[str, Any]:
    code, pd, day, age = row
    return {
        "decision_date": DECISION_DATE,
        "charges": [{"law_code": code, "pd_cd": pd, "arrest_date": day}],
        "defendant": {"age_group": age, "victim_indicators": case.pop("victim_indicators", None)},
        **case,
    }


def _random_case(rng: random.Random, row: tuple[str, str, str, str]) -> dict[str, Any]:
    def maybe() -> bool | None:
        return None if rng.random() < 0.35 else rng.random() < 0.5

    victims = None if rng.random() < 0.35 else [{"age": rng.randint(12, 40)}
                                                for _ in range(rng.randint(0, 2))]
    return _facts(
        row,
        victim_indicators=maybe(),
        indicators={name: maybe() for name in INDICATORS},
        co_defendants_sold_together=maybe(),
        victims=victims,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--warm", type=int, default=100_000)
    parser.add_argument("--random", type=int, default=3_000)
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    sys.path.insert(0, str(REPO / "src"))
    from survivors_justice.law import load_catalog
    from survivors_justice.policy import evaluate, load_policy

    policy, catalog = load_policy(), load_catalog()
    rows = _real_rows()
    warm = [_facts(rows[i % len(rows)]) for i in range(args.warm)]
    distinct = [_facts(row) for row in dict.fromkeys(rows)]
    rng = random.Random(args.seed)
    randoms = [_random_case(rng, rng.choice(rows)) for _ in range(args.random)]
    clearers = _cache_clearers()

    def clear() -> None:
        for c in clearers:
            c()

    def timed(cases: list[dict[str, Any]], cleared: bool) -> tuple[float, float]:
        """Decisions per wall second and per CPU second (a shared machine disturbs CPU less)."""
        clear()
        elapsed = cpu = 0.0
        for f in cases:
            if cleared:
                clear()  # outside the timed span: only the decision is measured
            start, cpu0 = time.perf_counter(), time.process_time()
            evaluate(policy, f, catalog=catalog)
            elapsed += time.perf_counter() - start
            cpu += time.process_time() - cpu0
        return len(cases) / elapsed, len(cases) / cpu

    print(f"{len(rows):,} real rows; {len(distinct):,} distinct charge/date/age rows; "
          f"{len(clearers)} caches cleared in (b) and (c)")
    (a, a_cpu), (b, b_cpu), (c, c_cpu) = (
        timed(warm, cleared=False), timed(distinct, cleared=True), timed(randoms, cleared=True)
    )
    print(f"{'':<38} {'decisions/s':>12} {'per CPU s':>10}")
    print(f"(a) warm caches, {len(warm):>7,} real rows       {a:>12,.0f} {a_cpu:>10,.0f}")
    print(f"(b) cleared, {len(distinct):>7,} distinct real rows {b:>12,.0f} {b_cpu:>10,.0f}")
    print(f"(c) cleared, {len(randoms):>7,} random cases       {c:>12,.0f} {c_cpu:>10,.0f}")
    print(f"ratio (a)/(b) = {a / b:.1f} (cpu {a_cpu / b_cpu:.1f}); "
          f"(a)/(c) = {a / c:.1f} (cpu {a_cpu / c_cpu:.1f})")
    for name, rate in (("(b)", b), ("(c)", c)):
        verdict = "PASS" if rate >= 20_000 else "FAIL"
        print(f"{name} {rate:,.0f} decisions/s (target >= 20,000): {verdict}")


if __name__ == "__main__":
    main()
