"""Public files carry no arrest key, no date finer than a month and no coordinates."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

DAY = re.compile(r"\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{2}-\d{2}")


def _keys_and_coords(path: Path) -> tuple[set[str], set[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle)
                if r["LAW_CODE"].startswith(("PL 230", "PL 24037"))]
    keys = {r["ARREST_KEY"] for r in rows}
    coords = {v for r in rows for k in ("Latitude", "Longitude", "X_COORD_CD", "Y_COORD_CD")
              if (v := r[k]) and len(v) >= 6}
    return keys, coords


@pytest.mark.parametrize("fmt", ["csv", "json", "html"])
def test_public_files_hold_nothing_that_points_at_a_person(dec2017, tmp_path, cli, fmt):
    out = tmp_path / f"public.{fmt}"
    cli("disparities", str(dec2017), "--geo", "precinct", "--by", "race", "--public",
            "--format", fmt, "-o", str(out))
    text = out.read_text(encoding="utf-8")
    keys, coords = _keys_and_coords(dec2017)
    assert keys and coords
    assert not [k for k in keys if re.search(rf"\b{k}\b", text)]
    # whole numbers only: chart paths hold digits too, which a plain substring test would flag
    assert not [c for c in coords if re.search(rf"(?<![\d.]){re.escape(c)}(?![\d])", text)]
    assert not DAY.findall(text), DAY.findall(text)[:5]
    assert "2017-12" in text  # the month is given
    if fmt != "html":
        header = text.splitlines()[0].lower() if fmt == "csv" else text[:2000].lower()
        for banned in ("arrest_key", "arrest_date", "latitude", "longitude", "x_coord"):
            assert banned not in header
