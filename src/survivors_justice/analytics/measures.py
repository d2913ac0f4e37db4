"""Counts, shares, rates per 100,000 and the relative rate index (RRI) with its 95% CI.

Method (written into every report, see :data:`METHODS`):

* rate per 100,000 = arrests of the group / residents of the group x 100,000;
* RRI = rate of the group / rate of the reference group, in the same place and stratum;
* 95% confidence interval by the log method: exp(ln RRI ± 1.96 x √(1/a + 1/b)), a and b the two
  arrest counts (Poisson counts; census populations are taken as fixed);
* a figure is *unstable* when either count is under the minimum (default 20, the National Center
  for Health Statistics rule for rates), or the RRI cannot be computed.
"""

from __future__ import annotations

import math

import polars as pl

from survivors_justice.analytics.defaults import MIN_COUNT
from survivors_justice.analytics.errors import UnknownGroupError
from survivors_justice.analytics.groups import (
    ALL,
    COLUMN,
    DEFAULT_REFERENCE,
    GROUPS,
    Dimension,
    GeoLevel,
    group_label,
)
from survivors_justice.analytics.reference import (
    BOROUGHS,
    CITY,
    nta_race_population,
    nta_table,
    precinct_boroughs,
    precinct_race_population,
)
from survivors_justice.analytics.source import require_column

MIN_POPULATION = 1_000  # no rate over fewer residents: parks, airports, tiny groups
Z95 = 1.959963984540054
PER = 100_000

METHODS: tuple[str, ...] = (
    "Rate per 100,000 residents: arrests of the group divided by the group's residents (2020 "
    "census for the city, boroughs and precincts; ACS 2012-2016 estimates for neighbourhoods and "
    "income quintiles, which carry sampling error of their own), times 100,000.",
    "Relative rate index (RRI): the group's rate divided by the reference group's rate in the "
    "same place. An RRI of 3 means three times the reference group's rate.",
    "95% confidence interval of the RRI by the log method: exp(ln RRI ± 1.96 x √(1/a + 1/b)), "
    "where a and b are the two groups' arrest counts; census populations are taken as exact.",
    f"A figure is marked unstable when either count is under the minimum count (default "
    f"{MIN_COUNT}, the National Center for Health Statistics rule for reliable rates); read it "
    "as a direction, not a size.",
    f"No rate is given over fewer than {MIN_POPULATION:,} residents (parks, cemeteries, airports "
    "and small groups within a neighbourhood or precinct): a handful of arrests would look like "
    "an enormous rate.",
    "Neighbourhood (NTA) of an arrest: the 2010 Neighborhood Tabulation Area whose boundary holds "
    "the arrest's latitude/longitude; arrests without coordinates or outside every boundary are "
    "counted and reported as such.",
    "Income quintile: NTAs ranked by ACS 2012-2016 median household income and cut into five "
    "groups of about equal population (Q1 lowest income).",
)

GEO_COLUMN = "geo"
WEIGHT = "arrests"  # when present, each row stands for this many arrests (a pre-aggregated cube)
OUTPUT_COLUMNS: tuple[str, ...] = (
    "geo_level", "geo", "geo_name", "stratum", "group", "group_label", "count", "share",
    "population", "rate_per_100k", "reference", "rri", "rri_ci_low", "rri_ci_high", "unstable",
)


def _geo_expr(geo: GeoLevel) -> pl.Expr:
    if geo is GeoLevel.CITY:
        return pl.lit(CITY)
    if geo is GeoLevel.BOROUGH:
        return pl.col("borough").fill_null("unknown")
    if geo is GeoLevel.PRECINCT:
        return pl.col("precinct").cast(pl.Utf8).fill_null("unknown")
    return pl.col("nta")


def geo_values(geo: GeoLevel) -> list[str]:
    """Every place of a geography, in report order (places with no arrests still get rows)."""
    if geo is GeoLevel.CITY:
        return [CITY]
    if geo is GeoLevel.BOROUGH:
        return sorted(BOROUGHS.values())
    if geo is GeoLevel.PRECINCT:
        return [str(p) for p in precinct_boroughs()["precinct"].to_list()]
    return nta_table()["nta"].to_list()


def geo_names(geo: GeoLevel) -> dict[str, str]:
    if geo is GeoLevel.PRECINCT:
        return {str(p): f"Precinct {p} ({b})" for p, b in precinct_boroughs().iter_rows()}
    if geo is GeoLevel.NTA:
        return {n: f"{name} ({b})" for n, name, b in
                nta_table().select("nta", "nta_name", "borough").iter_rows()}
    return {}


