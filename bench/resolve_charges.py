"""Benchmark: `sj import resolve` over a store of 200,000 charges (SQLite).

Builds a file by resampling the real bundled rows (bench/import_arrests.py's ``build``), imports it
with a catalog that lacks patronizing (PL 230.04: those charges are stored UNKNOWN), then, against
the shipped catalog (which has it):

- baseline: stream the same columns the command reads (charge joined to arrest, the same batches
  of arrest ids) and do nothing with them: the floor of any re-read of the store;
- the dry run (read, resolve, compare, count; the affected cases evaluated, nothing written);
- the real run (the same, plus the charge updates, the catalog stamp on every charge, the
  affected cases screened again and stored);
- the second run (nothing to change).

Prints charges/s and the ratio to the baseline. Usage:

    .venv/bin/python bench/resolve_charges.py [--rows 200000] [--source all|dec2017]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from import_arrests import SOURCES, build  # the sibling bench script


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bare_read(batch: int) -> int:
    """Stream the command's columns in its batches and drop them."""
    from django.db import connection

    from survivors_justice.arrests.resolve import FIELDS

    cols = ", ".join(f"c.{f}" for f in FIELDS)
    sql = (
        f"SELECT c.id, c.arrest_id, c.law_code, a.pd_cd, a.arrest_date, {cols}, c.catalog_id "  # noqa: S608
        "FROM arrests_charge c JOIN arrests_arrest a ON a.id = c.arrest_id "
        "WHERE c.arrest_id > %s AND c.arrest_id <= %s"
    )
    n = 0
    with connection.cursor() as cur:
        cur.execute("SELECT MIN(arrest_id), MAX(arrest_id) FROM arrests_charge")
        first, last = cur.fetchone()
        lo = first - 1
        while lo < last:
            cur.execute(sql, [lo, lo + batch])
            n += len(cur.fetchall())
            lo += batch
    return n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--source", choices=sorted(SOURCES), default="all")
    args = ap.parse_args()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="sj-bench-resolve-") as tmp:
        work = Path(tmp)
        os.environ.update({"SJ_ENV": "development", "SJ_VAR_DIR": str(work / "var")})
        os.environ.pop("SJ_DATABASE_URL", None)
        path = work / "arrests.csv"
        build(path, args.rows, args.source)

        import yaml

        from survivors_justice.django_setup import setup

        setup()
        from django.core.management import call_command

        from survivors_justice.arrests.importer import import_arrests
        from survivors_justice.arrests.resolve import BATCH, resolve_charges
        from survivors_justice.law.catalog import catalog_from_mapping

        call_command("migrate", interactive=False, verbosity=0)
        data: dict[str, Any] = yaml.safe_load(
            resources.files("survivors_justice.law").joinpath("catalog.yaml").read_text("utf-8")
        )
        data["entries"] = [e for e in data["entries"] if e["section"] != "230.04"]
        t = time.perf_counter()
        imported = import_arrests(
            path, actor="bench", source="bench", rejects_path=work / "rejects.csv",
            catalog=catalog_from_mapping(data),
        )
        print(f"store: {imported.new:,} arrests and charges, {imported.cases_opened:,} cases, "
              f"{imported.unknown_charges:,} charges UNKNOWN (230.04 missing); imported in "
              f"{time.perf_counter() - t:.1f} s", flush=True)

        results: list[tuple[str, int, float, str]] = []
        t = time.perf_counter()
        n = bare_read(BATCH)
        results.append(("baseline: stream the columns", n, time.perf_counter() - t, ""))
        for label, dry in (("sj import resolve --dry-run", True), ("sj import resolve", False),
                           ("sj import resolve (again)", False)):
            t = time.perf_counter()
            s = resolve_charges(actor="bench", source="bench", dry_run=dry)
            seconds = time.perf_counter() - t
            results.append((label, s.charges, seconds,
                            f"{s.changed:,} changed, {s.rescreened:,} cases screened"))
    base = results[0][1] / results[0][2]
    print(f"\nload average (1 min) before: {load_before:.1f}, after: {os.getloadavg()[0]:.1f}; "
          f"peak RSS {peak_mb():,.0f} MB (whole process, import included)")
    print(f"{'run':<32}{'charges':>10}{'s':>8}{'charges/s':>12}{'vs base':>9}  what")
    for label, count, seconds, what in results:
        rate = count / seconds
        print(f"{label:<32}{count:>10,}{seconds:>8.2f}{rate:>12,.0f}{base / rate:>8.1f}x  {what}")


if __name__ == "__main__":
    main()
