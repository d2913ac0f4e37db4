"""Import an NYPD Arrests Data CSV into the store: streaming, idempotent, safe on bad rows.

:func:`import_arrests` is the one entry point (the ``sj import arrests`` command calls it):

- the header is checked first; a file that is not this schema raises
  :class:`~survivors_justice.arrests.schema.NotArrestsFileError` and writes nothing but an audit
  record with outcome ``refused``;
- rows are read one at a time and written in chunks (one transaction per chunk; SQLite gets raw
  ``executemany``, PostgreSQL ``COPY``), so memory stays flat however long the file is;
- a row that fails validation goes to a rejects CSV (row number, column, value, reason) and the
  import goes on;
- ``ARREST_KEY`` makes it idempotent: a known key with the same recorded values is unchanged, with
  different values it is updated (its charge is resolved again);
- each row's charge is resolved against the catalog on the arrest date, once per distinct
  ``(LAW_CODE, PD_CD, date)``;
- an arrest whose charge is prostitution-related opens a case when it lies in the office's
  scope (county and intake start date, `arrests.scope`; see docs/decisions.md);
- the log covers every committed row (:mod:`survivors_justice.audit.runs`): an
  ``arrests.import.started`` record naming the file and its SHA-256 commits before the first row,
  each chunk writes an ``arrests.import.chunk`` record in its own transaction, and the run ends
  with ``arrests.import`` (``success`` in the last chunk's transaction, or ``failed`` with the
  counts its committed chunks left). A run killed outright (SIGKILL, power loss) keeps its
  ``started`` and chunk records, and ``sj status`` / ``sj audit verify`` report it as interrupted;
  importing the file again finishes it (known keys are unchanged). SIGTERM is handled like Ctrl-C:
  the run stops, writes its ``failed`` record and exits.
"""

# The SQL below is assembled only from model metadata (table and column names through
# connection.ops.quote_name) and %s placeholders; no file content is ever part of a statement.
# ruff: noqa: S608

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import os
import signal
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from time import perf_counter
from types import FrameType
from typing import Any

from django.db import connection, transaction
from django.db.models import Field, Model

from survivors_justice.arrests.catalogs import SHIPPED, catalog_digest, catalog_version_id
from survivors_justice.arrests.models import Arrest, Charge
from survivors_justice.arrests.reader import (
    CSV_FIELD_LIMIT,
    Pending,
    ReadCounts,
    chunks_from_child,
    read_chunks,
)
from survivors_justice.arrests.schema import (
    Layout,
    NotArrestsFileError,
    ParsedArrest,
    read_header,
)
from survivors_justice.arrests.scope import office_scope
from survivors_justice.audit.runs import CHUNK, STARTED, committed_counts, unfinished_runs
from survivors_justice.audit.services import record_event
from survivors_justice.cases.flows import CaseState
from survivors_justice.cases.models import Case, Person, RecommendedOutcome
from survivors_justice.cases.stored_recommendation import store_for_arrests
from survivors_justice.config import get_config
from survivors_justice.law import Catalog, load_catalog
from survivors_justice.locks import advisory_xact_lock

ACTION = "arrests.import"
CHUNK_SIZE = 5000
IMPORT_LOCK = 0x534A_4152  # pg_advisory_xact_lock key: "SJAR"; concurrent imports take turns
CASE_COLUMNS = ("number", "arrest", "defendant", "state", "opened_at", "assigned_to")
# Files at least this big are read in a second process while this one writes (both cores).
PARALLEL_MIN_BYTES = 16 * 1024 * 1024

ProgressCallback = Callable[[int, int], None]  # (bytes read, bytes total)

ARREST_COLUMNS = (
    "arrest_key", "arrest_date", "pd_cd", "pd_desc", "ky_cd", "ofns_desc", "law_code",
    "law_cat_cd", "borough", "precinct", "jurisdiction_code", "age_group", "sex_recorded", "sex",
    "race_recorded", "race", "x_coord", "y_coord", "latitude", "longitude", "content_hash",
    "source_file", "imported_at",
)
CHARGE_COLUMNS = (
    "arrest_id", "position", "law_code", "section", "subdivision", "status", "role", "family",
    "title", "offense_class", "in_force", "note", "catalog",
)