def population_frame(geo: GeoLevel, by: Dimension) -> pl.DataFrame:
    """Residents per place and group: ``geo``, ``group``, ``population`` (group ``all`` = total).

    Groups without a denominator for this geography are absent (their rates stay empty).
    """
    census = precinct_race_population().with_columns(
        geo=_geo_expr(geo) if geo is not GeoLevel.NTA else pl.lit(None, pl.Utf8))
    parts: list[pl.DataFrame] = []
    if geo is GeoLevel.NTA:
        frame = nta_race_population().rename({"nta": "geo"})
        if by is not Dimension.RACE:
            frame = frame.filter(pl.col("group") == ALL)
        parts.append(frame)
    else:
        groups = [ALL] if by is not Dimension.RACE else None
        frame = census if groups is None else census.filter(pl.col("group").is_in(groups))
        parts.append(frame.group_by("geo", "group").agg(pl.col("population").sum()))
    if by is Dimension.INCOME_QUINTILE and geo is not GeoLevel.PRECINCT:
        nta = nta_table().with_columns(
            geo=pl.lit(CITY) if geo is GeoLevel.CITY else
            (pl.col("borough") if geo is GeoLevel.BOROUGH else pl.col("nta")))
        parts.append(nta.group_by("geo", pl.col("income_quintile").alias("group"))
                     .agg(pl.col("population").sum()))
    return pl.concat([p.select("geo", "group", pl.col("population").cast(pl.Int64))
                      for p in parts])


def log_ci(a: int, b: int, rri: float) -> tuple[float, float] | tuple[None, None]:
    """95% CI of a rate ratio by the log method, from the two counts."""
    if a <= 0 or b <= 0 or rri <= 0:
        return (None, None)
    se = math.sqrt(1.0 / a + 1.0 / b)
    return (rri * math.exp(-Z95 * se), rri * math.exp(Z95 * se))


