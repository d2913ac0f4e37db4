"""The command's other outputs: the terminal table, CSV, chart files and clear errors."""

from __future__ import annotations

import csv
import io

import polars as pl
from typer.testing import CliRunner

from survivors_justice.analytics.cli import app
from survivors_justice.analytics.groups import Dimension, GeoLevel
from survivors_justice.analytics.measures import MIN_POPULATION, disparity_table
from survivors_justice.analytics.report import prepare_arrests


def test_table_and_csv_agree(dec2017, tmp_path, cli):
    out = cli("disparities", str(dec2017), "--by", "race", "--no-screen")
    assert "Black (non-Hispanic)" in out and "160" in out
    path = tmp_path / "rows.csv"
    cli("disparities", str(dec2017), "--by", "race", "--no-screen", "--format", "csv", "-o",
        str(path))
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert {r["group"]: int(r["count"]) for r in rows}["black"] == 66
    assert all(r["period"] == "2017-12" for r in rows)


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
