"""Reference data: census denominators, neighbourhood income and boundaries (data/reference/).

Every loader is cached; the files are the real public files documented in
``data/reference/README.md``. Set ``SJ_DATA_DIR`` to read them from another data directory.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import polars as pl
import shapely
from shapely import STRtree

from survivors_justice.analytics.errors import ReferenceDataError
from survivors_justice.analytics.groups import ALL, RACE_GROUPS, TOTAL_COLUMN

BOROUGHS: dict[int, str] = {1: "Manhattan", 2: "Bronx", 3: "Brooklyn", 4: "Queens",
                            5: "Staten Island"}
# NYPD ARREST_BORO letters.
BORO_LETTERS: dict[str, str] = {"M": "Manhattan", "B": "Bronx", "K": "Brooklyn", "Q": "Queens",
                                "S": "Staten Island"}
CITY = "New York City"

CENSUS_SOURCE = "US Census Bureau, 2020 Census redistricting data (PL 94-171), table P2, " \
    "aggregated from blocks to the 77 NYPD precincts"
ACS_SOURCE = "American Community Survey 2012-2016 5-year estimates, NYC Department of City " \
    "Planning Neighborhood Tabulation Area profiles (economic: median household income; " \
    "demographic: total population)"
GEO_SOURCE = "NYC Department of City Planning: 2010 Neighborhood Tabulation Areas and police " \
    "precinct boundaries"


def reference_dir() -> Path:
    """``$SJ_DATA_DIR/reference``, by default ``<repo>/data/reference``."""
    base = os.environ.get("SJ_DATA_DIR")
    root = Path(base) if base else Path(__file__).resolve().parents[3] / "data"
    return root / "reference"


def _path(name: str) -> Path:
    path = reference_dir() / name
    if not path.is_file():
        raise ReferenceDataError(
            f"reference file {path} is missing; copy it from the shared data directory as "
            "data/reference/README.md describes, or point SJ_DATA_DIR at a directory holding it"
        )
    return path


@cache
def precinct_boroughs() -> pl.DataFrame:
    """One row per precinct: ``precinct`` (Int32), ``borough`` (name)."""
    frame = pl.read_csv(_path("precinct-borough.csv"))
    return frame.select(
        pl.col("Precinct").cast(pl.Int32).alias("precinct"),
        pl.col("BoroCode").replace_strict(BOROUGHS, return_dtype=pl.Utf8).alias("borough"),
    ).sort("precinct")


@cache
def precinct_race_population() -> pl.DataFrame:
    """Residents per precinct and race group (2020 census P2), with the total as group ``all``.

    Columns: ``precinct`` (Int32), ``borough``, ``group``, ``population`` (Int64). Groups with no
    census match (other, unknown) are absent: they have no denominator.
    """
    census = pl.read_csv(_path("precinct-population-2020.csv"))
    needed = {TOTAL_COLUMN} | {c for g in RACE_GROUPS for c in g.census_columns}
    missing = needed - set(census.columns)
    if missing:
        raise ReferenceDataError(f"census file lacks columns {sorted(missing)}; it must be the "
                                 "2020 PL 94-171 precinct aggregation with P2 columns")
    parts = [census.select(pl.col("precinct").cast(pl.Int32), pl.lit(ALL).alias("group"),
                           pl.col(TOTAL_COLUMN).cast(pl.Int64).alias("population"))]
    for group in RACE_GROUPS:
        if group.census_columns:
            parts.append(census.select(
                pl.col("precinct").cast(pl.Int32), pl.lit(group.key).alias("group"),
                pl.sum_horizontal([pl.col(c) for c in group.census_columns])
                .cast(pl.Int64).alias("population")))
    long = pl.concat(parts)
    joined = long.join(precinct_boroughs(), on="precinct", how="left")
    if joined["borough"].null_count():
        bad = joined.filter(pl.col("borough").is_null())["precinct"].unique().to_list()
        raise ReferenceDataError(f"precincts {bad} of the census file have no borough in "
                                 "precinct-borough.csv")
    return joined.select("precinct", "borough", "group", "population")


def _num(name: str) -> pl.Expr:
    return pl.col(name).cast(pl.Float64, strict=False)


@cache
def nta_table() -> pl.DataFrame:
    """One row per 2010 NTA: code, name, borough, population, median income and income quintile.

    ``population`` is the ACS 2012-2016 total (``Pop_1E``); ``median_income`` is ``MdHHIncE``.
    Quintiles are population-weighted: NTAs sorted by median household income, each quintile
    holding about a fifth of the city's residents (Q1 lowest). Special areas (codes ending 98/99:
    parks, cemeteries, airports, Rikers Island) get no quintile: their few residents make the
    income estimate meaningless.
    """
    econ = pl.read_csv(_path("nta-econ-2012-2016.csv"), infer_schema_length=0)
    demo = pl.read_csv(_path("nta-demo-2012-2016.csv"), infer_schema_length=0)
    for frame, cols in ((econ, ("GeoID", "GeogName", "Borough", "MdHHIncE")),
                        (demo, ("GeoID", "Pop_1E"))):
        missing = set(cols) - set(frame.columns)
        if missing:
            raise ReferenceDataError(f"ACS NTA profile lacks columns {sorted(missing)}")
    table = econ.select(
        pl.col("GeoID").alias("nta"), pl.col("GeogName").alias("nta_name"),
        pl.col("Borough").str.replace("^The ", "").alias("borough"),
        _num("MdHHIncE").alias("median_income"),
    ).join(demo.select(pl.col("GeoID").alias("nta"), _num("Pop_1E").cast(pl.Int64)
                       .alias("population")), on="nta", how="left")
    special = pl.col("nta").str.contains("9[89]$")
    ranked = (
        table.filter(~special & pl.col("median_income").is_not_null()
                     & (pl.col("population") > 0))
        .sort("median_income")
        .with_columns(cum=pl.col("population").cum_sum())
    )
    total = float(ranked["population"].sum())
    ranked = ranked.with_columns(
        income_quintile=pl.format(
            "Q{}",
            (((pl.col("cum") - pl.col("population") / 2) / total * 5).floor().cast(pl.Int32) + 1)
            .clip(1, 5)))
    return (table.join(ranked.select("nta", "income_quintile"), on="nta", how="left")
            .with_columns(pl.col("income_quintile").fill_null("no_estimate"))
            .sort("nta"))


@cache
def nta_race_population() -> pl.DataFrame:
    """Residents per NTA and race group (ACS 2012-2016 demographic profile), ``all`` = total.

    Columns: ``nta``, ``group``, ``population`` (Int64).
    """
    demo = pl.read_csv(_path("nta-demo-2012-2016.csv"), infer_schema_length=0)
    needed = {"GeoID", "Pop_1E"} | {c for g in RACE_GROUPS for c in g.acs_columns}
    missing = needed - set(demo.columns)
    if missing:
        raise ReferenceDataError(f"ACS NTA demographic profile lacks columns {sorted(missing)}")
    parts = [demo.select(pl.col("GeoID").alias("nta"), pl.lit(ALL).alias("group"),
                         _num("Pop_1E").cast(pl.Int64).alias("population"))]
    for group in RACE_GROUPS:
        if group.acs_columns:
            parts.append(demo.select(
                pl.col("GeoID").alias("nta"), pl.lit(group.key).alias("group"),
                pl.sum_horizontal([_num(c) for c in group.acs_columns]).cast(pl.Int64)
                .alias("population")))
    return pl.concat(parts)


@dataclass(frozen=True)
class Polygons:
    """Boundaries with a spatial index: ``keys[i]`` names ``geometries[i]``."""

    keys: tuple[str, ...]
    geometries: np.ndarray  # object array of shapely geometries (WGS84 lon/lat)
    tree: STRtree


def _load_polygons(name: str, key: str) -> Polygons:
    with _path(name).open(encoding="utf-8") as handle:
        data = json.load(handle)
    try:
        feats = data["features"]
        keys = tuple(str(f["properties"][key]) for f in feats)
        geoms = shapely.from_geojson([json.dumps(f["geometry"]) for f in feats])
    except (KeyError, TypeError) as exc:
        raise ReferenceDataError(f"{name} is not GeoJSON with a {key!r} property: {exc}") from exc
    geoms = np.asarray(geoms, dtype=object)
    shapely.prepare(geoms)
    return Polygons(keys, geoms, STRtree(geoms))


@cache
def nta_polygons() -> Polygons:
    """The 195 NTA (2010) boundaries keyed by ``ntacode``."""
    return _load_polygons("nta-2010.geojson", "ntacode")


@cache
def precinct_polygons() -> Polygons:
    """The 77 police precinct boundaries keyed by ``precinct`` (as text)."""
    return _load_polygons("precincts.geojson", "precinct")