def disparity_table(
    arrests: pl.LazyFrame | pl.DataFrame,
    *,
    geo: GeoLevel = GeoLevel.CITY,
    by: Dimension = Dimension.RACE,
    within: Dimension | None = None,
    reference: str | None = None,
    min_count: int = MIN_COUNT,
) -> pl.DataFrame:
    """The disparity rows of ``arrests`` (a cleaned frame: :func:`source.clean_arrests`, placed
    with :func:`geo.place` for NTA or income figures).

    One row per place x stratum x group, plus a group ``all`` row per place and stratum; places
    and groups with no arrests get rows with count 0. Columns: :data:`OUTPUT_COLUMNS`.
    """
    lazy = arrests.lazy()
    by_col = COLUMN[by]
    require_column(lazy, by_col, _hint(by))
    keys = [pl.col(by_col).fill_null("unknown").alias("group")]
    if within is not None:
        require_column(lazy, COLUMN[within], _hint(within))
        keys.append(pl.col(COLUMN[within]).fill_null("unknown").alias("stratum"))
    else:
        keys.append(pl.lit(ALL).alias("stratum"))
    if geo is GeoLevel.NTA:
        require_column(lazy, "nta", "place the arrests first with analytics.geo.place()")
    weighted = WEIGHT in lazy.collect_schema().names()
    count = pl.col(WEIGHT).sum() if weighted else pl.len()
    counts = (lazy.group_by(_geo_expr(geo).alias("geo"), *keys)
              .agg(count.cast(pl.Int64).alias("count")).collect())

    ref = reference if reference is not None else DEFAULT_REFERENCE.get(by)
    defined = [g.key for g in GROUPS[by]]
    if ref is not None and ref not in defined:
        raise UnknownGroupError(f"reference group {ref!r} is not a {by.value} group; choose one "
                                f"of {defined}")

    places = geo_values(geo)
    places += sorted(set(counts["geo"].to_list()) - set(places))
    groups = [g for g in defined if g in set(counts["group"].to_list())
              or by in (Dimension.RACE, Dimension.INCOME_QUINTILE)
              or g in (DEFAULT_REFERENCE.get(by), ref)]
    groups += sorted(set(counts["group"].to_list()) - set(defined))
    if within is None:
        strata = [ALL]
    else:
        present = set(counts["stratum"].to_list())
        wdef = [g.key for g in GROUPS[within]]
        strata = [s for s in wdef if s in present] + sorted(present - set(wdef))

    grid = (pl.DataFrame({"geo": places}).join(pl.DataFrame({"stratum": strata}), how="cross")
            .join(pl.DataFrame({"group": [ALL, *groups]}), how="cross"))
    totals = counts.group_by("geo", "stratum").agg(pl.col("count").sum()).with_columns(
        group=pl.lit(ALL))
    full = pl.concat([counts, totals.select(counts.columns)])
    table = (grid.join(full, on=["geo", "stratum", "group"], how="left")
             .with_columns(pl.col("count").fill_null(0))
             .join(population_frame(geo, by), on=["geo", "group"], how="left"))
    table = table.with_columns(
        share=pl.col("count") / pl.col("count").filter(pl.col("group") == ALL).first()
        .over("geo", "stratum"),
        rate_per_100k=pl.when(pl.col("population") >= MIN_POPULATION)
        .then(pl.col("count") / pl.col("population") * PER),
    )
    if ref is not None:
        refs = table.filter(pl.col("group") == ref).select(
            "geo", "stratum", pl.col("count").alias("_ref_count"),
            pl.col("rate_per_100k").alias("_ref_rate"))
        table = table.join(refs, on=["geo", "stratum"], how="left")
    else:
        table = table.with_columns(_ref_count=pl.lit(None, pl.Int64),
                                   _ref_rate=pl.lit(None, pl.Float64))
    is_group = pl.col("group") != ALL
    table = table.with_columns(
        rri=pl.when(is_group & (pl.col("_ref_rate") > 0) & pl.col("rate_per_100k").is_not_null())
        .then(pl.col("rate_per_100k") / pl.col("_ref_rate")),
    )
    se = (1.0 / pl.col("count") + 1.0 / pl.col("_ref_count")).sqrt()
    ok = (pl.col("rri") > 0) & (pl.col("_ref_count") > 0) & (pl.col("group") != pl.lit(ref or ""))
    table = table.with_columns(
        rri_ci_low=pl.when(ok).then(pl.col("rri") * (-Z95 * se).exp()),
        rri_ci_high=pl.when(ok).then(pl.col("rri") * (Z95 * se).exp()),
        # Unstable: the figure rests on fewer arrests than the minimum (the group's own count,
        # and the reference group's when a rate ratio is shown).
        unstable=(pl.col("count") < min_count)
        | (pl.col("rri").is_not_null() & (pl.col("_ref_count").fill_null(0) < min_count)),
        reference=pl.lit(ref, pl.Utf8),
        geo_level=pl.lit(geo.value),
    )
    names = geo_names(geo)
    order = {g: i for i, g in enumerate([ALL, *groups])}
    porder = {p: i for i, p in enumerate(places)}
    sorder = {s: i for i, s in enumerate(strata)}
    table = (table.with_columns(
        geo_name=pl.col("geo").replace_strict(names, default=pl.col("geo"), return_dtype=pl.Utf8),
        group_label=pl.col("group").map_elements(lambda k: group_label(by, k),
                                                 return_dtype=pl.Utf8),
        _o1=pl.col("geo").replace_strict(porder, return_dtype=pl.Int64),
        _o2=pl.col("stratum").replace_strict(sorder, return_dtype=pl.Int64),
        _o3=pl.col("group").replace_strict(order, return_dtype=pl.Int64),
    ).sort("_o1", "_o2", "_o3"))
    return table.select(OUTPUT_COLUMNS)


def _hint(dim: Dimension) -> str:
    if dim is Dimension.OUTCOME_PROPOSAL:
        return "screen the arrests under a proposal too (prepare_arrests(..., proposal=PATH))"
    if dim is Dimension.PERIOD:
        return "add the period first (prepare_arrests(..., effective_from=DATE))"
    if dim is Dimension.OUTCOME:
        return ("screen the arrests with the policy engine first (policy.screen_frame) or give "
                "a frame with an 'outcome' column")
    if dim is Dimension.ROLE:
        return "resolve the charges first with analytics.offenses.add_roles()"
    if dim is Dimension.INCOME_QUINTILE:
        return "place the arrests first with analytics.geo.place() and geo.add_income_quintile()"
    if dim in (Dimension.SEXUAL_ORIENTATION, Dimension.GENDER_IDENTITY):
        return ("sexual orientation and gender identity are recorded only for cases in the "
                "store; feed store rows through source.clean_arrests()")
    return "give a frame cleaned by source.clean_arrests()"
