"""Try to narrow down suppressed cells of the public export from everything it publishes.

The attacker knows every published count and every total (each place's total, each borough's
and the city's), and every bound a reader can know: zeros are shown, so a suppressed count is at
least 1; and it is at most any published total it adds up into. It solves for the hidden counts
with linear programming (scipy's HiGHS, see ``attacker.py``).

Protection rule under test: every suppressed count's feasible range is at least as wide as the
threshold (largest minus smallest possible value >= 11 by default). A range such as [7, 9] is
a disclosure even though it is not a single value. The attack is first shown to work (primary
suppression alone leaks), then shown to fail on the real export.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.analytics.attacker import ranges as feasible_ranges
from tests.analytics.attacker import too_narrow

from survivors_justice.analytics.suppression import build_cube, suppress

THRESHOLD = 11  # the default threshold; the protection width the rule promises

Cell = tuple[str, str, str, str]  # level, geo, stratum, group


def _parents(reference: Path) -> dict[str, str]:
    """Place -> borough name, read straight from the reference files."""
    names = {"1": "Manhattan", "2": "Bronx", "3": "Brooklyn", "4": "Queens", "5": "Staten Island"}
    out: dict[str, str] = {}
    with (reference / "precinct-borough.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            out[row["Precinct"]] = names[row["BoroCode"]]
    with (reference / "nta-econ-2012-2016.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            out[row["GeoID"]] = row["Borough"].removeprefix("The ")
    return out


def equations(rows: list[dict[str, Any]], parents: dict[str, str]) -> list[tuple[Cell, list[Cell]]]:
    """Every total the published rows imply: (total cell, the cells that add up to it)."""
    cells = {(r["geo_level"], r["geo"], r["stratum"], r["group"]) for r in rows}
    eqs: list[tuple[Cell, list[Cell]]] = []
    by_place: dict[tuple[str, str, str], list[Cell]] = defaultdict(list)
    by_group: dict[tuple[str, str, str], list[Cell]] = defaultdict(list)
    for c in cells:
        if c[3] != "all":
            by_place[(c[0], c[1], c[2])].append(c)
        if c[2] != "all":
            by_group[(c[0], c[1], c[3])].append(c)
    for (level, geo, stratum), kids in by_place.items():
        eqs.append(((level, geo, stratum, "all"), kids))
    for (level, geo, group), kids in by_group.items():
        if (level, geo, "all", group) in cells:
            eqs.append(((level, geo, "all", group), kids))
    levels = {c[0] for c in cells}
    boroughs = {c[1] for c in cells if c[0] == "borough"}
    children: dict[Cell, list[Cell]] = defaultdict(list)
    for c in cells:
        if c[0] in ("precinct", "nta"):
            b = parents.get(c[1])
            parent_level, parent_geo = (("borough", b) if b in boroughs
                                        else ("borough", "unknown") if "unknown" in boroughs
                                        else ("city", "New York City"))
            children[(parent_level, parent_geo, c[2], c[3])].append(c)
        elif c[0] == "borough" and "city" in levels:
            children[("city", "New York City", c[2], c[3])].append(c)
    eqs += list(children.items())
    return eqs


def attack(rows: list[dict[str, Any]], parents: dict[str, str],
           hidden_key: str = "suppressed") -> dict[Cell, tuple[float, float]]:
    """The feasible range of every hidden count, by linear programming with the reader's
    bounds (at least 1, at most any published total containing it)."""
    value = {(r["geo_level"], r["geo"], r["stratum"], r["group"]): r for r in rows}
    hidden = {c for c, r in value.items() if r[hidden_key]}
    counts = {c: (None if c in hidden else r["count"]) for c, r in value.items()}
    found = feasible_ranges(counts, hidden, equations(rows, parents))
    return {c: found[c] for c in hidden}  # type: ignore[index]


def _public(report_json, dec2017: Path, *args: str) -> list[dict[str, Any]]:
    return report_json(str(dec2017), *args, "--public", "--no-screen")


@pytest.mark.parametrize("args", [
    ("--geo", "precinct", "--by", "race"),
    ("--geo", "nta", "--by", "race"),
    ("--geo", "borough", "--by", "age_group", "--within", "sex"),
    ("--geo", "city", "--by", "race", "--within", "role"),
])
def test_suppressed_cells_cannot_be_recovered(report_json, dec2017, reference_dir, args):
    rows = _public(report_json, dec2017, *args)
    hidden = [r for r in rows if r["suppressed"]]
    assert hidden, "the December 2017 export must have small cells to protect"
    assert all(r["count"] is None and r["rate_per_100k"] is None and r["share"] is None
               for r in hidden)
    assert any(r["count"] == 0 for r in rows), "zeros are shown, so hidden counts are >= 1"
    ranges = attack(rows, _parents(reference_dir))
    narrow = too_narrow(ranges, THRESHOLD)
    assert not narrow, f"narrowed to less than the protection width: {narrow}"


def test_attack_recovers_cells_when_only_small_cells_are_hidden(report_json, dec2017,
                                                               reference_dir):
    """The attack has teeth: hiding only the small counts (no complementary cells) leaks."""
    rows = report_json(str(dec2017), "--geo", "precinct", "--no-screen")
    rows += list(report_json(str(dec2017), "--geo", "borough", "--no-screen"))
    rows += list(report_json(str(dec2017), "--geo", "city", "--no-screen"))
    for r in rows:
        r["primary_only"] = 0 < r["count"] < 11
    ranges = attack(rows, _parents(reference_dir), hidden_key="primary_only")
    truth = {(r["geo_level"], r["geo"], r["stratum"], r["group"]): r["count"] for r in rows}
    pinned = [c for c, (lo, hi) in ranges.items() if hi - lo < 1e-6]
    assert pinned, "primary suppression alone should leak on this table"
    assert all(ranges[c][0] == pytest.approx(truth[c]) for c in pinned)


def test_rates_and_ratios_never_reveal_a_suppressed_count(report_json, dec2017):
    rows = _public(report_json, dec2017, "--geo", "precinct")
    hidden = {(r["geo_level"], r["geo"], r["stratum"], r["group"]) for r in rows
              if r["suppressed"]}
    for r in rows:
        ref_hidden = (r["geo_level"], r["geo"], r["stratum"], r["reference"]) in hidden
        if r["suppressed"] or ref_hidden:
            assert r["rri"] is None and r["rri_ci_low"] is None and r["rri_ci_high"] is None
        total_hidden = (r["geo_level"], r["geo"], r["stratum"], "all") in hidden
        if total_hidden:
            assert r["share"] is None


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.integers(0, 30), min_size=3, max_size=3), min_size=2, max_size=5),
       st.lists(st.lists(st.integers(0, 30), min_size=3, max_size=3), min_size=1, max_size=4))
def test_random_tables_are_protected(left, right):
    """Any two-borough table: after suppression no hidden count is pinned down."""
    rows = []
    parents = {}
    for borough, block in (("A", left), ("B", right)):
        for i, counts in enumerate(block):
            geo = f"{borough}{i}"
            parents[geo] = borough
            rows += [("p", geo, g, c) for g, c in zip("xyz", counts, strict=True)]
            rows.append(("p", geo, "all", sum(counts)))
    frame = pl.DataFrame(rows, schema=["level", "geo", "group", "count"], orient="row")
    for level, parent_geo, sub in (("b", "A", "A"), ("b", "B", "B")):
        part = (frame.filter(pl.col("geo").str.starts_with(sub))
                .group_by("group").agg(pl.col("count").sum())
                .with_columns(level=pl.lit(level), geo=pl.lit(parent_geo)))
        frame = pl.concat([frame, part.select(frame.columns)])
    city = (frame.filter(pl.col("level") == "b").group_by("group").agg(pl.col("count").sum())
            .with_columns(level=pl.lit("c"), geo=pl.lit("New York City")))
    frame = pl.concat([frame, city.select(frame.columns)]).with_columns(stratum=pl.lit("all"))
    cells = frame.with_columns(geo=pl.col("level") + ":" + pl.col("geo"))
    parent_map = {f"p:{k}": f"b:{v}" for k, v in parents.items()}
    parent_map.update({"b:A": "c:New York City", "b:B": "c:New York City"})
    cube = build_cube(cells.select("geo", "stratum", "group", "count"), parent_map)
    hidden = suppress(cube, threshold=11)
    counts = cube.counts
    assert all(hidden[i] for i in range(len(counts)) if 0 < counts[i] < 11)
    level_name = {"p": "precinct", "b": "borough", "c": "city"}
    published = [{"geo_level": level_name[k[0].split(":")[0]], "geo": k[0].split(":", 1)[1],
                  "stratum": k[1], "group": k[2], "count": int(v), "suppressed": bool(h)}
                 for k, v, h in zip(cube.keys, counts, hidden, strict=True)]
    ranges = attack(published, parents)
    assert not too_narrow(ranges, THRESHOLD), ranges


@pytest.mark.slow
def test_eleven_years_of_queens_by_precinct_age_and_sex_cannot_be_recovered(
        reference_dir, dec2017, tmp_path):
    """A big, sparse table: Queens' precincts x 6 age groups x sex, 2006-2016 (one county, the
    office's own, keeps the run to the suite's budget; the rule is the same for every county)."""
    from survivors_justice.analytics.groups import Dimension, GeoLevel
    from survivors_justice.analytics.report import prepare_arrests, public_table

    history = pl.read_csv(dec2017.parent / "prostitution-arrests-2006-2016.csv",
                          infer_schema_length=0)
    queens = tmp_path / "queens-2006-2016.csv"
    history.filter(pl.col("ARREST_BORO") == "Q").write_csv(queens)
    prepared = prepare_arrests(queens, screen=False)
    rows = public_table(prepared.cube, geo=GeoLevel.PRECINCT, by=Dimension.AGE_GROUP,
                        within=Dimension.SEX).to_dicts()
    assert sum(r["suppressed"] for r in rows) > 50
    ranges = attack(rows, _parents(reference_dir))
    assert not too_narrow(ranges, THRESHOLD)


def _key(row: dict[str, Any], by: str, within: str | None) -> tuple[str, str, str]:
    conds = [] if row["group"] == "all" else [f"{by}={row['group']}"]
    if within and row["stratum"] != "all":
        conds.append(f"{within}={row['stratum']}")
    return (row["geo_level"], row["geo"], ";".join(sorted(conds)))


def joint_attack(tables: list[tuple[list[dict[str, Any]], str, str | None]],
                 parents: dict[str, str]) -> dict[tuple[str, str, str], tuple[float, float]]:
    """The LP attack on several tables published together: a cell shown in two tables is one
    unknown, and every table's totals are equations."""
    value: dict[tuple[str, str, str], dict[str, Any]] = {}
    eqs: list[tuple[tuple[str, str, str], list[tuple[str, str, str]]]] = []
    for rows, by, within in tables:
        by_cell = {(r["geo_level"], r["geo"], r["stratum"], r["group"]): r for r in rows}
        for r in rows:
            key = _key(r, by, within)
            if key in value:  # the same figure must be shown the same way everywhere
                assert value[key]["suppressed"] == r["suppressed"], key
                assert value[key]["count"] == r["count"], key
            value[key] = r
        for total, kids in equations(rows, parents):
            if total not in by_cell:  # a partial table (one level): its totals are elsewhere
                continue
            eqs.append((_key(by_cell[total], by, within),
                        [_key(by_cell[k], by, within) for k in kids]))
    hidden = {k for k, r in value.items() if r["suppressed"]}
    counts = {k: (None if k in hidden else r["count"]) for k, r in value.items()}
    found = feasible_ranges(counts, hidden, eqs)
    return {k: found[k] for k in hidden}  # type: ignore[index]


