"""Benchmark: `sj import arrests` on a 1,000,000-row file, into SQLite and PostgreSQL.

Builds the file by resampling the real bundled rows (both NYPD files, their 18 common columns) with
fresh ARREST_KEYs, then, each in its own process so peak memory is that run's own:

- baseline 1: read and split the file with the csv module (the floor of any importer);
- baseline 2: a bare ``executemany`` of the same raw rows into a one-table SQLite database
  (no validation, no charges, no cases): the floor of writing them;
- the real import into a fresh SQLite store (then again: the idempotent re-import, all unchanged);
- the real import into PostgreSQL (a throwaway cluster from scripts/with-postgres.sh).

Prints rows/s, peak RSS and the ratio to the baselines. Usage:

    .venv/bin/python bench/import_arrests.py [--rows 1000000] [--source all|dec2017] [--no-pg]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NYPD = REPO / "data" / "nypd"
SOURCES = {
    "all": [NYPD / "arrests-2017-12.csv", NYPD / "prostitution-arrests-2006-2016.csv"],
    "dec2017": [NYPD / "arrests-2017-12.csv"],
}


def peak_rss_mb() -> float:
    """Peak RSS of this process plus that of its largest child (the import's reading process,
    when it uses one): both are alive at once."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + child) / 1024  # Linux: kilobytes


