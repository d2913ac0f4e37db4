"""What the workspace pages compute, and the cache that keeps them from computing it twice.

Every figure comes from the command line's own engines: ``analytics.report`` (``sj report
disparities``) and ``policy.simulate`` (``sj policy simulate``). This module only resolves an
input (the case store, an uploaded file, or the bundled NYPD history) to a key that names its
exact content, and keeps the last prepared inputs, reports and charts per key, so a page and its
chart images and downloads build the report once.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import polars as pl
from django.conf import settings

from survivors_justice.analytics import report as report_mod
from survivors_justice.analytics.reference import reference_dir
from survivors_justice.analytics.source import read_arrests_csv

HISTORY = "history"
STORE = "store"
T = TypeVar("T")


class BadInput(ValueError):
    """The page was asked for an input or a document that does not exist (says which)."""


def uploads() -> Path:
    path = Path(settings.VAR_DIR) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def history_files() -> list[Path]:
    """The bundled NYPD arrests files (``data/nypd/*.csv``), oldest first."""
    return sorted((reference_dir().parent / "nypd").glob("*.csv"))


def proposals() -> dict[str, Path]:
    """Proposal policy documents a what-if can compare with the policy in force, by stem."""
    from survivors_justice.policy.loader import DEFAULT_DOCUMENT, policy_documents

    return {p.stem: p for p in policy_documents() if p.resolve() != DEFAULT_DOCUMENT.resolve()}


@dataclass(frozen=True)
class Input:
    """An input resolved to what it reads and a key naming its exact content."""

    source: str  # "store", "history" or an upload's SHA-256
    key: str
    label: str
    files: tuple[Path, ...] = ()  # NYPD-shaped files (empty for the store)
    frame: pl.DataFrame | None = field(default=None, compare=False)  # the store's rows

    def origin(self) -> Path | pl.DataFrame:
        if self.frame is not None:
            return self.frame
        if len(self.files) == 1:
            return self.files[0]
        return pl.concat([read_arrests_csv(p) for p in self.files], how="diagonal_relaxed")

    def scan(self) -> pl.LazyFrame:
        """The raw NYPD rows for ``policy.simulate`` (as ``sj policy simulate`` scans them)."""
        if not self.files:
            raise BadInput("the what-if reads NYPD arrests files: upload one or choose the "
                           "bundled NYPD history")
        scans = [pl.scan_csv(p, infer_schema=False) for p in self.files]
        return scans[0] if len(scans) == 1 else pl.concat(scans, how="diagonal")


def _files_key(files: list[Path]) -> str:
    stamp = "|".join(f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in files)
    return hashlib.sha256(stamp.encode()).hexdigest()[:16]


def resolve(source: str) -> Input:
    if source == STORE:
        from survivors_justice.arrests.frames import store_frame

        frame = store_frame()
        digest = int(frame.hash_rows().sum()) if frame.height else 0
        return Input(STORE, f"store:{frame.height}:{digest}", "case store", frame=frame)
    if source == HISTORY:
        files = history_files()
        if not files:
            raise BadInput(f"no bundled NYPD files in {reference_dir().parent / 'nypd'}")
        return Input(HISTORY, f"history:{_files_key(files)}",
                     "bundled NYPD history (" + ", ".join(p.name for p in files) + ")",
                     files=tuple(files))
    path = uploads() / f"{source}.csv"
    if not path.exists():
        raise BadInput("that uploaded file is no longer here; upload it again")
    return Input(source, f"upload:{source}", path.name, files=(path,))


class _Lru:
    """A small thread-safe cache; one computation per key at a time."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[Any, Any] = OrderedDict()
        self.lock = threading.Lock()
        self.building: dict[Any, threading.Lock] = {}

    def get(self, key: Any, make: Callable[[], T]) -> T:
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]  # type: ignore[no-any-return]
            gate = self.building.setdefault(key, threading.Lock())
        with gate:
            with self.lock:
                if key in self.items:
                    return self.items[key]  # type: ignore[no-any-return]
            value = make()
            with self.lock:
                self.items[key] = value
                while len(self.items) > self.size:
                    self.items.popitem(last=False)
                self.building.pop(key, None)
            return value

    def has(self, key: Any) -> bool:
        with self.lock:
            return key in self.items

    def clear(self) -> None:
        with self.lock:
            self.items.clear()


PREPARED = _Lru(2)  # prepared arrests are the big objects (a 5,000,000-row file is ~1 GB)
REPORTS = _Lru(16)
CHARTS = _Lru(16)
SIMULATIONS = _Lru(8)


def prepared(inp: Input, proposal: str | None = None) -> report_mod.Prepared:
    path = proposals()[proposal] if proposal else None
    return PREPARED.get((inp.key, proposal),
                        lambda: _relabel(report_mod.prepare_arrests(inp.origin(), proposal=path),
                                         inp.label))


def _relabel(prep: report_mod.Prepared, label: str) -> report_mod.Prepared:
    if prep.source == label:
        return prep
    return type(prep)(**{k: v for k, v in prep.__dict__.items() if not k.startswith("_")}
                      | {"source": label})


def report(inp: Input, options: report_mod.ReportOptions,
           proposal: str | None = None) -> report_mod.DisparityReport:
    return REPORTS.get((inp.key, proposal, options),
                       lambda: report_mod.build_report(prepared(inp, proposal), options))


def charts(inp: Input, options: report_mod.ReportOptions,
           proposal: str | None = None) -> dict[str, tuple[str, str]]:
    """Every chart of the report: name -> (description, SVG), drawn once per report."""
    from survivors_justice.analytics import html as html_mod

    def draw() -> dict[str, tuple[str, str]]:
        from survivors_justice.analytics import charts as charts_mod

        out = {}
        for name, (desc, fig) in html_mod.figures(report(inp, options, proposal)).items():
            out[name] = (desc, charts_mod.to_svg(fig, desc))
        return out

    return CHARTS.get((inp.key, proposal, options), draw)


def chart_png(inp: Input, options: report_mod.ReportOptions, name: str) -> bytes | None:
    """One chart as PNG (150 dpi), drawn on demand (the page shows SVG)."""
    import io

    from survivors_justice.analytics import charts as charts_mod
    from survivors_justice.analytics import html as html_mod

    found = html_mod.figures(report(inp, options))
    try:
        if name not in found:
            return None
        buf = io.BytesIO()
        found[name][1].savefig(buf, format="png", dpi=150)
        return buf.getvalue()
    finally:
        for _, fig in found.values():
            charts_mod.close(fig)


def simulation(inp: Input, proposal: str) -> Any:
    """``sj policy simulate``'s result: the policy in force against ``proposal``."""
    from survivors_justice.policy.loader import DEFAULT_DOCUMENT, load_policy
    from survivors_justice.policy.simulate import simulate

    path = proposals()[proposal]
    return SIMULATIONS.get((inp.key, proposal), lambda: simulate(
        load_policy(DEFAULT_DOCUMENT), load_policy(path), inp.scan()))


def side_by_side(impact: pl.DataFrame) -> list[dict[str, Any]]:
    """The impact section's rows (race within each outcome, under each policy) as one row per
    outcome and group with both policies' count, rate and rate ratio beside each other."""
    keys = ["stratum", "group", "group_label"]
    cols = ["count", "rate_per_100k", "rri", "rri_ci_low", "rri_ci_high"]
    current = impact.filter(pl.col("policy") == "current").select(
        *keys, *[pl.col(c).alias(f"current_{c}") for c in cols])
    proposal = impact.filter(pl.col("policy") == "proposal").select(
        *keys, *[pl.col(c).alias(f"proposal_{c}") for c in cols])
    joined = current.join(proposal, on=keys, how="full", coalesce=True, maintain_order="left")
    return joined.to_dicts()


# ---------------------------------------------------------------- background jobs
# A long report or what-if runs in a thread of the web worker; the page shows its progress and
# polls (workspace/progress.html) instead of holding the request. The steps fill the caches
# above, so the page it finally shows is built from them without more work.


@dataclass
class Job:
    steps: tuple[str, ...]
    step: int = 0
    started: float = field(default_factory=time.monotonic)
    error: str | None = None
    done: threading.Event = field(default_factory=threading.Event)

    @property
    def stage(self) -> str:
        return self.steps[min(self.step, len(self.steps) - 1)]

    @property
    def elapsed(self) -> int:
        return int(time.monotonic() - self.started)


_JOBS: dict[Any, Job] = {}
_JOBS_LOCK = threading.Lock()


def job(key: Any, steps: list[tuple[str, Callable[[], object]]]) -> Job:
    """The job computing ``key`` (started now unless one is running or finished with an error
    that has not been shown yet)."""
    from survivors_justice.analytics.errors import AnalyticsError

    with _JOBS_LOCK:
        found = _JOBS.get(key)
        if found is not None and not (found.done.is_set() and found.error is None):
            return found
        current = Job(tuple(label for label, _ in steps))
        _JOBS[key] = current

    def run() -> None:
        from django.db import connection

        try:
            for i, (_, step) in enumerate(steps):
                current.step = i
                step()
        except (AnalyticsError, BadInput) as exc:
            current.error = str(exc)
        except Exception as exc:  # shown to the analyst, never lost in a thread
            current.error = f"the computation failed ({type(exc).__name__}); try again"
            raise
        finally:
            current.step = len(steps)
            current.done.set()
            connection.close()

    threading.Thread(target=run, name=f"workspace-job-{len(_JOBS)}", daemon=True).start()
    return current


def finished(key: Any) -> Job | None:
    """Forget a finished job and return it (its error, if any, is then shown once)."""
    with _JOBS_LOCK:
        found = _JOBS.get(key)
        if found is not None and found.done.is_set():
            del _JOBS[key]
        return found
