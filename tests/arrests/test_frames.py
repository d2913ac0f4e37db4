"""`sj report disparities --db` reports on the store and agrees with the same file read directly."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.arrests.helpers import DEC_2017
from typer.testing import CliRunner

from survivors_justice.arrests.frames import store_frame
from survivors_justice.cases.models import Case
from survivors_justice.cli import app

pytestmark = pytest.mark.django_db


def _report(tmp_path: Path, name: str, *source: str, by: str = "race") -> list[dict[str, object]]:
    out = tmp_path / name
    result = CliRunner().invoke(
        app,
        ["report", "disparities", *source, "--geo", "borough", "--by", by,
         "--format", "json", "-o", str(out)],
    )
    assert result.exit_code == 0, result.output
    rows: list[dict[str, object]] = json.loads(out.read_text())
    return rows


def test_store_report_matches_the_file_report(run_import: Callable[..., object], tmp_path: Path):
    run_import(DEC_2017)
    frame = store_frame()
    assert frame.height == 19_452
    assert set(frame["sexual_orientation"].unique()) == {"not_recorded"}

    from_file = _report(tmp_path, "file.json", str(DEC_2017))
    from_store = _report(tmp_path, "store.json", "--db")
    assert sorted(
        ((r["geo"], r["group"], r["count"], r["rate_per_100k"]) for r in from_file), key=str
    ) == sorted(((r["geo"], r["group"], r["count"], r["rate_per_100k"]) for r in from_store),
                key=str)
    # Each borough has an "all arrests" row; together they hold the 160 prostitution arrests.
    assert sum(int(r["count"]) for r in from_store if r["group"] == "all") == 160
    assert {r["geo"] for r in from_store} == {
        "Bronx", "Brooklyn", "Manhattan", "Queens", "Staten Island"
    }


def test_self_reported_identity_comes_from_the_defendant(
    run_import: Callable[..., object], tmp_path: Path
):
    run_import(DEC_2017)
    case = Case.objects.select_related("defendant").order_by("pk").first()
    assert case is not None
    person = case.defendant
    person.gender_identity = "transgender_woman"  # encrypted for this row: written by save()
    person.save(update_fields=["gender_identity"])
    frame = store_frame()
    counts = dict(frame.group_by("gender_identity").len().iter_rows())
    assert counts["transgender_woman"] == 1
    assert counts["not_recorded"] == 19_451