class ArrestFileNotFoundError(FileNotFoundError):
    """The file to import does not exist or is not a readable file."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"{path} does not exist or is not a file; give the path of an NYPD CSV")


@dataclass
class ImportSummary:
    """What one import run did; ``as_dict()`` is what the audit record and ``--json`` carry."""

    file: str
    sha256: str = ""
    rows_read: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    cases_opened: int = 0
    by_role: Counter[str] = field(default_factory=Counter)
    unknown_charges: int = 0
    rejects_file: str | None = None
    ignored_columns: tuple[str, ...] = ()
    seconds: float = 0.0
    audit_seq: int | None = None
    catalog: str = ""  # the digest of the charge catalog that read the charges
    run: int | None = None  # the seq of the run's ``arrests.import.started`` record
    chunks: int = 0  # chunks committed
    finishes: tuple[int, ...] = ()  # interrupted runs of the same file this run completes

    @property
    def prostitution_related(self) -> int:
        return sum(self.by_role.values())

    @property
    def nothing_new(self) -> bool:
        return self.new == 0 and self.updated == 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "sha256": self.sha256,
            "rows_read": self.rows_read,
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "cases_opened": self.cases_opened,
            "prostitution_related": self.prostitution_related,
            "by_role": dict(sorted(self.by_role.items())),
            "unknown_charges": self.unknown_charges,
            "rejects_file": self.rejects_file,
            "ignored_columns": list(self.ignored_columns),
            "seconds": round(self.seconds, 3),
            "catalog": self.catalog,
            "run": self.run,
            "chunks": self.chunks,
            "finishes": list(self.finishes),
        }


def _member(sql: str, values: list[Any]) -> tuple[str, list[Any]]:
    """``sql`` (ending in a column) completed by a membership test of ``values``: one array
    parameter on PostgreSQL (no 5,000-placeholder statement to parse), ``IN (...)`` on SQLite."""
    if connection.vendor == "postgresql":
        return f"{sql} = ANY(%s)", [values]
    return f"{sql} IN ({', '.join(['%s'] * len(values))})", values


def _column(model: type[Model], name: str) -> str:
    f = model._meta.get_field(name)
    if not isinstance(f, Field) or not f.column:
        raise TypeError(f"{model.__name__}.{name} is not a stored column")
    return f.column


def insert_rows(cur: Any, sql: str, rows: Sequence[Sequence[Any]]) -> None:
    """Insert many rows: ``COPY`` on PostgreSQL (Django binds parameters client-side, so
    ``executemany`` would parse every statement anew), ``executemany`` on SQLite."""
    if connection.vendor == "postgresql":
        head = sql.split(" VALUES ", 1)[0].replace("INSERT INTO", "COPY", 1)
        with cur.cursor.copy(f"{head} FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        cur.executemany(sql, rows)


def open_cases(cur: Any, opening: list[tuple[int, str]], *, now: datetime, opened_at: Any) -> None:
    """One case in intake per ``(arrest id, arrest key)``, each with its defendant Person
    (nothing known yet: NYPD data names no one). ``opened_at`` is ``now`` adapted for the
    database. Inside the caller's transaction."""
    q = connection.ops.quote_name
    blank = Person()
    p_cols: list[str] = []
    p_values: list[Any] = []
    for f in Person._meta.concrete_fields:
        if f.primary_key:
            continue
        p_cols.append(q(f.column))
        value = now if getattr(f, "auto_now_add", False) else getattr(blank, f.attname)
        # The field class prepares the value (personal fields may be encrypted at rest).
        p_values.append(f.get_db_prep_save(value, connection))
    # One statement per chunk: a counter CTE feeds INSERT ... SELECT (SQLite and PostgreSQL).
    cur.execute(
        f"WITH RECURSIVE counter(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM counter "
        f"WHERE i < %s) INSERT INTO {q(Person._meta.db_table)} ({', '.join(p_cols)}) "
        f"SELECT {', '.join(['%s'] * len(p_cols))} FROM counter "
        f"RETURNING {q(Person._meta.pk.column)}",
        [len(opening), *p_values],
    )
    person_ids = [row[0] for row in cur.fetchall()]
    case_cols = [q(_column(Case, c)) for c in CASE_COLUMNS]
    insert_case = (
        f"INSERT INTO {q(Case._meta.db_table)} ({', '.join(case_cols)}) "
        f"VALUES ({', '.join(['%s'] * len(case_cols))})"
    )
    # The people are interchangeable blanks, so RETURNING's row order does not matter.
    insert_rows(cur, insert_case, [
        (f"NYPD-{key}", arrest_id, person_id, CaseState.INTAKE.value, opened_at, None)
        for (arrest_id, key), person_id in zip(opening, person_ids, strict=True)
    ])


