"""Backups of the whole store, and restores into an empty one.

:func:`backup` writes a folder (mode 0700, files 0600):

* ``sj.sqlite3``: SQLite's online backup API, copied while the project's write lock is held, so
  the copy is one consistent state even with the web app running; or ``sj.pgdump``: ``pg_dump
  --format=custom`` of the snapshot the backup's own transaction exported (``--snapshot``);
* ``audit-anchors.jsonl``: the anchor file, when there is one (the anchor *key* is never copied:
  it stays outside the store and its backups);
* ``manifest.json``: SHA-256 and size of each file, the audit chain head and ``sj status`` counts
  of the snapshot, read inside the same transaction.

The backup writes its audit record (``store.backup``) first, in that transaction, so the copy
holds the record of who took it. :func:`restore` checks the digests, refuses a store that is not
empty, restores, then checks that the chain verifies, that its head is the manifest's and that the
counts are the manifest's. It writes no audit record: the restored store is exactly the snapshot.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.db import connection, transaction

from survivors_justice.arrests.stats import store_counts
from survivors_justice.audit.models import AuditHead
from survivors_justice.audit.services import record_event, verify
from survivors_justice.config import get_config
from survivors_justice.store.pgtools import BackupError as BackupError
from survivors_justice.store.pgtools import pg_tool

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "sj.sqlite3"
PG_FILE = "sj.pgdump"
ANCHORS_FILE = "audit-anchors.jsonl"
# Tables whose rows make a store "not empty" for a restore.
DATA_TABLES = ("audit_auditrecord", "arrests_arrest", "cases_case", "accounts_user")


@dataclass
class RestoreResult:
    manifest: dict[str, Any]
    counts_match: bool
    head_matches: bool
    chain_ok: bool
    anchors: str | None

    @property
    def ok(self) -> bool:
        return self.counts_match and self.head_matches and self.chain_ok


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _private_file(path: Path) -> None:
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _pg_env() -> dict[str, str]:
    db: dict[str, Any] = dict(connection.settings_dict)
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"),
                     ("PASSWORD", "PGPASSWORD"), ("NAME", "PGDATABASE")):
        if db.get(key):
            env[var] = str(db[key])
    return env


def _run(argv: list[str], what: str) -> None:
    done = subprocess.run(  # noqa: S603 (argv built from fixed words and our own paths)
        argv, env=_pg_env(), capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BackupError(f"{what} failed (exit {done.returncode}): {done.stderr.strip()[:2000]}")


def _head() -> dict[str, Any]:
    row = AuditHead.objects.filter(pk=1).values_list("seq", "hash").first()
    return {"seq": row[0], "hash": row[1]} if row else {"seq": 0, "hash": "0" * 64}


def backup(out: Path, *, actor: str, source: str = "cli") -> dict[str, Any]:
    """Write a backup of the store to the new or empty folder ``out``; return its manifest."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise BackupError(
            f"{out} exists and is not an empty folder; give a new folder for the backup"
        )
    out.mkdir(mode=0o700, parents=True, exist_ok=True)
    out.chmod(0o700)
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"backups exist for SQLite and PostgreSQL, not {vendor!r}")
    files: dict[str, dict[str, Any]] = {}
    with transaction.atomic():  # committed first: the copy holds the record of who took it
        record_event(actor=actor, action="store.backup", object_type="store", source=source,
                     details={"folder": out.name, "database": vendor})
    target = out / (SQLITE_FILE if vendor == "sqlite" else PG_FILE)
    _private_file(target)
    with transaction.atomic():
        if vendor == "postgresql":
            # pg_dump reads the very snapshot this transaction counts.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
        head = _head()
        counts = store_counts()
        if vendor == "sqlite":
            # This transaction holds SQLite's write lock (BEGIN IMMEDIATE): nobody writes while
            # the backup API copies the committed pages, so the copy is the state counted above.
            _sqlite_copy(Path(connection.settings_dict["NAME"]), target)
        else:
            _run([str(pg_tool("pg_dump")), "--format=custom", "--no-owner", "--no-privileges",
                  f"--snapshot={snapshot}", f"--file={target}"], "pg_dump")
    files[target.name] = {"sha256": sha256_of(target), "bytes": target.stat().st_size}
    anchors = get_config().anchor_path
    if anchors.is_file():
        copy = out / ANCHORS_FILE
        _private_file(copy)
        shutil.copyfile(anchors, copy)
        files[copy.name] = {"sha256": sha256_of(copy), "bytes": copy.stat().st_size}
    manifest = {
        "format": FORMAT,
        "created_at": datetime.now(tz=UTC).isoformat(),
        "database": vendor,
        "files": files,
        "audit_head": head,
        "status": counts,
    }
    path = out / MANIFEST
    _private_file(path)
    path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return manifest


