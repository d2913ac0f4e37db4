"""Neighbourhood placement: point in polygon with a spatial index, vectorized.

Each distinct coordinate is located once (arrests repeat at the same corners), with a shapely 2
STRtree over prepared polygons; the answer is joined back to every arrest. Arrests without usable
coordinates and arrests outside every polygon are counted in a :class:`Placement` and get an
explicit key, never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
import shapely

from survivors_justice.analytics.reference import Polygons, nta_polygons, nta_table

NO_COORDINATES = "no_coordinates"
OUTSIDE = "outside_all_polygons"


@dataclass(frozen=True, slots=True)
class Placement:
    """How many arrests were placed, had no coordinates, or fell outside every polygon."""

    total: int
    placed: int
    no_coordinates: int
    outside: int

    def as_dict(self) -> dict[str, int]:
        return {"total": self.total, "placed": self.placed,
                "no_coordinates": self.no_coordinates, "outside": self.outside}


def locate(lon: np.ndarray, lat: np.ndarray, polygons: Polygons) -> np.ndarray:
    """Index into ``polygons.keys`` of the polygon holding each point, -1 when none.

    A point on a shared boundary goes to the polygon listed first, so each point lands once.
    """
    points = shapely.points(lon, lat)
    point_idx, poly_idx = polygons.tree.query(points, predicate="intersects")
    out = np.full(len(lon), -1, dtype=np.int64)
    # Write in reverse so the first (lowest) polygon index wins for boundary points.
    order = np.lexsort((-poly_idx, point_idx))
    out[point_idx[order]] = poly_idx[order]
    return out


def placement_lookup(frame: pl.LazyFrame | pl.DataFrame, polygons: Polygons | None = None,
                     key: str = "nta") -> tuple[pl.DataFrame, Placement]:
    """One row per distinct coordinate (``lon``, ``lat``) with its polygon ``key``, and the
    placement counts of all rows (null coordinates included)."""
    polygons = polygons or nta_polygons()
    coords = (frame.lazy().select("lon", "lat")
              .group_by("lon", "lat").agg(pl.len().alias("n")).collect())
    with_xy = coords.filter(pl.col("lon").is_not_null() & pl.col("lat").is_not_null())
    idx = locate(with_xy["lon"].to_numpy(), with_xy["lat"].to_numpy(), polygons)
    keys = np.asarray((*polygons.keys, OUTSIDE), dtype=object)
    located = with_xy.with_columns(pl.Series(key, keys[idx], dtype=pl.Utf8))
    total = int(coords["n"].sum())
    no_xy = total - int(with_xy["n"].sum())
    outside = int(located.filter(pl.col(key) == OUTSIDE)["n"].sum())
    placement = Placement(total=total, placed=total - no_xy - outside, no_coordinates=no_xy,
                          outside=outside)
    return located.select("lon", "lat", key), placement


def place(frame: pl.LazyFrame | pl.DataFrame, polygons: Polygons | None = None,
          key: str = "nta") -> tuple[pl.LazyFrame, Placement]:
    """Add column ``key`` (polygon key, or ``no_coordinates`` / ``outside_all_polygons``).

    Reads ``lon``/``lat`` of the cleaned frame. Returns the frame (lazy, joined on the distinct
    coordinates) and the placement counts.
    """
    lookup, placement = placement_lookup(frame, polygons, key)
    out = (frame.lazy().join(lookup.lazy(), on=["lon", "lat"], how="left",
                             maintain_order="left")
           .with_columns(pl.col(key).fill_null(NO_COORDINATES)))
    return out, placement


def income_lookup() -> pl.DataFrame:
    """``nta`` -> ``income_quintile`` (see ``reference.nta_table``)."""
    return nta_table().select("nta", "income_quintile")


def add_income_quintile(frame: pl.LazyFrame) -> pl.LazyFrame:
    """Add ``income_quintile`` from the placed ``nta`` column (``not_placed`` when unplaced)."""
    return (frame.join(income_lookup().lazy(), on="nta", how="left", maintain_order="left")
            .with_columns(pl.col("income_quintile").fill_null("not_placed")))