def test_a_whole_public_report_resists_a_joint_attack(dec2017, reference_dir):
    """Every table of one public report (the requested one, each section, the map) together."""
    from survivors_justice.analytics.groups import GeoLevel
    from survivors_justice.analytics.report import ReportOptions, build_report, prepare_arrests

    report = build_report(prepare_arrests(dec2017),
                          ReportOptions(geo=GeoLevel.PRECINCT, public=True))
    meaning = {"race": ("race", None), "role": ("race", "role"),
               "outcome": ("race", "outcome"), "income": ("income_quintile", None),
               "borough": ("race", None), "sex": ("sex", None), "age": ("age_group", None),
               "trend": ("month", "year")}
    tables = [(report.rows.to_dicts(), "race", None)]
    tables += [(s.table.to_dicts(), *meaning[s.key]) for s in report.sections]
    assert report.map_rows is not None
    tables.append((report.map_rows.to_dicts(), "race", None))
    ranges = joint_attack(tables, _parents(reference_dir))
    assert len(ranges) > 20
    narrow = too_narrow(ranges, THRESHOLD)
    assert not narrow, narrow


def test_tables_protected_one_at_a_time_would_leak(dec2017, reference_dir):
    """Why a report is protected as a whole: alone, each table hides a different complement, so
    a count hidden in one is printed in another."""
    from survivors_justice.analytics.groups import Dimension, GeoLevel
    from survivors_justice.analytics.report import prepare_arrests, public_table

    cube = prepare_arrests(dec2017).cube
    alone = [
        (public_table(cube, geo=GeoLevel.PRECINCT, by=Dimension.RACE).to_dicts(), "race", None),
        (public_table(cube, geo=GeoLevel.CITY, by=Dimension.RACE, within=Dimension.ROLE)
         .to_dicts(), "race", "role"),
        (public_table(cube, geo=GeoLevel.CITY, by=Dimension.RACE, within=Dimension.OUTCOME)
         .to_dicts(), "race", "outcome"),
    ]
    with pytest.raises(AssertionError):
        narrow = too_narrow(joint_attack(alone, _parents(reference_dir)), THRESHOLD)
        assert not narrow