def _sqlite_copy(source: Path, target: Path) -> None:
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=60)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    finally:
        dst.close()
        src.close()
    target.chmod(0o600)


def read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST
    try:
        manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BackupError(f"{path} cannot be read ({exc.strerror}); give a folder written by "
                          "`sj backup`") from None
    except ValueError as exc:
        raise BackupError(f"{path} is not a backup manifest ({exc})") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path} has format {manifest.get('format')!r}; this version reads "
                          f"{FORMAT}")
    for name, meta in manifest.get("files", {}).items():
        file = folder / name
        if not file.is_file():
            raise BackupError(f"{file} is missing from the backup")
        if sha256_of(file) != meta["sha256"]:
            raise BackupError(
                f"{file} does not match its digest in the manifest: the backup was changed or "
                "damaged; use another backup"
            )
    return manifest


def _existing_rows() -> dict[str, int]:
    """Rows in the tables that make a store non-empty (missing tables count as empty)."""
    tables = set(connection.introspection.table_names())
    found: dict[str, int] = {}
    with connection.cursor() as cursor:
        for table in DATA_TABLES:
            if table in tables:
                cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608 (fixed names)
                n = int(cursor.fetchone()[0])
                if n:
                    found[table] = n
    return found


def restore(folder: Path) -> RestoreResult:
    """Restore the backup in ``folder`` into the configured store, which must be empty."""
    manifest = read_manifest(folder)
    vendor = connection.vendor
    if manifest["database"] != vendor:
        raise BackupError(
            f"the backup is of a {manifest['database']} store and this store is {vendor}; "
            "restore it into the same kind of database (SJ_DATABASE_URL)"
        )
    found = _existing_rows()
    if found:
        what = ", ".join(f"{n:,} rows in {t}" for t, n in found.items())
        raise BackupError(
            f"the store is not empty ({what}); a backup is restored only into an empty store: "
            "point SJ_VAR_DIR (SQLite) or SJ_DATABASE_URL (PostgreSQL) at a new one"
        )
    if vendor == "sqlite":
        target = Path(connection.settings_dict["NAME"])
        connection.close()
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            _private_file(target)
        src = sqlite3.connect(f"file:{folder / SQLITE_FILE}?mode=ro", uri=True)
        dst = sqlite3.connect(target, timeout=60)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=WAL")
        finally:
            dst.close()
            src.close()
        target.chmod(0o600)
    else:
        connection.close()
        _run([str(pg_tool("pg_restore")), "--clean", "--if-exists", "--no-owner",
              "--no-privileges", "--exit-on-error", "--single-transaction",
              f"--dbname={connection.settings_dict['NAME']}", str(folder / PG_FILE)],
             "pg_restore")
    connection.close()
    anchors_note = None
    if ANCHORS_FILE in manifest["files"]:
        anchors = get_config().anchor_path
        if not anchors.exists():
            anchors.parent.mkdir(parents=True, exist_ok=True)
            _private_file(anchors)
            shutil.copyfile(folder / ANCHORS_FILE, anchors)
            anchors_note = (
                f"anchor file restored to {anchors}; point SJ_AUDIT_ANCHOR_KEY_FILE at the key "
                "that wrote it before the next `sj audit anchor`"
            )
        else:
            anchors_note = f"{anchors} exists and was left as it is"
    result = verify()
    counts = json.loads(json.dumps(store_counts()))
    return RestoreResult(
        manifest=manifest,
        counts_match=counts == manifest["status"],
        head_matches=_head() == manifest["audit_head"],
        chain_ok=result.ok,
        anchors=anchors_note,
    )