class ArrestFileEncodingError(ValueError):
    """The file is not UTF-8 text; nothing was imported."""

    def __init__(self, name: str, offset: int) -> None:
        self.name, self.offset = name, offset
        super().__init__(
            f"{name} is not UTF-8 text (the first bad byte is at offset {offset:,}); nothing was "
            f"imported. Convert it first, e.g. iconv -f WINDOWS-1252 -t UTF-8 {name} > utf8.csv"
        )


def refresh_planner_statistics() -> None:
    """PostgreSQL: ANALYZE the tables an import writes, so the queries that follow (the status
    counts, the queue) are planned for the rows now stored. Until autovacuum gets to it, a table
    that was empty or truncated is planned as holding one row, and a count over a fresh import
    then became a nested loop over every arrest and charge (minutes instead of milliseconds)."""
    if connection.vendor != "postgresql":
        return
    tables = [m._meta.db_table for m in (Arrest, Charge, Case, RecommendedOutcome)]
    with connection.cursor() as cur:
        cur.execute("ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in tables))


def _fingerprint(path: Path) -> str:
    """SHA-256 of the file; checks on the way that it is UTF-8, so a bad byte refuses the file
    before anything is written rather than failing half-way."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
            try:
                decoder.decode(block)
            except UnicodeDecodeError as exc:
                raise ArrestFileEncodingError(path.name, offset + exc.start) from None
            offset += len(block)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        raise ArrestFileEncodingError(path.name, offset + exc.start) from None
    return digest.hexdigest()


def default_rejects_path(path: Path, at: datetime) -> Path:
    return get_config().var_dir / "rejects" / f"{path.stem}-{at:%Y%m%dT%H%M%S}.rejects.csv"


class _Writer:
    """Writes chunks of parsed rows; one transaction per chunk."""

    def __init__(
        self, *, source_file: str, now: datetime, summary: ImportSummary, catalog_id: int | None
    ) -> None:
        ops = connection.ops
        self.summary = summary
        self.catalog_id = catalog_id
        self.source_file = source_file[:255]
        self.imported_at = ops.adapt_datetimefield_value(now)
        self.now = now
        self.adapt_date = ops.adapt_datefield_value
        self.dates: dict[date, Any] = {}
        q = ops.quote_name
        a_table, c_table = q(Arrest._meta.db_table), q(Charge._meta.db_table)
        a_cols = [q(_column(Arrest, c)) for c in ARREST_COLUMNS]
        c_cols = [q(_column(Charge, c) if c != "arrest_id" else "arrest_id")
                  for c in CHARGE_COLUMNS]
        self.insert_arrest = (
            f"INSERT INTO {a_table} ({', '.join(a_cols)}) "
            f"VALUES ({', '.join(['%s'] * len(a_cols))})"
        )
        self.update_arrest = (
            f"UPDATE {a_table} SET {', '.join(f'{c} = %s' for c in a_cols[1:])} WHERE id = %s"
        )
        self.insert_charge = (
            f"INSERT INTO {c_table} ({', '.join(c_cols)}) "
            f"VALUES ({', '.join(['%s'] * len(c_cols))})"
        )
        self.update_charge = (
            f"UPDATE {c_table} SET {', '.join(f'{c} = %s' for c in c_cols[2:])} "
            f"WHERE arrest_id = %s AND position = %s"
        )
        self.select_existing = (
            f"SELECT arrest_key, id, content_hash FROM {a_table} WHERE arrest_key"
        )
        self.select_ids = f"SELECT arrest_key, id FROM {a_table} WHERE arrest_key"
        self.case_table = q(Case._meta.db_table)
        self.scope = office_scope()

    def _arrest_values(self, r: ParsedArrest) -> tuple[Any, ...]:
        when = self.dates.get(r.arrest_date)
        if when is None:
            when = self.dates[r.arrest_date] = self.adapt_date(r.arrest_date)
        return (r[0], when, *r[2:], self.source_file, self.imported_at)

    def flush(
        self, chunk: list[Pending], *, run: int, actor: str, source: str, read_through: int,
        bytes_through: int, rejected: int,
    ) -> None:
        """Write one chunk and its ``arrests.import.chunk`` audit record in one transaction."""
        if not chunk:
            return
        s = self.summary
        with transaction.atomic(), connection.cursor() as cur:
            if connection.vendor == "postgresql":
                advisory_xact_lock(cur, IMPORT_LOCK)
            keys = [r.arrest_key for r, _ in chunk]
            cur.execute(*_member(self.select_existing, keys))
            existing = {k: (i, h) for k, i, h in cur.fetchall()}
            new: list[Pending] = []
            changed: list[tuple[int, Pending]] = []
            for item in chunk:
                known = existing.get(item[0].arrest_key)
                if known is None:
                    new.append(item)
                elif known[1] != item[0].content_hash:
                    changed.append((known[0], item))

            opening: list[tuple[int, str]] = []  # (arrest id, arrest key) that may open a case
            if new:
                insert_rows(cur, self.insert_arrest, [self._arrest_values(r) for r, _ in new])
                new_keys = [r.arrest_key for r, _ in new]
                cur.execute(*_member(self.select_ids, new_keys))
                ids = dict(cur.fetchall())
                rows = []
                for r, (values, _, _, opens) in new:
                    arrest_id = ids[r.arrest_key]
                    rows.append((arrest_id, 1, r.law_code, *values, self.catalog_id))
                    if opens and self.scope.covers(r.borough, r.arrest_date):
                        opening.append((arrest_id, r.arrest_key))
                insert_rows(cur, self.insert_charge, rows)
            if changed:
                cur.executemany(
                    self.update_arrest,
                    [(*self._arrest_values(r)[1:], arrest_id) for arrest_id, (r, _) in changed],
                )
                rows = []
                maybe: list[tuple[int, str]] = []
                for arrest_id, (r, (values, _, _, opens)) in changed:
                    rows.append((r.law_code, *values, self.catalog_id, arrest_id, 1))
                    if opens and self.scope.covers(r.borough, r.arrest_date):
                        maybe.append((arrest_id, r.arrest_key))
                cur.executemany(self.update_charge, rows)
                if maybe:
                    ids_ = [m[0] for m in maybe]
                    has = f"SELECT arrest_id FROM {self.case_table} WHERE arrest_id"
                    cur.execute(*_member(has, ids_))
                    has_case = {row[0] for row in cur.fetchall()}
                    opening.extend(m for m in maybe if m[0] not in has_case)
            if opening:
                open_cases(cur, opening, now=self.now, opened_at=self.imported_at)
            # Opened cases and cases whose arrest changed: their recommendation and clock.
            store_for_arrests([a for a, _ in opening] + [a for a, _ in changed])
            record_event(
                actor=actor, action=ACTION + CHUNK, object_type="arrest_file",
                object_id=s.file, source=source,
                details={
                    "run": run, "chunk": s.chunks + 1, "rows_read": read_through,
                    "bytes": bytes_through, "rejected": rejected,
                    "counts": {
                        "new": len(new), "updated": len(changed),
                        "unchanged": len(chunk) - len(new) - len(changed),
                        "cases_opened": len(opening),
                    },
                },
            )
        # Counted once the chunk is committed (a failed run's record reads the chunk records).
        s.chunks += 1
        s.unchanged += len(chunk) - len(new) - len(changed)
        s.new += len(new)
        s.updated += len(changed)
        s.cases_opened += len(opening)


class ImportStoppedError(Exception):
    """The import was asked to stop (SIGTERM); what was committed stays and is audited."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(f"the import was stopped by {signal.Signals(signum).name}")


class _StopOnSigterm:
    """For the length of an import in the main thread: SIGTERM raises :class:`ImportStoppedError`,
    so the run writes its ``failed`` record and its reading process is stopped (as for Ctrl-C)."""

    def __init__(self) -> None:
        self.previous: Any = None
        self.active = threading.current_thread() is threading.main_thread()
        if self.active:
            self.previous = signal.signal(signal.SIGTERM, self._raise)

    @staticmethod
    def _raise(signum: int, frame: FrameType | None) -> None:
        raise ImportStoppedError(signum)

    def restore(self) -> None:
        if self.active:
            signal.signal(signal.SIGTERM, self.previous)


def _failed_details(summary: ImportSummary, exc: BaseException) -> dict[str, Any]:
    """The ``failed`` record: the counts of the chunks that committed, read back from their audit
    records (an interruption can fall between a commit and the counting that follows it)."""
    if summary.run is not None:
        done = committed_counts(ACTION, summary.run)
        counts = done.counts
        summary.chunks, summary.rows_read = done.chunks, done.rows_read
        summary.rejected = max(summary.rejected, done.rejected)
        summary.new, summary.updated = counts["new"], counts["updated"]
        summary.unchanged, summary.cases_opened = counts["unchanged"], counts["cases_opened"]
    return {
        **summary.as_dict(),
        "error": type(exc).__name__,
        "note": "the chunks written before the failure stay in the store; import the file "
                "again to finish",
    }


class _SqliteTuning:
    """A bigger page cache for the length of an import: the unique and secondary indexes of a
    million-row table do not fit SQLite's default 2 MB cache, and every chunk would re-read them.
    Restored afterwards (the connection may serve other work)."""

    CACHE_KIB = 128 * 1024

    def __init__(self) -> None:
        self.previous: int | None = None
        if connection.vendor != "sqlite":
            return
        with connection.cursor() as cur:
            cur.execute("PRAGMA cache_size")
            self.previous = int(cur.fetchone()[0])
            cur.execute(f"PRAGMA cache_size = -{self.CACHE_KIB}")

    def restore(self) -> None:
        if self.previous is not None:
            with connection.cursor() as cur:
                cur.execute(f"PRAGMA cache_size = {self.previous}")


def import_arrests(
    path: Path | str,
    *,
    actor: str,
    source: str = "cli",
    rejects_path: Path | None = None,
    chunk_size: int = CHUNK_SIZE,
    on_progress: ProgressCallback | None = None,
    catalog: Catalog | None = None,
    parallel: bool | None = None,
) -> ImportSummary:
    """Import one NYPD Arrests Data CSV; return what it did.

    Raises :class:`NotArrestsFileError` (nothing written but a ``refused`` audit record) when the
    header is not this schema, :class:`ArrestFileEncodingError` (the same) when the file is not
    UTF-8, :class:`ArrestFileNotFoundError` when there is no such file.

    ``parallel`` reads and validates in a second process while this one writes (default: for
    files of 16 MiB and more on a machine with more than one core).
    """
    path = Path(path)
    if not path.is_file():
        raise ArrestFileNotFoundError(path)
    started = perf_counter()
    now = datetime.now(tz=UTC)
    summary = ImportSummary(file=path.name)
    try:
        summary.sha256 = _fingerprint(path)
    except ArrestFileEncodingError as exc:
        with transaction.atomic():
            record_event(
                actor=actor, action=ACTION, object_type="arrest_file", object_id=path.name,
                source=source, outcome="refused",
                details={"file": path.name, "reason": str(exc)},
            )
        raise
    total = path.stat().st_size
    csv.field_size_limit(CSV_FIELD_LIMIT)
    with path.open("rb") as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        try:
            try:
                first = next(csv.reader(text), None)
            except csv.Error as err:
                raise NotArrestsFileError(
                    path.name, (), f"its header row cannot be read as CSV ({err})"
                ) from None
            layout: Layout = read_header(path.name, first)
        except NotArrestsFileError as exc:
            with transaction.atomic():
                record_event(
                    actor=actor, action=ACTION, object_type="arrest_file",
                    object_id=path.name, source=source, outcome="refused",
                    details={"file": path.name, "sha256": summary.sha256,
                             "missing_columns": list(exc.missing), "reason": str(exc)},
                )
            raise
        finally:
            text.detach()
    summary.ignored_columns = layout.extra
    # Interrupted runs of this very file that this run, when it succeeds, completes.
    summary.finishes = tuple(
        r.seq for r in unfinished_runs(include_finished=False, actions=[ACTION])
        if r.sha256 == summary.sha256
    )
    # Committed before any row: the log names the file and its digest even if the run is killed.
    with transaction.atomic():
        started_record = record_event(
            actor=actor, action=ACTION + STARTED, object_type="arrest_file", object_id=path.name,
            source=source,
            details={"file": path.name, "sha256": summary.sha256, "bytes": total,
                     "finishes": list(summary.finishes)},
        )
    summary.run = started_record.seq
    run = started_record.seq
    if parallel is None:
        parallel = total >= PARALLEL_MIN_BYTES and (os.cpu_count() or 1) > 1 and catalog is None
    counts = ReadCounts()
    rejects = rejects_path or default_rejects_path(path, now)
    options: dict[str, Any] = {
        "today": now.date(), "chunk_size": chunk_size, "rejects_path": rejects, "counts": counts
    }
    chunks = (
        chunks_from_child(path, **options) if parallel
        else read_chunks(path, catalog=catalog, **options)
    )
    # The catalog that reads this file's charges (the reading process loads the shipped one).
    reading = catalog if catalog is not None else load_catalog()
    summary.catalog = catalog_digest(reading)
    with transaction.atomic():
        catalog_id = catalog_version_id(
            reading, SHIPPED if catalog is None else "given to import_arrests"
        )
    writer = _Writer(source_file=path.name, now=now, summary=summary, catalog_id=catalog_id)
    tuning = _SqliteTuning()
    stopper = _StopOnSigterm()

    def take_counts() -> None:
        summary.rows_read, summary.by_role = counts.rows_read, counts.by_role
        summary.unknown_charges, summary.rejected = counts.unknown_charges, counts.rejected
        summary.rejects_file = counts.rejects_file

    try:
        pending: list[Pending] | None = None
        at = (0, 0, 0)  # bytes, rows read and rows rejected through the pending chunk
        for chunk, done, rows_read, rejected in chunks:
            if pending is not None:
                writer.flush(
                    pending, run=run, actor=actor, source=source, bytes_through=at[0],
                    read_through=at[1], rejected=at[2],
                )
                if on_progress is not None:
                    on_progress(done, total)
            pending, at = chunk, (done, rows_read, rejected)
        take_counts()
        # The last chunk and the run's audit record commit together.
        with transaction.atomic():
            writer.flush(
                pending or [], run=run, actor=actor, source=source, bytes_through=at[0],
                read_through=at[1], rejected=at[2],
            )
            summary.seconds = perf_counter() - started
            audit = record_event(
                actor=actor, action=ACTION, object_type="arrest_file", object_id=path.name,
                source=source, outcome="success", details=summary.as_dict(),
            )
        summary.audit_seq = audit.seq
        if summary.new or summary.updated:
            refresh_planner_statistics()
        if on_progress is not None:
            on_progress(total, total)
    except BaseException as exc:
        take_counts()
        summary.seconds = perf_counter() - started
        with transaction.atomic():
            record_event(
                actor=actor, action=ACTION, object_type="arrest_file", object_id=path.name,
                source=source, outcome="failed", details=_failed_details(summary, exc),
            )
        raise
    finally:
        stopper.restore()
        close = getattr(chunks, "close", None)
        if close is not None:
            close()
        tuning.restore()
    return summary
