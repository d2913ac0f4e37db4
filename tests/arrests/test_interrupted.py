"""Imports killed part-way: the log names them, nothing of them keeps running, a re-run finishes.

These tests run the real `sj` command in its own process against a store of their own (SQLite in a
temporary folder) and kill it the way an operator, the OOM killer or a shutdown would: SIGKILL at a
random point, SIGTERM, Ctrl-C (SIGINT to the process group). Expected figures come from the CSV
file itself (its keys, its law codes, its SHA-256), never from the importer.

Marked ``kill``: a 300,000-row import killed three times takes a minute or more of both cores, so
the Makefile runs this file as a step of its own, with nothing else beside it, and leaves it out of
the other steps (``-m "not kill"``). The kill points are random; the seed is printed, and
``SJ_KILL_SEED=<seed>`` repeats them.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import random
import secrets
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.arrests.helpers import DEC_2017, read_rows

from survivors_justice.arrests.importer import CHUNK_SIZE, PARALLEL_MIN_BYTES

# 300,000 rows of about 160 bytes (48 MB): well over PARALLEL_MIN_BYTES, so the file is read in a
# second process, and 60 chunks of the importer's 5,000.
ROWS = 300_000
CHUNK = CHUNK_SIZE
CHUNKS = ROWS // CHUNK
# A kill lands after a random committed chunk up to this one, then a random fraction of a second:
# at least 20 chunks (100,000 rows) are still to come, so no run can finish before its kill.
LAST_KILL_CHUNK = CHUNKS - 20
SJ = [sys.executable, "-m", "survivors_justice.cli"]
UNDER_CI = os.environ.get("CI") == "true"


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """300,000 rows resampled (with replacement, fixed seed) from the real December 2017 NYPD
    rows, each given a key of its own; every other field is the real row's, unchanged."""
    header, rows = read_rows(DEC_2017)
    key_at = header.index("ARREST_KEY")
    rng = random.Random(20261130)
    path = tmp_path_factory.mktemp("interrupted") / "arrests-300k.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for i in range(ROWS):
            row = list(rng.choice(rows))
            row[key_at] = str(800_000_000 + i)
            writer.writerow(row)
    assert path.stat().st_size >= PARALLEL_MIN_BYTES  # read in a second process
    return path


