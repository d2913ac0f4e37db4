"""Screen an NYPD arrests CSV file: one decision per arrest, written as CSV, in bounded memory.

The file is read in batches (Polars' streaming CSV reader); each batch is screened by the batch
evaluator (`screen_frame`) and appended to the output, so memory does not grow with the file.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from queue import Empty, Full, Queue
from typing import BinaryIO

import polars as pl

from survivors_justice.law import Catalog, load_catalog
from survivors_justice.policy.batch import DecisionCache, compiled, key_dtype, screen_frame
from survivors_justice.policy.errors import ScreenInputError
from survivors_justice.policy.model import Policy

NEEDED = ("ARREST_KEY", "ARREST_DATE", "PD_CD", "LAW_CODE", "AGE_GROUP")
OUTPUT = (
    "arrest_key",
    "law_code",
    "section",
    "subdivision",
    "role",
    "outcome",
    "rule_id",
    "policy_version",
    "missing_facts",
    "seal",
)
BATCH_ROWS = 250_000


@dataclass(frozen=True)
class ScreenSummary:
    rows: int
    by_role: pl.DataFrame  # role (null = not a prostitution charge), outcome, arrests


def _header(source: Path) -> list[str]:
    with source.open("r", encoding="utf-8", errors="replace") as f:
        first = f.readline()
    return [c.strip().strip('"').lstrip("\ufeff") for c in first.rstrip("\r\n").split(",")]


def output_frame(
    policy: Policy,
    lf: pl.LazyFrame,
    catalog: Catalog,
    decision_date: date | None,
    cache: DecisionCache | None = None,
) -> pl.LazyFrame:
    """The columns of the screening CSV, in order."""
    screened = screen_frame(
        policy,
        lf,
        catalog=catalog,
        decision_date=decision_date,
        columns=("section", "subdivision", "role", "outcome", "rule_id", "missing_facts", "seal"),
        missing_as_text=True,
        categorical=True,
        cache=cache,
    )
    return screened.select(
        pl.col("ARREST_KEY").alias("arrest_key"),
        pl.col("LAW_CODE").alias("law_code"),
        "section",
        "subdivision",
        "role",
        "outcome",
        "rule_id",
        pl.lit(policy.version).cast(pl.Categorical).alias("policy_version"),
        "missing_facts",
        "seal",
    )


_DONE = object()


class _Prefetch:
    """Reads batches in a background thread, from construction on, while the caller sets up and
    screens; iterate it for the batches. `close` (also on leaving a ``with`` block) tells the
    reader to stop and drains the queue, so no thread is left blocked whatever happens."""

    def __init__(self, batches: Iterable[pl.DataFrame], depth: int = 2) -> None:
        self._batches = batches
        self._queue: Queue[object] = Queue(maxsize=depth)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._pump, name="sj-screen-reader", daemon=True)
        self._thread.start()

    def _put(self, item: object) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except Full:
                continue
        return False

    def _pump(self) -> None:
        try:
            for batch in self._batches:
                if not self._put(batch):
                    return
        except BaseException as exc:  # handed to the consumer, which re-raises it
            self._put(exc)
            return
        self._put(_DONE)

    def __iter__(self) -> Iterator[pl.DataFrame]:
        while True:
            item = self._queue.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            assert isinstance(item, pl.DataFrame)
            yield item

    def close(self) -> None:
        self._stop.set()
        while self._thread.is_alive():
            with contextlib.suppress(Empty):
                self._queue.get(timeout=0.1)
        self._thread.join()

    def __enter__(self) -> _Prefetch:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_SPECIAL = [",", '"', "\n", "\r"]


def _needs_quotes(frame: pl.DataFrame) -> bool:
    """Whether any value holds a comma, quote or line break (for categoricals, any of their
    categories), so CSV quoting can be skipped, which halves the cost of writing."""
    for name, dtype in frame.schema.items():
        column = frame[name]
        if isinstance(dtype, pl.Categorical):  # every category of its mapping: a superset
            column = dtype.categories.to_series()
        elif dtype != pl.String:
            continue
        if column.str.contains_any(_SPECIAL).any():
            return True
    return False


def _write(frame: pl.DataFrame, sink: BinaryIO, header: bool) -> None:
    if _needs_quotes(frame):
        frame.write_csv(sink, include_header=header, quote_style="necessary")
    else:
        frame.write_csv(sink, include_header=header, quote_style="never")


def screen_file(
    policy: Policy,
    source: Path,
    out: Path,
    *,
    catalog: Catalog | None = None,
    decision_date: date | None = None,
    batch_rows: int = BATCH_ROWS,
    progress: Callable[[int], None] | None = None,
) -> ScreenSummary:
    """Screen ``source`` (NYPD arrests CSV) into ``out``; returns counts by role and outcome."""
    header = _header(source)
    absent = [c for c in ("ARREST_KEY", "ARREST_DATE", "LAW_CODE") if c not in header]
    if absent:
        raise ScreenInputError(
            f"{source} lacks column(s) {', '.join(absent)}; an NYPD arrests file has "
            f"{', '.join(NEEDED)} (and more)"
        )
    columns = [c for c in NEEDED if c in header]
    # Read the key columns as categoricals: the decision depends only on their distinct values.
    lf = pl.scan_csv(
        source,
        infer_schema=False,
        schema_overrides={c: key_dtype(c) for c in columns if c != "ARREST_KEY"},
    ).select(columns)
    with _Prefetch(lf.collect_batches(chunk_size=batch_rows)) as batches:
        # While the first batch is read: load the catalog and compile the policy.
        cat = catalog if catalog is not None else load_catalog()
        compiled(policy)
        return _screen_batches(policy, batches, out, cat, decision_date, progress)


def _screen_batches(
    policy: Policy,
    batches: Iterable[pl.DataFrame],
    out: Path,
    cat: Catalog,
    decision_date: date | None,
    progress: Callable[[int], None] | None,
) -> ScreenSummary:
    counts: list[pl.DataFrame] = []
    rows = 0
    out.parent.mkdir(parents=True, exist_ok=True)
    # Writing a batch (CSV formatting, mostly outside the GIL) overlaps with reading and
    # screening the next one; one writer thread keeps the batches in order.
    with out.open("wb") as sink, ThreadPoolExecutor(max_workers=1) as writer:
        pending: Future[None] | None = None
        first = True
        cache = DecisionCache()
        for batch in batches:
            screened = output_frame(policy, batch.lazy(), cat, decision_date, cache).collect()
            if pending is not None:
                pending.result()
            pending = writer.submit(_write, screened, sink, first)
            first = False
            counts.append(screened.group_by("role", "outcome").len("arrests"))
            rows += screened.height
            if progress is not None:
                progress(screened.height)
        if pending is not None:
            pending.result()
        if first:  # an empty file still gets its header
            pl.DataFrame(schema=dict.fromkeys(OUTPUT, pl.String)).write_csv(sink)
    by_role = (
        pl.concat(counts).group_by("role", "outcome").agg(pl.col("arrests").sum())
        if counts
        else pl.DataFrame(schema={"role": pl.String, "outcome": pl.String, "arrests": pl.UInt32})
    )
    return ScreenSummary(rows=rows, by_role=by_role.sort("role", "outcome", nulls_last=True))
