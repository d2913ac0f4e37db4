"""Neighbourhood placement: the vectorized STRtree lookup against a plain loop, on real data."""

from __future__ import annotations

import numpy as np
import polars as pl
import shapely

from survivors_justice.analytics import geo
from survivors_justice.analytics.reference import nta_polygons, nta_table
from survivors_justice.analytics.source import clean_arrests, scan_arrests_csv


def test_vectorized_placement_matches_a_plain_loop(dec2017):
    frame = clean_arrests(scan_arrests_csv(dec2017)).select("lon", "lat").unique().collect()
    lon, lat = frame["lon"].to_numpy(), frame["lat"].to_numpy()
    polys = nta_polygons()
    fast = geo.locate(lon, lat, polys)
    slow = np.full(len(lon), -1)
    for i, (x, y) in enumerate(zip(lon, lat, strict=True)):
        point = shapely.Point(x, y)
        for j, poly in enumerate(polys.geometries):
            if poly.intersects(point):
                slow[i] = j
                break
    assert (fast == slow).all()
    assert (fast >= 0).mean() > 0.99  # real NYPD coordinates fall in the city's NTAs


def test_unplaced_arrests_are_counted_not_dropped():
    rows = pl.DataFrame({
        "ARREST_DATE": ["12/01/2017"] * 4,
        "PD_CD": ["", "", "", ""],
        "LAW_CODE": ["PL 2300000"] * 4,
        "ARREST_BORO": ["Q", "Q", "M", "K"],
        "ARREST_PRECINCT": ["109", "109", "14", "60"],
        "AGE_GROUP": ["25-44"] * 4,
        "PERP_SEX": ["F"] * 4,
        "PERP_RACE": ["ASIAN/PAC.ISL"] * 4,
        # Flushing; no coordinates; (0, 0) recording error; the Atlantic off Rockaway
        "Latitude": ["40.7596", "", "0", "40.50"],
        "Longitude": ["-73.8303", "", "0", "-73.70"],
    })
    placed, placement = geo.place(clean_arrests(rows))
    out = placed.collect()
    assert placement.as_dict() == {"total": 4, "placed": 1, "no_coordinates": 2, "outside": 1}
    assert out.height == 4
    flushing = out["nta"][0]
    assert nta_table().filter(pl.col("nta") == flushing)["nta_name"][0].startswith("Flushing")
    assert out["nta"].to_list()[1:] == [geo.NO_COORDINATES, geo.NO_COORDINATES, geo.OUTSIDE]
    quintiles = geo.add_income_quintile(placed).collect()["income_quintile"].to_list()
    assert quintiles[0].startswith("Q") and quintiles[1:] == ["not_placed"] * 3
