"""Runs that commit in steps: a started record without an end record is an interrupted run."""

from __future__ import annotations

import pytest

from survivors_justice.audit.runs import committed_counts, unfinished_runs
from survivors_justice.audit.services import record_event

pytestmark = pytest.mark.django_db
SHA = "ab" * 32


def _run(*, chunks: int, end: str | None, sha: str = SHA) -> int:
    started = record_event(actor="cli:ops", action="arrests.import.started",
                           object_id="f.csv", details={"file": "f.csv", "sha256": sha}).seq
    for n in range(1, chunks + 1):
        record_event(actor="cli:ops", action="arrests.import.chunk", object_id="f.csv",
                     details={"run": started, "chunk": n, "rows_read": 100 * n, "rejected": n,
                              "counts": {"new": 90, "unchanged": 10}})
    if end is not None:
        record_event(actor="cli:ops", action="arrests.import", object_id="f.csv", outcome=end,
                     details={"run": started, "sha256": sha})
    return started


def test_a_run_without_an_end_record_is_interrupted_until_a_later_success() -> None:
    record_event(actor="a", action="case.read")
    _run(chunks=1, end="success")
    _run(chunks=2, end="failed")
    killed = _run(chunks=3, end=None)
    other = _run(chunks=1, end=None, sha="cd" * 32)
    runs = unfinished_runs(actions=["arrests.import"])
    assert [r.seq for r in runs] == [killed, other]
    first = runs[0]
    # Three chunks of 90 new and 10 unchanged rows; rows read through the third: 300.
    assert (first.chunks, first.rows_read, dict(first.counts)) == (
        3, 300, {"new": 270, "unchanged": 30}
    )
    assert first.finished_by is None and "run the import of the same file again" in \
        first.sentence()
    done = committed_counts("arrests.import", killed)
    assert (done.chunks, done.rows_read, done.rejected) == (3, 300, 3)
    finisher = _run(chunks=1, end="success")
    end_seq = finisher + 2  # started, one chunk, then its end record
    runs = unfinished_runs()
    assert [(r.seq, r.finished_by) for r in runs] == [(killed, end_seq), (other, None)]
    assert [r.seq for r in unfinished_runs(include_finished=False)] == [other]
