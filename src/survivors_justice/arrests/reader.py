"""Reading side of the arrest import: rows in, validated chunks with their charges out.

Framework-free (no Django), so it can run in a separate process: on a large file the importer
reads and validates in a child process while the parent writes the previous chunk, using both
cores (see :func:`chunks_from_child`). Rejected rows go to the rejects CSV from here.

The child never outlives the importing process: on Linux the kernel sends it SIGKILL when its
parent dies (``PR_SET_PDEATHSIG``), and everywhere it checks its parent while it waits to hand over
a chunk, and leaves when the parent is gone.
"""

from __future__ import annotations

import contextlib
import csv
import ctypes
import io
import multiprocessing
import os
import queue
import signal
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from survivors_justice.arrests.schema import ParsedArrest, Problem, RowParser, read_header
from survivors_justice.law import Catalog, ChargeStatus, ResolvedCharge, load_catalog

REJECT_COLUMNS = ("row", "arrest_key", "column", "value", "reason")
# The longest field a row may carry; a longer one quarantines the row (the NYPD's longest field is
# a 100-character description). Python's csv module stops with an error past its own limit
# (131,072 characters by default), so its limit is set just above ours: a field that long is read,
# reported and skipped, and a runaway field (an unclosed quote) cannot fill the memory.
MAX_FIELD_CHARS = 131_072
CSV_FIELD_LIMIT = MAX_FIELD_CHARS + 1
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>

# A resolved charge: (the Charge row's values, role if cataloged, is unknown, opens a case)
ChargeHit = tuple[tuple[Any, ...], str, bool, bool]
Pending = tuple[ParsedArrest, ChargeHit]  # a valid row waiting for its chunk to be written
# rows, bytes of the file read so far, rows read so far (valid and rejected), rows rejected so far
Chunk = tuple[list[Pending], int, int, int]


class ReaderProcessError(RuntimeError):
    """The reading process failed or died; the message says how. Nothing after it was written."""


@dataclass
class ReadCounts:
    rows_read: int = 0
    by_role: Counter[str] = field(default_factory=Counter)
    unknown_charges: int = 0
    rejected: int = 0
    rejects_file: str | None = None


def opens_case(charge: ResolvedCharge) -> bool:
    """An arrest opens a case when its charge is a cataloged prostitution/trafficking charge, or
    an unknown charge whose code reads as a section the catalog covers (a person must look)."""
    if charge.status is ChargeStatus.CATALOGED:
        return True
    return charge.status is ChargeStatus.UNKNOWN and charge.section is not None


class Rejects:
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


class Charges:
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


def read_chunks(
    path: Path,
    *,
    today: date,
    chunk_size: int,
    rejects_path: Path,
    counts: ReadCounts,
    catalog: Catalog | None = None,
) -> Iterator[Chunk]:
    """Validated rows of ``path`` in chunks; the last chunk (possibly empty) comes last.

    The header must already have been checked (:func:`read_header`). ``counts`` is filled in as
    rows are read; ``counts.rejected`` and ``counts.rejects_file`` once the file is done.
    """
    raw = path.open("rb")
    text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
    rejects = Rejects(rejects_path)
    csv.field_size_limit(CSV_FIELD_LIMIT)
    try:
        reader = csv.reader(text)
        layout = read_header(path.name, next(reader, None))
        parser = RowParser(layout, today=today)
        charges = Charges(catalog or load_catalog())
        cache = charges.cache
        key_at = layout.index["ARREST_KEY"]
        chunk: list[Pending] = []
        number = 1  # row numbers as a spreadsheet shows them: the header is row 1
        while True:
            try:
                record = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:  # a field past the csv module's limit (or a stray NUL)
                number += 1
                counts.rows_read += 1
                reason = (
                    f"a field longer than {MAX_FIELD_CHARS:,} characters"
                    if "field limit" in str(exc) else f"unreadable CSV row ({exc})"
                )
                rejects.add(number, "", [Problem("", "", reason)])
                continue
            number += 1
            if not record or (len(record) == 1 and not record[0].strip()):
                continue  # a blank line is not a row
            counts.rows_read += 1
            longest = max(map(len, record))
            if longest > MAX_FIELD_CHARS:
                key = record[key_at].strip()[:60] if len(record) > key_at else ""
                column = next(
                    (layout.header[i] if i < len(layout.header) else f"field {i + 1}")
                    for i, v in enumerate(record) if len(v) == longest
                )
                rejects.add(number, key, [Problem(
                    column, "", f"field of {longest:,} characters; at most {MAX_FIELD_CHARS:,}",
                )])
                continue
            parsed = parser.parse(record)
            if isinstance(parsed, list):
                key = record[key_at].strip() if len(record) > key_at else ""
                rejects.add(number, key, parsed)
                continue
            hit = cache.get((parsed.law_code, parsed.pd_cd, parsed.arrest_date))
            if hit is None:
                hit = charges.get(parsed.law_code, parsed.pd_cd, parsed.arrest_date)
            if hit[1]:
                counts.by_role[hit[1]] += 1
            if hit[2]:
                counts.unknown_charges += 1
            chunk.append((parsed, hit))
            if len(chunk) >= chunk_size:
                yield chunk, raw.tell(), counts.rows_read, rejects.rows
                chunk = []
        counts.rejected = rejects.rows
        counts.rejects_file = str(rejects.path) if rejects.rows else None
        yield chunk, raw.tell(), counts.rows_read, rejects.rows
    finally:
        rejects.close()
        text.close()


