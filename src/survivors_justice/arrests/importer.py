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
- an arrest whose charge is prostitution-related opens a case (see docs/decisions.md);
- the run writes one audit record (``arrests.import``) in the same transaction as its last chunk.
"""

# The SQL below is assembled only from model metadata (table and column names through
# connection.ops.quote_name) and %s placeholders; no file content is ever part of a statement.
# ruff: noqa: S608

from __future__ import annotations

import codecs
import csv
import hashlib
import io
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from time import perf_counter
from typing import Any, TextIO

from django.db import connection, transaction
from django.db.models import Field, Model

from survivors_justice.arrests.models import Arrest, Charge
from survivors_justice.arrests.schema import (
    Layout,
    NotArrestsFileError,
    ParsedArrest,
    Problem,
    RowParser,
    read_header,
)
from survivors_justice.audit.services import record_event
from survivors_justice.cases.flows import CaseState
from survivors_justice.cases.models import Case, Person
from survivors_justice.config import get_config
from survivors_justice.law import Catalog, ChargeStatus, ResolvedCharge, load_catalog

ACTION = "arrests.import"
CHUNK_SIZE = 5000
IMPORT_LOCK = 0x534A_4152  # pg_advisory_xact_lock key: "SJAR"; concurrent imports take turns
CASE_COLUMNS = ("number", "arrest", "defendant", "state", "opened_at", "assigned_to")
REJECT_COLUMNS = ("row", "arrest_key", "column", "value", "reason")

ProgressCallback = Callable[[int, int], None]  # (bytes read, bytes total)
# A resolved charge: (the Charge row's values, role if cataloged, is unknown, opens a case)
ChargeHit = tuple[tuple[Any, ...], str, bool, bool]
Pending = tuple[ParsedArrest, ChargeHit]  # a valid row waiting for its chunk to be written

ARREST_COLUMNS = (
    "arrest_key", "arrest_date", "pd_cd", "pd_desc", "ky_cd", "ofns_desc", "law_code",
    "law_cat_cd", "borough", "precinct", "jurisdiction_code", "age_group", "sex_recorded", "sex",
    "race_recorded", "race", "x_coord", "y_coord", "latitude", "longitude", "content_hash",
    "source_file", "imported_at",
)
CHARGE_COLUMNS = (
    "arrest_id", "position", "law_code", "section", "subdivision", "status", "role", "family",
    "title", "offense_class", "in_force", "note",
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
        }


def opens_case(charge: ResolvedCharge) -> bool:
    """An arrest opens a case when its charge is a cataloged prostitution/trafficking charge, or
    an unknown charge whose code reads as a section the catalog covers (a person must look)."""
    if charge.status is ChargeStatus.CATALOGED:
        return True
    return charge.status is ChargeStatus.UNKNOWN and charge.section is not None


class _Rejects:
    """The rejects CSV, created on the first bad row only."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fh: TextIO | None = None
        self._writer: Any = None
        self.rows = 0

    def add(self, row_number: int, key: str, problems: Sequence[Problem]) -> None:
        if self._writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fh = self.path.open("w", newline="", encoding="utf-8")
            self._writer = csv.writer(self._fh)
            self._writer.writerow(REJECT_COLUMNS)
        for p in problems:
            self._writer.writerow((row_number, key, p.column, p.value, p.reason))
        self.rows += 1

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()


