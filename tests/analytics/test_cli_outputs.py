"""The command's other outputs: the terminal table, CSV, chart files and clear errors."""

from __future__ import annotations

import csv
import io

import polars as pl
import pytest
from typer.testing import CliRunner

from survivors_justice.analytics.cli import app
from survivors_justice.analytics.groups import Dimension, GeoLevel
from survivors_justice.analytics.measures import MIN_POPULATION, disparity_table
from survivors_justice.analytics.report import prepare_arrests

# Prostitution-related arrests of December 2017 by race, counted from the raw file by hand
# (LAW_CODE PL 230* or PL 240.37; WHITE HISPANIC and BLACK HISPANIC are Hispanic or Latino).
HAND_BY_RACE = {
    "All arrests": 160,
    "Black (non-Hispanic)": 66,
    "Hispanic or Latino": 38 + 12,
    "White (non-Hispanic)": 17,
    "Asian and Pacific Islander (non-Hispanic)": 25,
    "American Indian and Alaska Native (non-Hispanic)": 1,
    "Other (no census match)": 0,
    "Unknown (not recorded)": 1,
}


def _hand_count(path) -> dict[str, int]:
    groups = {"BLACK": "Black (non-Hispanic)", "WHITE HISPANIC": "Hispanic or Latino",
              "BLACK HISPANIC": "Hispanic or Latino", "WHITE": "White (non-Hispanic)",
              "ASIAN/PAC.ISL": "Asian and Pacific Islander (non-Hispanic)",
              "AMER IND": "American Indian and Alaska Native (non-Hispanic)",
              "UNKNOWN": "Unknown (not recorded)"}
    counts = dict.fromkeys(HAND_BY_RACE, 0)
    with path.open(newline="") as handle:
        for row in csv.DictReader(handle):
            if row["LAW_CODE"].startswith(("PL 230", "PL 24037")):
                counts["All arrests"] += 1
                counts[groups.get(row["PERP_RACE"], "Other (no census match)")] += 1
    return counts


def _table_rows(out: str) -> dict[str, list[str]]:
    """The terminal table's body rows, label -> the other cells as printed."""
    rows: dict[str, list[str]] = {}
    for line in out.splitlines():
        if line.startswith("\u2502"):
            cells = [c.strip() for c in line.strip("\u2502").split("\u2502")]
            rows[cells[0]] = cells[1:]
    return rows


def test_table_and_csv_agree(dec2017, tmp_path):
    assert _hand_count(dec2017) == HAND_BY_RACE
    result = CliRunner().invoke(app, ["disparities", str(dec2017), "--by", "race", "--no-screen"],
                                env={"COLUMNS": "220"})
    assert result.exit_code == 0, result.output
    table = _table_rows(result.output)
    path = tmp_path / "rows.csv"
    result = CliRunner().invoke(app, ["disparities", str(dec2017), "--by", "race", "--no-screen",
                                      "--format", "csv", "-o", str(path)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert all(r["period"] == "2017-12" for r in rows)
    # the same groups, in the same order, with the hand-counted arrests in both outputs
    assert list(table) == [r["group_label"] for r in rows] == list(HAND_BY_RACE)
    for r in rows:
        count, share, population, rate, rri = table[r["group_label"]][:5]
        assert int(count.replace(",", "")) == int(r["count"]) == HAND_BY_RACE[r["group_label"]]
        assert share == f"{float(r['share']):.0%}"
        assert population.replace(",", "") == r["population"]
        assert rate == (f"{float(r['rate_per_100k']):.2f}" if r["rate_per_100k"] else "")
        assert rri == (f"{float(r['rri']):.2f}" if r["rri"] else "")
    # by hand: 66 Black arrests among 1,776,882 Black New Yorkers is 3.71 per 100,000
    black = {r["group_label"]: r for r in rows}["Black (non-Hispanic)"]
    assert float(black["rate_per_100k"]) == pytest.approx(66 / 1_776_882 * 100_000)


def test_charts_are_written_as_png_and_svg(dec2017, tmp_path, cli):
    charts = tmp_path / "charts"
    cli("disparities", str(dec2017), "--geo", "precinct", "--format", "json", "-o",
        str(tmp_path / "x.json"), "--charts-dir", str(charts), "--no-screen")
    names = {p.name for p in charts.iterdir()}
    for stem in ("rates-by-race", "rri-by-race", "rates-by-income", "map"):
        assert {f"{stem}.png", f"{stem}.svg"} <= names
        assert (charts / f"{stem}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert (charts / f"{stem}.png").stat().st_size > 10_000
    svg = (charts / "rates-by-race.svg").read_text(encoding="utf-8")
    assert 'id="bar-black"' in svg and 'id="bar-white"' in svg


def test_bad_input_gets_a_clear_error(tmp_path, dec2017):
    runner = CliRunner()

    def said(*args: str) -> str:
        # Rich wraps long lines at its console's width, even inside a long temporary path, so
        # the message is compared with all white space removed.
        result = runner.invoke(app, ["disparities", *args])
        assert result.exit_code == 2
        return "".join(result.output.split())

    def folded(text: str) -> str:
        return "".join(text.split())

    assert folded(f"{tmp_path / 'missing.csv'} does not exist") in said(
        str(tmp_path / "missing.csv")
    )
    assert folded("-o PATH") in said(str(dec2017), "--format", "html")
    assert folded("'purple' is not a race group") in said(
        str(dec2017), "--reference", "purple", "--no-screen"
    )


def test_reference_row_and_small_denominators(dec2017):
    frame = prepare_arrests(dec2017, screen=False, offenses="all").frame
    table = disparity_table(frame, geo=GeoLevel.PRECINCT, by=Dimension.RACE)
    white = table.filter(pl.col("group") == "white")
    assert (white.filter(pl.col("rate_per_100k") > 0)["rri"] == 1.0).all()
    assert white["rri_ci_low"].null_count() == white.height
    small = table.filter(pl.col("population") < MIN_POPULATION)
    assert small.height > 0 and small["rate_per_100k"].null_count() == small.height
    # unstable is a count rule: under 20 arrests behind the figure
    rows = table.filter(pl.col("group") == "black").iter_rows(named=True)
    assert all(r["unstable"] == (r["count"] < 20 or (r["rri"] is not None and
               table.filter((pl.col("geo") == r["geo"]) & (pl.col("group") == "white"))
               ["count"][0] < 20)) for r in rows)


def test_dashboard_dict_is_json_and_public_safe(dec2017):
    import json

    from survivors_justice.analytics import ReportOptions, build_report, report_dict

    prepared = prepare_arrests(dec2017)
    data = report_dict(build_report(prepared, ReportOptions(geo=GeoLevel.PRECINCT, public=True)))
    text = json.dumps(data)
    assert data["public"] and data["placement"] is None and data["headlines"]
    assert {s["key"] for s in data["sections"]} >= {"race", "role", "outcome", "income"}
    hidden = [r for s in data["sections"] for r in s["rows"] if r["suppressed"]]
    assert hidden and all(r["count"] is None for r in hidden)
    assert json.loads(text) == data
    keys = {k for s in data["sections"] for r in s["rows"] for k in r} | {
        k for r in data["rows"] for k in r}
    assert not keys & {"arrest_key", "arrest_date", "lat", "lon", "latitude", "longitude"}
