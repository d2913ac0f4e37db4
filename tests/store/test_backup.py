"""`sj backup` and `sj restore`, run as a person runs them, against stores of their own.

On the SQLite run the stores are files in a temporary folder; on the PostgreSQL run
(scripts/with-postgres.sh sets SJ_DATABASE_URL) they are new databases on that server. Expected
values come from the files themselves (digests computed here) and from `sj status --json` of the
source store, taken before the restore.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from tests.arrests.helpers import DEC_2017, HISTORIC, read_rows, write_rows

SJ = [sys.executable, "-m", "survivors_justice.cli"]
PG_URL = os.environ.get("SJ_DATABASE_URL")

# Marked like the database tests so the PostgreSQL run (-m django_db) runs it too.
pytestmark = pytest.mark.django_db


def _pg_admin(sql: str) -> None:
    import psycopg

    assert PG_URL is not None
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(sql)


@pytest.fixture
def new_store(tmp_path: Path) -> Iterator[Any]:
    """Makes empty stores (created, not yet migrated) with their own var folders."""
    made: list[str] = []

    def make(name: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if k not in ("SJ_DATABASE_URL", "SJ_OFFICE_COUNTY", "SJ_INTAKE_START")}
        env.update(SJ_ENV="test", SJ_VAR_DIR=str(tmp_path / name))
        if PG_URL:
            db = f"sj_{name}_{secrets.token_hex(4)}"
            _pg_admin(f'CREATE DATABASE "{db}"')
            made.append(db)
            parts = urlsplit(PG_URL)
            env["SJ_DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{db}"))
        return env

    yield make
    for db in made:
        _pg_admin(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


def _sj(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*SJ, *args], env=env, capture_output=True, text=True, timeout=600,
                          check=False)


def _ok(env: dict[str, str], *args: str) -> str:
    done = _sj(env, *args)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_backup_then_restore_into_an_empty_store_reproduces_it(
    new_store: Any, tmp_path: Path
) -> None:
    src = new_store("src")
    _ok(src, "db", "upgrade")
    # 3,000 prostitution-related arrests: the store's cases are its Queens rows (the default
    # office), counted here from the file.
    header, rows = read_rows(HISTORIC, 3000)
    boro, law = header.index("ARREST_BORO"), header.index("LAW_CODE")
    queens = sum(r[boro] == "Q" and r[law].startswith(("PL 230", "PL 24037")) for r in rows)
    _ok(src, "import", "arrests", str(write_rows(tmp_path / "part.csv", header, rows)),
        "--rejects", str(tmp_path / "rejects.csv"))
    _ok(src, "audit", "anchor")
    out = tmp_path / "backup"
    _ok(src, "backup", str(out))
    before = json.loads(_ok(src, "status", "--json"))
    assert (before["arrests"], before["cases"]) == (3000, queens) and queens > 500

    # Private files, and a manifest whose digests are the files'.
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    manifest = json.loads((out / "manifest.json").read_text())
    database = "sj.pgdump" if PG_URL else "sj.sqlite3"
    assert set(manifest["files"]) == {database, "audit-anchors.jsonl"}
    for name in [*manifest["files"], "manifest.json"]:
        assert stat.S_IMODE((out / name).stat().st_mode) == 0o600, name
    for name, meta in manifest["files"].items():
        assert meta["sha256"] == hashlib.sha256((out / name).read_bytes()).hexdigest()
    assert manifest["status"] == before

    dst = new_store("dst")
    _ok(dst, "db", "upgrade")  # a migrated, empty store is a valid target
    restored = _ok(dst, "restore", str(out))
    assert "audit chain intact" in restored
    assert json.loads(_ok(dst, "status", "--json")) == before
    assert "chain intact" in _ok(dst, "audit", "verify")
    # The restored anchor file still checks against the source's key.
    key = {"SJ_AUDIT_ANCHOR_KEY_FILE": str(tmp_path / "src" / "audit-anchor.key")}
    anchors = Path(dst["SJ_VAR_DIR"]) / "audit-anchors.jsonl"
    assert stat.S_IMODE(anchors.stat().st_mode) == 0o600
    assert "Anchors OK" in _ok({**dst, **key}, "audit", "verify", "--anchors", str(anchors))

    # A store with records is refused, and nothing in it changes.
    again = _sj(dst, "restore", str(out))
    assert again.returncode == 2
    assert "not empty (" in again.stderr and "Traceback" not in again.stderr
    assert json.loads(_ok(dst, "status", "--json")) == before


def test_a_changed_backup_is_refused_before_anything_is_written(
    new_store: Any, tmp_path: Path
) -> None:
    src = new_store("src")
    _ok(src, "db", "upgrade")
    header, rows = read_rows(DEC_2017, 200)
    _ok(src, "import", "arrests", str(write_rows(tmp_path / "part.csv", header, rows)),
        "--rejects", str(tmp_path / "rejects.csv"))
    out = tmp_path / "backup"
    _ok(src, "backup", str(out))
    database = out / ("sj.pgdump" if PG_URL else "sj.sqlite3")
    data = bytearray(database.read_bytes())
    data[len(data) // 2] ^= 0xFF
    database.write_bytes(bytes(data))
    dst = new_store("dst")
    done = _sj(dst, "restore", str(out))
    assert done.returncode == 2
    assert "does not match its digest" in done.stderr and "Traceback" not in done.stderr
    # The backup folder must be new or empty.
    again = _sj(src, "backup", str(out))
    assert again.returncode == 2 and "not an empty folder" in again.stderr