def test_the_trend_by_month_and_year_resists_the_joint_attack(dec2017, reference_dir, tmp_path):
    """Eleven years of Staten Island, where many months have fewer than 11 arrests: the trend
    (month within year, each year's and each month's total) is published with every other table
    of the report, and no suppressed month can be narrowed."""
    from survivors_justice.analytics.groups import GeoLevel
    from survivors_justice.analytics.report import ReportOptions, build_report, prepare_arrests

    history = pl.read_csv(dec2017.parent / "prostitution-arrests-2006-2016.csv",
                          infer_schema_length=0)
    island = tmp_path / "staten-island-2006-2016.csv"
    raw = history.filter(pl.col("ARREST_BORO") == "S")
    raw.write_csv(island)
    # per month, counted straight from the raw file's ARREST_DATE (MM/DD/YYYY)
    by_month = raw.group_by(pl.col("ARREST_DATE").str.slice(6, 4).alias("year"),
                            pl.col("ARREST_DATE").str.slice(0, 2).alias("month")).len()
    small = by_month.filter(pl.col("len") < THRESHOLD).height
    assert small > 12  # the primary rule has work to do
    report = build_report(prepare_arrests(island), ReportOptions(geo=GeoLevel.CITY, public=True))
    meaning = {"race": ("race", None), "role": ("race", "role"),
               "outcome": ("race", "outcome"), "income": ("income_quintile", None),
               "borough": ("race", None), "sex": ("sex", None), "age": ("age_group", None),
               "trend": ("month", "year")}
    trend = next(s.table for s in report.sections if s.key == "trend").to_dicts()
    shown = {(r["stratum"], r["group"]): r["count"] for r in trend if not r["suppressed"]}
    for year, month, n in by_month.iter_rows():
        if (year, month) in shown:
            assert shown[(year, month)] == n
        else:
            assert n > 0  # zeros are shown, never hidden
    assert sum(r["suppressed"] for r in trend) >= small
    tables = [(report.rows.to_dicts(), "race", None)]
    tables += [(s.table.to_dicts(), *meaning[s.key]) for s in report.sections]
    ranges = joint_attack(tables, _parents(reference_dir))
    trend_hidden = [k for k in ranges if "month=" in k[2] or "year=" in k[2]]
    assert len(trend_hidden) >= small
    narrow = too_narrow(ranges, THRESHOLD)
    assert not narrow, narrow
