"""Benchmark: `sj backup` and `sj restore` of a store with 200,000 cases, beside a bare copy.

Builds a store (a fresh one under var/bench/backup/) from 200,000 rows resampled with a fixed seed
from the real 2006-2016 prostitution-related NYPD arrests (each row gets its own key, so each
opens a case), then times, each as the `sj` command a person runs:

* SQLite: `sj backup` beside a bare copy of the store file (cp of a quiet store, no consistency);
  `sj restore` into an empty store beside a bare copy back;
* PostgreSQL (with --database-url, an empty database the script may fill and a second one named
  <name>_restore it creates): `sj backup` beside a bare `pg_dump -Fc`, `sj restore` beside a bare
  `pg_restore`.

After the restore it checks what the acceptance asks: `sj audit verify` passes and `sj status
--json` equals the source's. Prints seconds and ratios.

    .venv/bin/python bench/backup_restore.py [--rows 200000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parents[1]
WORK = REPO / "var" / "bench" / "backup"
SOURCE = REPO / "data" / "nypd" / "prostitution-arrests-2006-2016.csv"
SJ = [sys.executable, "-m", "survivors_justice.cli"]


def resample(path: Path, rows: int) -> None:
    with SOURCE.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        real = list(reader)
    key = header.index("ARREST_KEY")
    rng = random.Random(200_000)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for i in range(rows):
            row = list(rng.choice(real))
            row[key] = str(700_000_000 + i)
            writer.writerow(row)


def sj(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([*SJ, *args], env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"sj {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def timed(fn: object, *args: object) -> float:
    started = time.perf_counter()
    fn(*args)  # type: ignore[operator]
    return time.perf_counter() - started


def run(cmd: list[str], env: dict[str, str] | None = None) -> None:
    subprocess.run(cmd, env=env, check=True, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    base = {k: v for k, v in os.environ.items() if k not in ("SJ_DATABASE_URL", "SJ_INTAKE_START")}
    # An office of every county with no intake start: every prostitution-related arrest opens a
    # case, so the store holds as many cases as rows.
    base.update(SJ_ENV="development", SJ_OFFICE_COUNTY="all")
    src = {**base, "SJ_VAR_DIR": str(WORK / "src")}
    dst = {**base, "SJ_VAR_DIR": str(WORK / "dst")}
    if args.database_url:
        parts = urlsplit(args.database_url)
        src["SJ_DATABASE_URL"] = args.database_url
        dst["SJ_DATABASE_URL"] = urlunsplit(parts._replace(path=parts.path + "_restore"))
        import psycopg

        with psycopg.connect(args.database_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{parts.path[1:]}_restore"')
            conn.execute(f'CREATE DATABASE "{parts.path[1:]}_restore"')
    csv_path = WORK / "arrests.csv"
    resample(csv_path, args.rows)
    sj(src, "db", "upgrade")
    started = time.perf_counter()
    sj(src, "import", "arrests", str(csv_path), "--rejects", str(WORK / "rejects.csv"))
    print(f"store built: {args.rows:,} rows imported in {time.perf_counter() - started:.1f} s")
    before = json.loads(sj(src, "status", "--json"))
    print(f"store: {before['arrests']:,} arrests, {before['cases']:,} cases, "
          f"{before['audit_records']:,} audit records")
    sj(src, "audit", "anchor")
    backup_s = timed(sj, src, "backup", str(WORK / "backup"))
    before = json.loads(sj(src, "status", "--json"))  # now with the backup's own record
    sj(dst, "db", "upgrade")
    restore_s = timed(sj, dst, "restore", str(WORK / "backup"))
    started = time.perf_counter()
    after = json.loads(sj(dst, "status", "--json"))
    status_s = time.perf_counter() - started
    started = time.perf_counter()
    verify = sj(dst, "audit", "verify")
    verify_s = time.perf_counter() - started
    assert after == before, "sj status --json differs after the restore"
    assert "chain intact" in verify, verify

    if args.database_url:
        from survivors_justice.store.pgtools import pg_tool

        parts = urlsplit(args.database_url)
        bare = WORK / "bare.pgdump"
        copy_s = timed(run, [str(pg_tool("pg_dump")), "-Fc", "-f", str(bare), args.database_url])
        target = urlunsplit(parts._replace(path=parts.path + "_restore"))
        back_s = timed(run, [str(pg_tool("pg_restore")), "--clean", "--if-exists", "--no-owner",
                             "-d", target, str(bare)])
        label_copy, label_back = "bare pg_dump -Fc", "bare pg_restore"
    else:
        store = WORK / "src" / "sj.sqlite3"
        copy_s = timed(shutil.copyfile, store, WORK / "bare-copy.sqlite3")
        back_s = timed(shutil.copyfile, WORK / "bare-copy.sqlite3", WORK / "bare-back.sqlite3")
        label_copy, label_back = "bare copy of the file", "bare copy back"
    size = sum(f.stat().st_size for f in (WORK / "backup").iterdir())
    print(f"backup folder: {size / 1e6:.1f} MB")
    print(f"{'what':<34}{'s':>8}{'vs bare':>10}")
    print(f"{'sj backup':<34}{backup_s:8.2f}{backup_s / copy_s:9.1f}x")
    print(f"{label_copy:<34}{copy_s:8.2f}{1:9.1f}x")
    print(f"{'sj restore (with its checks)':<34}{restore_s:8.2f}{restore_s / back_s:9.1f}x")
    print(f"{label_back:<34}{back_s:8.2f}{1:9.1f}x")
    print(f"{'sj status --json (restored store)':<34}{status_s:8.2f}")
    print(f"{'sj audit verify (restored store)':<34}{verify_s:8.2f}")
    print("after restore: sj audit verify OK, sj status --json identical")


if __name__ == "__main__":
    main()