def cpu_seconds() -> float:
    """CPU time of this process and its children: unlike wall time, it does not grow when other
    work shares the machine (the PostgreSQL server's own CPU is not included)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    child = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + child.ru_utime + child.ru_stime


def build(path: Path, rows: int, source: str, seed: int = 20171231) -> None:
    header: list[str] = []
    pool: list[list[str]] = []
    for f in SOURCES[source]:
        with f.open(newline="", encoding="utf-8") as fh:
            reader = csv.reader(fh)
            h = next(reader)
            if not header:
                header = h[:18]
            idx = [h.index(c) for c in header]
            pool.extend([r[i] for i in idx] for r in reader)
    rng = random.Random(seed)
    key = header.index("ARREST_KEY")
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        for i in range(rows):
            row = list(rng.choice(pool))
            row[key] = str(800_000_000 + i)  # fresh keys, never colliding with the real ones
            writer.writerow(row)


def child(mode: str, path: Path, workdir: Path) -> dict[str, float | int | str]:
    """One measurement in this process; returns rows, seconds and peak RSS."""
    start = time.perf_counter()
    cpu_start = cpu_seconds()
    if mode == "csv":
        n = 0
        with path.open(newline="", encoding="utf-8") as fh:
            for _ in csv.reader(fh):
                n += 1
        n -= 1
    elif mode == "executemany":
        db = workdir / "bare.sqlite3"
        db.unlink(missing_ok=True)
        con = sqlite3.connect(db)
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=NORMAL")
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.reader(fh)
            header = next(reader)
            cols = ", ".join(f'"{c}"' for c in header)
            con.execute(f"CREATE TABLE bare ({cols}, UNIQUE(ARREST_KEY))")
            marks = ", ".join("?" * len(header))
            n = 0
            while True:
                chunk = [r for _, r in zip(range(5000), reader, strict=False)]
                if not chunk:
                    break
                with con:
                    con.executemany(f"INSERT INTO bare VALUES ({marks})", chunk)  # noqa: S608
                n += len(chunk)
        con.close()
    else:  # "import" or "reimport": the real importer through Django
        from survivors_justice.django_setup import setup

        setup()
        from django.core.management import call_command

        if mode == "import":
            call_command("migrate", interactive=False, verbosity=0)
            start = time.perf_counter()
            cpu_start = cpu_seconds()
        from survivors_justice.arrests.importer import import_arrests

        summary = import_arrests(path, actor="bench", source="bench",
                                 rejects_path=workdir / "rejects.csv")
        n = summary.rows_read
        assert summary.rejected == 0, summary.as_dict()
        if mode == "import":
            assert summary.new == n, summary.as_dict()
        else:
            assert summary.unchanged == n, summary.as_dict()
        seconds = time.perf_counter() - start
        from django.db import connection

        return {"mode": mode, "db": connection.vendor, "rows": n, "seconds": seconds,
                "rows_per_s": n / seconds, "peak_mb": peak_rss_mb(),
                "cpu_s": cpu_seconds() - cpu_start, "cases": summary.cases_opened}
    seconds = time.perf_counter() - start
    return {"mode": mode, "db": "sqlite" if mode == "executemany" else "-", "rows": n,
            "seconds": seconds, "rows_per_s": n / seconds, "peak_mb": peak_rss_mb(),
            "cpu_s": cpu_seconds() - cpu_start}


def run_child(mode: str, path: Path, workdir: Path, env: dict[str, str],
              wrap: list[str] | None = None) -> dict[str, float | int | str]:
    cmd = [*(wrap or []), sys.executable, __file__, "--child", mode, "--file", str(path),
           "--workdir", str(workdir)]
    out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True)
    result: dict[str, float | int | str] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--source", choices=sorted(SOURCES), default="all")
    ap.add_argument("--no-pg", action="store_true", help="skip the PostgreSQL run")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.file, args.workdir)))
        return

    load_before = f"{os.getloadavg()[0]:.1f}"
    with tempfile.TemporaryDirectory(prefix="sj-bench-") as tmp:
        work = Path(tmp)
        path = work / "arrests-1m.csv"
        t = time.perf_counter()
        build(path, args.rows, args.source)
        size_mb = path.stat().st_size / 1e6
        print(f"built {path.name}: {args.rows:,} rows resampled from {args.source} "
              f"({size_mb:.0f} MB) in {time.perf_counter() - t:.1f} s", flush=True)
        env = {**os.environ, "SJ_ENV": "development", "SJ_VAR_DIR": str(work / "var")}
        env.pop("SJ_DATABASE_URL", None)
        results = [
            run_child("csv", path, work, env),
            run_child("executemany", path, work, env),
            run_child("import", path, work, env),
            run_child("reimport", path, work, env),
        ]
        if not args.no_pg:
            results.append(run_child("import", path, work, env,
                                     wrap=[str(REPO / "scripts" / "with-postgres.sh")]))
    csv_rate = float(results[0]["rows_per_s"])
    bare_rate = float(results[1]["rows_per_s"])
    print(f"\nload average before the runs: {load_before}; after: {os.getloadavg()[0]:.1f}")
    print(f"{'run':<36}{'rows':>10}{'wall s':>8}{'rows/s':>9}{'CPU s':>7}{'rows/CPU-s':>11}"
          f"{'peak MB':>8}{'vs csv':>7}{'vs bare':>8}")
    labels = {"csv": "baseline: csv.reader only", "executemany": "baseline: bare executemany",
              "import": "sj import arrests", "reimport": "sj import arrests (again)"}
    for r in results:
        rate = float(r["rows_per_s"])
        label = labels[str(r["mode"])]
        if r["db"] not in ("-",):
            label += f" [{r['db']}]"
        cpu = float(r["cpu_s"])
        print(f"{label:<36}{int(r['rows']):>10,}{float(r['seconds']):>8.1f}{rate:>9,.0f}"
              f"{cpu:>7.1f}{int(r['rows']) / cpu:>11,.0f}{float(r['peak_mb']):>8.0f}"
              f"{rate / csv_rate:>7.2f}{rate / bare_rate:>8.2f}")
    first = results[2]
    ok = float(first["rows_per_s"]) >= 25_000 and float(first["peak_mb"]) < 500
    print(f"\ncases opened: {first['cases']:,}; target >= 25,000 rows/s into SQLite and "
          f"< 500 MB: {'met' if ok else 'NOT met'} (wall clock; see rows/CPU-s when the "
          "machine is shared)")


if __name__ == "__main__":
    main()
