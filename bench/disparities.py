"""Benchmark: the full disparity report on 5,000,000 resampled NYPD arrest rows.

Resamples the bundled real December 2017 file (every offense, 19,452 rows) with replacement to
5,000,000 rows (seeded), then, each in a fresh process so peak memory is its own:

* baseline: a bare Polars read of the columns the report needs;
* report: read, clean, resolve every charge's role in the catalog, place every arrest in its
  neighbourhood (STRtree point in polygon), income quintiles, and every table of the report
  (city and precinct by race, role, income, borough, sex, age, the precinct map), then the
  self-contained HTML with its charts.

Prints seconds and peak memory (max RSS) of each and the ratio. Target: report < 10 s.

    .venv/bin/python bench/disparities.py [--rows 5000000] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SOURCE = REPO / "data" / "nypd" / "arrests-2017-12.csv"
WORK = REPO / "var" / "bench"


def make_file(rows: int) -> Path:
    import polars as pl

    path = WORK / f"arrests-resampled-{rows}.csv"
    if path.exists():
        return path
    WORK.mkdir(parents=True, exist_ok=True)
    real = pl.read_csv(SOURCE, infer_schema=False)
    real.sample(n=rows, with_replacement=True, seed=20171231).write_csv(path)
    return path


def phase_baseline(path: Path) -> dict[str, float]:
    import polars as pl

    from survivors_justice.analytics.source import NYPD_COLUMNS

    start = time.perf_counter()
    frame = pl.read_csv(path, columns=list(NYPD_COLUMNS))
    return {"seconds": time.perf_counter() - start, "rows": frame.height}


def phase_report(path: Path) -> dict[str, float]:
    from survivors_justice.analytics.groups import GeoLevel
    from survivors_justice.analytics.html import render_html
    from survivors_justice.analytics.report import ReportOptions, build_report, prepare_arrests

    start = time.perf_counter()
    prepared = prepare_arrests(path, offenses="all", screen=False)
    t_prep = time.perf_counter()
    report = build_report(prepared, ReportOptions(geo=GeoLevel.PRECINCT))
    t_tables = time.perf_counter()
    page = render_html(report)
    end = time.perf_counter()
    city = report.sections[0].table.row(0, named=True)
    return {"seconds": end - start, "prepare": t_prep - start, "tables": t_tables - t_prep,
            "html": end - t_tables, "rows": prepared.frame.height,
            "placed": prepared.placement.placed, "unplaced": prepared.placement.outside
            + prepared.placement.no_coordinates, "city_rate": city["rate_per_100k"],
            "html_bytes": len(page)}


def run_phase(name: str, path: Path) -> dict[str, float]:
    """Run a phase in a fresh interpreter; add its peak RSS (MiB)."""
    proc = subprocess.run(
        [sys.executable, __file__, "--phase", name, "--file", str(path)],
        check=True, capture_output=True, text=True)
    result: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--phase", choices=["baseline", "report"])
    parser.add_argument("--file", type=Path)
    parser.add_argument("--keep", action="store_true", help="keep the resampled file")
    args = parser.parse_args()
    if args.phase:
        out = (phase_baseline if args.phase == "baseline" else phase_report)(args.file)
        usage = resource.getrusage(resource.RUSAGE_SELF)
        out["peak_mib"] = usage.ru_maxrss / 1024
        out["cpu"] = usage.ru_utime + usage.ru_stime
        print(json.dumps(out))
        return
    path = make_file(args.rows)
    size = path.stat().st_size / 2**20
    load_before = os.getloadavg()[0]
    base = run_phase("baseline", path)
    rep = run_phase("report", path)
    load_after = os.getloadavg()[0]
    print(f"file: {path.name}, {args.rows:,} rows, {size:,.0f} MiB")
    print(f"load average (1 min) before/after: {load_before:.1f}/{load_after:.1f} on "
          f"{os.cpu_count()} cores")
    print(f"bare Polars read of the {10} report columns: {base['seconds']:.2f} s "
          f"(cpu {base['cpu']:.2f} s), peak {base['peak_mib']:,.0f} MiB")
    print(f"full disparity report: {rep['seconds']:.2f} s (prepare {rep['prepare']:.2f}, tables "
          f"{rep['tables']:.2f}, html {rep['html']:.2f}; cpu {rep['cpu']:.2f} s), "
          f"peak {rep['peak_mib']:,.0f} MiB")
    print(f"ratio report / read: {rep['seconds'] / base['seconds']:.1f}x time, "
          f"{rep['peak_mib'] / base['peak_mib']:.1f}x memory")
    print(f"rows {rep['rows']:,}; placed {rep['placed']:,}; unplaced {rep['unplaced']:,}; "
          f"citywide rate {rep['city_rate']:,.1f} per 100,000")
    print(f"target < 10 s: {'met' if rep['seconds'] < 10 else 'NOT met'}")
    if not args.keep:
        path.unlink()


if __name__ == "__main__":
    main()