def _file_facts(path: Path) -> tuple[set[str], int, str]:
    """The file's keys, its prostitution-related rows in Queens (Penal Law article 230 or 240.37,
    as the source notes count them; the store is a Queens office, the default, so only those
    open cases) and its SHA-256, computed here from the file."""
    keys: set[str] = set()
    related = 0
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        for row in reader:
            keys.add(row["ARREST_KEY"])
            related += (row["LAW_CODE"].startswith(("PL 230", "PL 24037"))
                        and row["ARREST_BORO"] == "Q")
    return keys, related, hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A var folder with an empty store at the latest migration, made once and copied per test."""
    var = tmp_path_factory.mktemp("migrated") / "var"
    done = subprocess.run([*SJ, "db", "upgrade"], env=_env(var), capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return var


def _env(var: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("SJ_DATABASE_URL", "SJ_INTAKE_START")}
    env.update(SJ_ENV="test", SJ_VAR_DIR=str(var), SJ_OFFICE_COUNTY="Q")
    return env


@pytest.fixture
def store(migrated: Path, tmp_path: Path) -> Iterator[dict[str, str]]:
    shutil.copytree(migrated, tmp_path / "var")
    yield _env(tmp_path / "var")


def _sj(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*SJ, *args], env=env, capture_output=True, text=True, timeout=600,
                          check=False)


def _json(env: dict[str, str], *args: str) -> Any:
    done = _sj(env, *args)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _db(env: dict[str, str]) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{env['SJ_VAR_DIR']}/sj.sqlite3?mode=ro", uri=True, timeout=30)


def _query(env: dict[str, str], sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with _db(env) as db:
        return db.execute(sql, params).fetchall()


def _start(env: dict[str, str], path: Path, tmp_path: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [*SJ, "import", "arrests", str(path), "--json", "--rejects", str(tmp_path / "rej.csv")],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )


def _chunks_of_current_run(env: dict[str, str], after: int) -> tuple[int | None, int]:
    """(the seq of the run started after record #after, its committed chunk records)."""
    try:
        started = _query(env, "SELECT min(seq) FROM audit_auditrecord WHERE seq > ? AND "
                              "action = 'arrests.import.started'", after)[0][0]
        if started is None:
            return None, 0
        n = _query(env, "SELECT count(*) FROM audit_auditrecord WHERE action = "
                        "'arrests.import.chunk' AND json_extract(details, '$.run') = ?", started)
        return started, n[0][0]
    except sqlite3.OperationalError:  # the store is busy or being created; ask again
        return None, 0


def _wait_for_chunks(env: dict[str, str], proc: subprocess.Popen[bytes], after: int,
                     chunks: int) -> int:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        run, n = _chunks_of_current_run(env, after)
        if run is not None and n >= chunks:
            return run
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        time.sleep(0.05)
    raise AssertionError(f"the import did not reach chunk {chunks} in 300 s")


def _session(sid: int) -> set[int]:
    """Live (not zombie) processes of session ``sid`` (the import and whatever it started)."""
    found: set[int] = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        state, session = fields[0], int(fields[3])
        if session == sid and state not in ("Z", "X"):
            found.add(int(entry.name))
    return found


def _wait_until_gone(sid: int, seconds: float = 15.0) -> set[int]:
    deadline = time.monotonic() + seconds
    left = _session(sid)
    while left and time.monotonic() < deadline:
        time.sleep(0.1)
        left = _session(sid)
    return left


def _max_seq(env: dict[str, str]) -> int:
    return int(_query(env, "SELECT coalesce(max(seq), 0) FROM audit_auditrecord")[0][0])


def _arrests(env: dict[str, str]) -> int:
    return int(_query(env, "SELECT count(*) FROM arrests_arrest")[0][0])


pytestmark = pytest.mark.kill


@pytest.fixture(autouse=True)
def _linux() -> None:
    """The checks read /proc: elsewhere the tests skip, except under CI, where they fail."""
    if not sys.platform.startswith("linux"):
        reason = f"these tests read /proc, which {sys.platform} does not have"
        if UNDER_CI:
            pytest.fail(f"{reason}; CI runs them on Linux")
        pytest.skip(reason)


def _kill_seed() -> int:
    """The seed of the kill points: SJ_KILL_SEED when given (to repeat a run), else a new one."""
    given = os.environ.get("SJ_KILL_SEED", "")
    if given and not given.isdigit():
        raise ValueError(f"SJ_KILL_SEED={given!r} is not a whole number; give a printed seed")
    return int(given) if given else secrets.randbits(32)


def test_sigkill_three_times_then_a_rerun_leaves_exactly_the_files_rows(
    big_file: Path, store: dict[str, str], tmp_path: Path
) -> None:
    keys, related, sha = _file_facts(big_file)
    assert len(keys) == ROWS
    seed = _kill_seed()
    rng = random.Random(seed)
    points = [(rng.randint(1, LAST_KILL_CHUNK), round(rng.uniform(0, 0.5), 3)) for _ in range(3)]
    print(f"kill seed {seed} (SJ_KILL_SEED={seed} repeats it); SIGKILL after chunk and seconds: "
          f"{points}")
    runs: list[int] = []
    for chunk, delay in points:
        after = _max_seq(store)
        proc = _start(store, big_file, tmp_path)
        # A random point: after a random committed chunk, then a random fraction of a second.
        run = _wait_for_chunks(store, proc, after, chunk)
        time.sleep(delay)
        if (os.cpu_count() or 1) > 1:  # a file this size is read in a second process
            assert _session(proc.pid) - {proc.pid}, "the reading process is not running"
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL, f"kill seed {seed}"
        assert _wait_until_gone(proc.pid) == set(), "a process of the killed import remains"
        runs.append(run)

        # The log names the interrupted import, its file and digest, and what it left.
        verified = _json(store, "audit", "verify", "--json")
        assert verified["ok"] is True
        interrupted = {r["started_seq"]: r for r in verified["interrupted_runs"]}
        assert set(interrupted) == set(runs)
        this = interrupted[run]
        assert (this["file"], this["sha256"], this["finished_by"]) == (big_file.name, sha, None)
        stored = _arrests(store)
        assert sum(r["counts"].get("new", 0) for r in interrupted.values()) == stored
        assert this["chunks_committed"] * CHUNK == this["rows_read"]
        assert chunk <= this["chunks_committed"] < CHUNKS, f"kill seed {seed}"
        status = _json(store, "status", "--json")
        assert [r["started_seq"] for r in status["interrupted_imports"]] == runs
        assert status["arrests"] == stored

    done = _sj(store, "import", "arrests", str(big_file), "--json",
               "--rejects", str(tmp_path / "rej.csv"))
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["rows_read"] == ROWS and summary["rejected"] == 0
    assert summary["finishes"] == runs
    assert {k for (k,) in _query(store, "SELECT arrest_key FROM arrests_arrest")} == keys
    assert _query(store, "SELECT count(*) FROM arrests_charge")[0][0] == ROWS
    assert _query(store, "SELECT count(*) FROM cases_case")[0][0] == related
    status = _json(store, "status", "--json")
    assert status["arrests"] == ROWS and status["interrupted_imports"] == []
    verified = _json(store, "audit", "verify", "--json")
    assert verified["ok"] is True
    finished = {r["started_seq"]: r["finished_by"] for r in verified["interrupted_runs"]}
    end = _query(store, "SELECT seq FROM audit_auditrecord WHERE action = 'arrests.import' "
                        "AND outcome = 'success'")
    assert finished == dict.fromkeys(runs, end[0][0])


@pytest.mark.parametrize("how", ["SIGTERM", "SIGINT"])
def test_sigterm_and_ctrl_c_write_a_failed_record_with_the_committed_counts(
    how: str, big_file: Path, store: dict[str, str], tmp_path: Path
) -> None:
    proc = _start(store, big_file, tmp_path)
    run = _wait_for_chunks(store, proc, 0, 3)
    if how == "SIGTERM":
        os.kill(proc.pid, signal.SIGTERM)
    else:  # Ctrl-C in a terminal: SIGINT to the whole foreground process group
        os.killpg(proc.pid, signal.SIGINT)
    assert proc.wait(timeout=60) == (143 if how == "SIGTERM" else 130)
    err = proc.stderr.read().decode() if proc.stderr else ""
    assert "Stopped" in err and "Traceback" not in err
    assert _wait_until_gone(proc.pid) == set()
    ((details,),) = _query(store, "SELECT details FROM audit_auditrecord WHERE action = "
                                  "'arrests.import' AND outcome = 'failed'")
    failed = json.loads(details)
    stored = _arrests(store)
    chunks = _query(store, "SELECT count(*) FROM audit_auditrecord WHERE action = "
                           "'arrests.import.chunk'")[0][0]
    # Every row of the file is valid and new: what was committed is whole chunks of it.
    assert stored == chunks * CHUNK and stored >= 3 * CHUNK
    assert failed["run"] == run and failed["chunks"] == chunks
    assert (failed["new"], failed["rows_read"], failed["updated"]) == (stored, stored, 0)
    assert failed["error"] == ("ImportStoppedError" if how == "SIGTERM" else "KeyboardInterrupt")
    verified = _json(store, "audit", "verify", "--json")
    assert verified["ok"] is True and verified["interrupted_runs"] == []