def die_with_parent() -> None:
    """Ask Linux to SIGKILL this process when the process that started it dies (a no-op
    elsewhere, where :func:`_child`'s parent watch does the same, more slowly)."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


class ParentGoneError(RuntimeError):
    """The importing process is gone; the reading process stops."""


def _put(out: Any, message: Any, parent: int) -> None:
    """Hand ``message`` over, waiting while the writer is behind, but never for a dead parent."""
    while True:
        try:
            out.put(message, timeout=1.0)
            return
        except queue.Full:
            if os.getppid() != parent:
                raise ParentGoneError("the importing process is gone") from None


def _child(
    path: Path, today: date, chunk_size: int, rejects_path: Path, out: Any, parent: int
) -> None:
    """The reading process: send ("chunk", rows, bytes, rows read, rejected) ..., then ("done",
    counts). Ctrl-C reaches the whole process group: the parent handles it and stops this one."""
    die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if os.getppid() != parent:  # the parent died before the request above took effect
        return
    counts = ReadCounts()
    try:
        for chunk, done, rows_read, rejected in read_chunks(
            path, today=today, chunk_size=chunk_size, rejects_path=rejects_path, counts=counts
        ):
            _put(out, ("chunk", chunk, done, rows_read, rejected), parent)
        _put(out, ("done", counts), parent)
    except ParentGoneError:
        return
    except BaseException as exc:  # report every failure to the writing process, then stop
        with contextlib.suppress(ParentGoneError):
            _put(out, ("error", f"{type(exc).__name__}: {exc}"), parent)


def chunks_from_child(
    path: Path, *, today: date, chunk_size: int, rejects_path: Path, counts: ReadCounts
) -> Iterator[Chunk]:
    """:func:`read_chunks` run in a child process (spawned: it holds no database connection),
    at most four chunks ahead of the writer."""
    ctx = multiprocessing.get_context("spawn")
    channel: Any = ctx.Queue(maxsize=4)
    proc = ctx.Process(
        target=_child, args=(path, today, chunk_size, rejects_path, channel, os.getpid()),
        daemon=True,
    )
    proc.start()
    try:
        while True:
            try:
                message = channel.get(timeout=1.0)
            except queue.Empty:
                if not proc.is_alive():
                    raise ReaderProcessError(
                        f"the process reading {path.name} stopped (exit code {proc.exitcode}) "
                        "before the end of the file; run the import again"
                    ) from None
                continue
            if message[0] == "chunk":
                yield message[1], message[2], message[3], message[4]
            elif message[0] == "done":
                final: ReadCounts = message[1]
                counts.rows_read, counts.by_role = final.rows_read, final.by_role
                counts.unknown_charges, counts.rejected = final.unknown_charges, final.rejected
                counts.rejects_file = final.rejects_file
                return
            else:
                raise ReaderProcessError(f"reading {path.name} failed: {message[1]}")
    finally:
        if proc.is_alive():
            proc.terminate()
        proc.join(timeout=10)
        channel.close()
