"""Helpers for the import tests: the bundled files, copies of them, and an import fixture."""

from __future__ import annotations

import csv
import itertools
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from survivors_justice.arrests.importer import ImportSummary, import_arrests

NYPD = Path(__file__).resolve().parents[2] / "data" / "nypd"
DEC_2017 = NYPD / "arrests-2017-12.csv"
HISTORIC = NYPD / "prostitution-arrests-2006-2016.csv"


def read_rows(path: Path, limit: int | None = None) -> tuple[list[str], list[list[str]]]:
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        rows = list(itertools.islice(reader, limit)) if limit else list(reader)
    return header, rows


def write_rows(path: Path, header: Sequence[str], rows: Sequence[Sequence[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def run_import(tmp_path: Path) -> Callable[..., ImportSummary]:
    """Import a file as the test user; rejects go to the test's temporary folder."""
    counter = iter(range(1000))

    def run(path: Path, **kwargs: object) -> ImportSummary:
        kwargs.setdefault("rejects_path", tmp_path / f"rejects-{next(counter)}.csv")
        return import_arrests(path, actor="test:importer", source="test", **kwargs)  # type: ignore[arg-type]

    return run
