"""Long actions that commit in steps (an import writes one transaction per chunk), in the log.

Such an action writes three kinds of records:

* ``<action>.started`` before its first step commits, naming what it works on (``details``: the
  file and its digest). Its ``seq`` is the run's id.
* ``<action>.chunk`` inside each step's own transaction, so every committed step is in the log:
  ``details`` ``{"run": <started seq>, "chunk": n, "rows_read": ..., "counts": {...}}``.
* ``<action>`` at the end (``success`` with the last step, or ``failed``), with ``"run"``.

A run with a ``started`` record and no end record was interrupted (the process was killed, the
machine stopped): :func:`unfinished_runs` lists them with what their committed steps left, and
whether a later successful run of the same file (same ``sha256``) finished the work.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from survivors_justice.audit.models import AuditRecord

STARTED = ".started"
CHUNK = ".chunk"


@dataclass
class UnfinishedRun:
    """A run that started and never wrote its end record."""

    action: str
    seq: int  # the started record
    at: str
    actor: str
    object_id: str
    sha256: str
    chunks: int = 0
    rows_read: int = 0
    last_chunk_seq: int | None = None
    counts: Counter[str] = field(default_factory=Counter)
    finished_by: int | None = None  # a later successful run of the same file

    def as_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "started_seq": self.seq,
            "started_at": self.at,
            "actor": self.actor,
            "file": self.object_id,
            "sha256": self.sha256,
            "chunks_committed": self.chunks,
            "rows_read": self.rows_read,
            "counts": dict(sorted(self.counts.items())),
            "last_chunk_seq": self.last_chunk_seq,
            "finished_by": self.finished_by,
        }

    def sentence(self) -> str:
        left = ", ".join(f"{n:,} {k}" for k, n in sorted(self.counts.items())) or "no rows"
        head = (
            f"{self.action} of {self.object_id} (sha256 {self.sha256[:16]}...) started at "
            f"record #{self.seq} ({self.at}) by {self.actor} was interrupted after "
            f"{self.chunks:,} committed chunk(s): {left}"
        )
        if self.finished_by is not None:
            return f"{head}; a later run of the same file finished it (record #{self.finished_by})"
        return f"{head}; run the import of the same file again to finish it"


def unfinished_runs(
    *, include_finished: bool = True, actions: Sequence[str] | None = None
) -> list[UnfinishedRun]:
    """Every run whose end record is missing, oldest first (``include_finished=False``: only those
    no later successful run of the same file completed). ``actions`` (e.g. ``["arrests.import"]``)
    reads only those actions' records through the action index; None looks at every action."""
    wanted = (
        AuditRecord.objects.filter(action__in=[f"{a}{STARTED}" for a in actions])
        if actions is not None else AuditRecord.objects.filter(action__endswith=STARTED)
    )
    started = list(
        wanted.order_by("seq")
        .values_list("seq", "at", "actor", "action", "object_id", "details")
    )
    if not started:
        return []
    actions = sorted({a.removesuffix(STARTED) for _, _, _, a, _, _ in started})
    ended: set[int] = set()
    successes: list[tuple[int, str, str]] = []  # (seq, action, sha256)
    for seq, action, outcome, details in AuditRecord.objects.filter(action__in=actions)\
            .values_list("seq", "action", "outcome", "details"):
        run = details.get("run") if isinstance(details, dict) else None
        if isinstance(run, int):
            ended.add(run)
        if outcome == "success" and isinstance(details, dict):
            successes.append((seq, action, str(details.get("sha256", ""))))
    runs: dict[int, UnfinishedRun] = {}
    for seq, at, actor, action, object_id, details in started:
        if seq in ended:
            continue
        base = action.removesuffix(STARTED)
        sha = str(details.get("sha256", "")) if isinstance(details, dict) else ""
        later = [s for s, a, h in successes if a == base and h == sha and s > seq]
        runs[seq] = UnfinishedRun(
            action=base, seq=seq, at=at.isoformat(), actor=actor, object_id=object_id,
            sha256=sha, finished_by=min(later) if later else None,
        )
    if not include_finished:
        runs = {s: r for s, r in runs.items() if r.finished_by is None}
    if not runs:
        return []
    chunk_actions = sorted({f"{r.action}{CHUNK}" for r in runs.values()})
    for seq, details in AuditRecord.objects.filter(action__in=chunk_actions)\
            .order_by("seq").values_list("seq", "details"):
        key = details.get("run") if isinstance(details, dict) else None
        run = runs.get(key) if isinstance(key, int) else None
        if run is None:
            continue
        run.chunks += 1
        run.last_chunk_seq = seq
        run.rows_read = max(run.rows_read, int(details.get("rows_read", 0)))
        run.counts.update({k: int(v) for k, v in dict(details.get("counts", {})).items()})
    return list(runs.values())


@dataclass
class Committed:
    """What a run's committed chunks add up to."""

    chunks: int = 0
    rows_read: int = 0  # through the last committed chunk
    rejected: int = 0  # the same
    counts: Counter[str] = field(default_factory=Counter)


def committed_counts(action: str, run: int) -> Committed:
    out = Committed()
    for details in AuditRecord.objects.filter(action=f"{action}{CHUNK}", details__run=run)\
            .values_list("details", flat=True):
        out.chunks += 1
        out.rows_read = max(out.rows_read, int(details.get("rows_read", 0)))
        out.rejected = max(out.rejected, int(details.get("rejected", 0)))
        out.counts.update({k: int(v) for k, v in dict(details.get("counts", {})).items()})
    return out