class _Charges:
    """Resolve each distinct (law code, PD code, date) once; keep the row to write and the role."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.cache: dict[tuple[str, str, date], ChargeHit] = {}

    def get(self, law_code: str, pd_cd: str, on: date) -> ChargeHit:
        key = (law_code, pd_cd, on)
        hit = self.cache.get(key)
        if hit is None:
            r = self.catalog.resolve(law_code=law_code or None, pd_cd=pd_cd or None, on=on)
            entry = r.entry
            values = (
                r.section or "",
                r.subdivision or "",
                r.status.value,
                r.role.value if r.role else "",
                entry.family.value if entry else "",
                entry.title[:200] if entry else "",
                entry.offense_class[:30] if entry else "",
                r.in_force,
                r.note,
            )
            role = r.role.value if r.status is ChargeStatus.CATALOGED and r.role else ""
            hit = (values, role, r.status is ChargeStatus.UNKNOWN, opens_case(r))
            self.cache[key] = hit
        return hit


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


class ArrestFileEncodingError(ValueError):
    """The file is not UTF-8 text; nothing was imported."""

    def __init__(self, name: str, offset: int) -> None:
        self.name, self.offset = name, offset
        super().__init__(
            f"{name} is not UTF-8 text (the first bad byte is at offset {offset:,}); nothing was "
            f"imported. Convert it first, e.g. iconv -f WINDOWS-1252 -t UTF-8 {name} > utf8.csv"
        )


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

    def __init__(self, *, source_file: str, now: datetime, charges: _Charges,
                 summary: ImportSummary) -> None:
        ops = connection.ops
        self.summary = summary
        self.charges = charges
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
        case_cols = [q(_column(Case, c)) for c in CASE_COLUMNS]
        self.insert_case = (
            f"INSERT INTO {self.case_table} ({', '.join(case_cols)}) "
            f"VALUES ({', '.join(['%s'] * len(case_cols))})"
        )

    @staticmethod
    def _insert(cur: Any, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Insert many rows: ``COPY`` on PostgreSQL (Django binds parameters client-side, so
        ``executemany`` would parse every statement anew), ``executemany`` on SQLite."""
        if connection.vendor == "postgresql":
            head = sql.split(" VALUES ", 1)[0].replace("INSERT INTO", "COPY", 1)
            with cur.cursor.copy(f"{head} FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cur.executemany(sql, rows)

    def _arrest_values(self, r: ParsedArrest) -> tuple[Any, ...]:
        when = self.dates.get(r.arrest_date)
        if when is None:
            when = self.dates[r.arrest_date] = self.adapt_date(r.arrest_date)
        return (r[0], when, *r[2:], self.source_file, self.imported_at)

    def flush(self, chunk: list[Pending]) -> None:
        if not chunk:
            return
        s = self.summary
        with transaction.atomic(), connection.cursor() as cur:
            if connection.vendor == "postgresql":
                cur.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK])
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
                self._insert(cur, self.insert_arrest, [self._arrest_values(r) for r, _ in new])
                new_keys = [r.arrest_key for r, _ in new]
                cur.execute(*_member(self.select_ids, new_keys))
                ids = dict(cur.fetchall())
                rows = []
                for r, (values, _, _, opens) in new:
                    arrest_id = ids[r.arrest_key]
                    rows.append((arrest_id, 1, r.law_code, *values))
                    if opens:
                        opening.append((arrest_id, r.arrest_key))
                self._insert(cur, self.insert_charge, rows)
            if changed:
                cur.executemany(
                    self.update_arrest,
                    [(*self._arrest_values(r)[1:], arrest_id) for arrest_id, (r, _) in changed],
                )
                rows = []
                maybe: list[tuple[int, str]] = []
                for arrest_id, (r, (values, _, _, opens)) in changed:
                    rows.append((r.law_code, *values, arrest_id, 1))
                    if opens:
                        maybe.append((arrest_id, r.arrest_key))
                cur.executemany(self.update_charge, rows)
                if maybe:
                    ids_ = [m[0] for m in maybe]
                    has = f"SELECT arrest_id FROM {self.case_table} WHERE arrest_id"
                    cur.execute(*_member(has, ids_))
                    has_case = {row[0] for row in cur.fetchall()}
                    opening.extend(m for m in maybe if m[0] not in has_case)
            if opening:
                self._open_cases(cur, opening)
        # Counted once the chunk is committed, so a failed run's audit record counts what stayed.
        s.unchanged += len(chunk) - len(new) - len(changed)
        s.new += len(new)
        s.updated += len(changed)
        s.cases_opened += len(opening)

    def _open_cases(self, cur: Any, opening: list[tuple[int, str]]) -> None:
        """One defendant Person (nothing known yet: NYPD data names no one) and one Case each."""
        q = connection.ops.quote_name
        blank = Person()
        p_cols: list[str] = []
        p_values: list[Any] = []
        for f in Person._meta.concrete_fields:
            if f.primary_key:
                continue
            p_cols.append(q(f.column))
            value = self.now if getattr(f, "auto_now_add", False) else getattr(blank, f.attname)
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
        # The people are interchangeable blanks, so RETURNING's row order does not matter.
        self._insert(cur, self.insert_case, [
            (f"NYPD-{key}", arrest_id, person_id, CaseState.INTAKE.value, self.imported_at, None)
            for (arrest_id, key), person_id in zip(opening, person_ids, strict=True)
        ])


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
) -> ImportSummary:
    """Import one NYPD Arrests Data CSV; return what it did.

    Raises :class:`NotArrestsFileError` (nothing written but a ``refused`` audit record) when the
    header is not this schema, :class:`ArrestFileEncodingError` (the same) when the file is not
    UTF-8, :class:`ArrestFileNotFoundError` when there is no such file.
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
    raw = path.open("rb")
    text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
    try:
        reader = csv.reader(text)
        try:
            layout: Layout = read_header(path.name, next(reader, None))
        except NotArrestsFileError as exc:
            with transaction.atomic():
                record_event(
                    actor=actor, action=ACTION, object_type="arrest_file",
                    object_id=path.name, source=source, outcome="refused",
                    details={"file": path.name, "sha256": summary.sha256,
                             "missing_columns": list(exc.missing), "reason": str(exc)},
                )
            raise
        summary.ignored_columns = layout.extra
        tuning = _SqliteTuning()
        parser = RowParser(layout, today=now.date())
        charges = _Charges(catalog or load_catalog())
        writer = _Writer(source_file=path.name, now=now, charges=charges, summary=summary)
        rejects = _Rejects(rejects_path or default_rejects_path(path, now))
        key_at = layout.index["ARREST_KEY"]
        cache = charges.cache
        try:
            chunk: list[Pending] = []
            number = 1  # row numbers as a spreadsheet shows them: the header is row 1
            for record in reader:
                number += 1
                if not record or (len(record) == 1 and not record[0].strip()):
                    continue  # a blank line is not a row
                summary.rows_read += 1
                parsed = parser.parse(record)
                if isinstance(parsed, list):
                    key = record[key_at].strip() if len(record) > key_at else ""
                    rejects.add(number, key, parsed)
                    continue
                hit = cache.get((parsed.law_code, parsed.pd_cd, parsed.arrest_date))
                if hit is None:
                    hit = charges.get(parsed.law_code, parsed.pd_cd, parsed.arrest_date)
                if hit[1]:
                    summary.by_role[hit[1]] += 1
                if hit[2]:
                    summary.unknown_charges += 1
                chunk.append((parsed, hit))
                if len(chunk) >= chunk_size:
                    writer.flush(chunk)
                    chunk = []
                    if on_progress is not None:
                        on_progress(raw.tell(), total)
            summary.rejected = rejects.rows
            summary.rejects_file = str(rejects.path) if rejects.rows else None
            with transaction.atomic():
                writer.flush(chunk)
                summary.seconds = perf_counter() - started
                audit = record_event(
                    actor=actor, action=ACTION, object_type="arrest_file", object_id=path.name,
                    source=source, outcome="success", details=summary.as_dict(),
                )
            summary.audit_seq = audit.seq
            if on_progress is not None:
                on_progress(total, total)
        except BaseException as exc:
            summary.rejected = rejects.rows
            summary.seconds = perf_counter() - started
            with transaction.atomic():
                record_event(
                    actor=actor, action=ACTION, object_type="arrest_file", object_id=path.name,
                    source=source, outcome="failed",
                    details={**summary.as_dict(), "error": type(exc).__name__,
                             "note": "chunks written before the failure stay in the store"},
                )
            raise
        finally:
            rejects.close()
            tuning.restore()
    finally:
        text.close()
    return summary
