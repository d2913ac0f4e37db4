"""A disparity report from arrests to figures: what the CLI and the web dashboard call.

``prepare_arrests`` turns an NYPD CSV path or a store frame into the cleaned, role-resolved,
neighbourhood-placed frame; ``build_report`` computes the requested table and the standing
sections of the HTML report; ``render_*`` write it as text, CSV, JSON or a self-contained HTML page.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

import polars as pl

from survivors_justice.analytics import geo as geo_mod
from survivors_justice.analytics.defaults import DEFAULT_THRESHOLD, MIN_COUNT
from survivors_justice.analytics.errors import MissingColumnError
from survivors_justice.analytics.groups import (
    ALL,
    DEFAULT_REFERENCE,
    Dimension,
    GeoLevel,
    group_label,
)
from survivors_justice.analytics.measures import WEIGHT, disparity_table
from survivors_justice.analytics.offenses import Offenses, role_lookup, select_offenses
from survivors_justice.analytics.outcomes import (
    policy_effective_from,
    policy_label_of,
    screen_outcomes,
)
from survivors_justice.analytics.reference import CITY, nta_table, precinct_boroughs
from survivors_justice.analytics.source import clean_arrests, read_arrests_csv
from survivors_justice.analytics.suppression import (
    Table,
    protect,
    protect_many,
    public_columns,
)

CUBE_DIMENSIONS: tuple[str, ...] = (
    "precinct", "borough", "nta", "race_group", "sex", "age_group", "income_quintile", "role",
    "outcome", "outcome_proposal", "period", "sexual_orientation", "gender_identity",
)
FEW = 5  # groups with fewer arrests get no rate-ratio headline

JSON_COLUMNS: tuple[str, ...] = (
    "geo_level", "geo", "geo_name", "stratum", "group", "group_label", "count", "share",
    "population", "rate_per_100k", "reference", "rri", "rri_ci_low", "rri_ci_high", "unstable",
)


@dataclass(frozen=True)
class Prepared:
    """Cleaned arrests ready for every measure, with how they were placed."""

    frame: pl.DataFrame
    placement: geo_mod.Placement
    source: str
    offenses: Offenses
    outcome_note: str | None = None  # why there are no outcomes, when there are none
    policy_label: str | None = None  # "id version" of the policy that gave ``outcome``
    proposal_label: str | None = None  # the same for ``outcome_proposal``
    effective_from: date | None = None  # splits ``period`` into before / after

    @property
    def cube(self) -> pl.DataFrame:
        """Arrest counts (column ``arrests``) by every dimension a report reads: the tables are
        sums over this, so a report costs one pass over the rows however many tables it has."""
        cached = self.__dict__.get("_cube")
        if cached is None:
            dims = [c for c in CUBE_DIMENSIONS if c in self.frame.columns]
            cached = self.frame.group_by(dims).agg(pl.len().cast(pl.Int64).alias(WEIGHT))
            object.__setattr__(self, "_cube", cached)
        return cached

    @property
    def trend_cube(self) -> pl.DataFrame:
        """Arrest counts by year and month of arrest (``year``, ``month`` 01..12; ``unknown``
        without a date), the trend's own small cube: months are not in :attr:`cube`, which
        would grow a hundredfold with them."""
        cached = self.__dict__.get("_trend_cube")
        if cached is None:
            when = pl.col("arrest_date")
            cached = (self.frame.lazy().select(
                pl.when(when.is_null()).then(pl.lit("unknown"))
                .otherwise(when.dt.year().cast(pl.Utf8)).alias("year"),
                pl.when(when.is_null()).then(pl.lit("unknown"))
                .otherwise(when.dt.strftime("%m")).alias("month"),
                pl.col("borough"))
                .group_by("year", "month", "borough")
                .agg(pl.len().cast(pl.Int64).alias(WEIGHT)).collect())
            object.__setattr__(self, "_trend_cube", cached)
        return cached

    def _months(self) -> tuple[str, str] | None:
        ends = self.frame.select(
            pl.col("arrest_date").min().dt.strftime("%Y-%m").alias("first"),
            pl.col("arrest_date").max().dt.strftime("%Y-%m").alias("last"))
        first, last = ends.row(0)
        if first is None or last is None:
            return None
        return (str(first), str(last))

    @property
    def period_words(self) -> str:
        """The period in words: "December 2017", "January 2006 to December 2016"."""
        months = self._months()
        if months is None:
            return "no dated arrests"
        first, last = (_month_words(m) for m in months)
        return first if first == last else f"{first} to {last}"

    @property
    def period(self) -> str:
        """The period to the month ("2017-12", "2006-01 to 2016-12"): never finer."""
        months = self._months()
        if months is None:
            return "no dated arrests"
        first, last = months
        return first if first == last else f"{first} to {last}"


def _month_words(month: str) -> str:
    names = ["January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December"]
    year, _, number = month.partition("-")
    return f"{names[int(number) - 1]} {year}" if number.isdigit() else month


def prepare_arrests(
    source: str | Path | pl.LazyFrame | pl.DataFrame,
    *,
    offenses: Offenses | str = Offenses.PROSTITUTION,
    policy: str | Path | None = None,
    screen: bool = True,
    proposal: str | Path | None = None,
    effective_from: date | None = None,
) -> Prepared:
    """Read (a CSV path) or take (a Polars frame, e.g. store rows) arrests and prepare them.

    With ``screen`` the policy engine adds ``outcome`` (skipped, with a note, when the frame
    already has one or when the engine cannot screen it). ``proposal`` (a policy document)
    adds ``outcome_proposal``: the same arrests under the proposal. ``period`` splits the arrests
    at ``effective_from`` (default: the current policy's effective date).
    """
    from_file = isinstance(source, str | Path)
    if isinstance(source, str | Path):
        raw = read_arrests_csv(source).lazy()
        label = Path(source).name
    else:
        raw = source.lazy()
        label = "case store"
    note: str | None = None
    policy_label = proposal_label = None
    if proposal is not None:
        raw = screen_outcomes(raw, proposal, column="outcome_proposal")
        proposal_label = policy_label_of(proposal)
    if screen and "outcome" not in raw.collect_schema().names():
        try:
            raw = screen_outcomes(raw, policy)
            policy_label = policy_label_of(policy)
        except MissingColumnError as exc:
            note = str(exc)
    elif not screen:
        note = "not screened (run without --no-screen to add the policy's outcomes)"
    if effective_from is None and (screen or policy is not None):
        found = policy_effective_from(policy)
        effective_from = date.fromisoformat(found) if found else None
    which = Offenses(offenses)
    order: Literal["left", "none"] = "none" if from_file else "left"  # files: only sums matter
    cleaned = clean_arrests(raw, keep_order=not from_file).collect()
    # Small lookups first (one row per distinct charge key / coordinate), then one pass joining
    # them to every arrest.
    roles = role_lookup(cleaned)
    coords, placement_all = geo_mod.placement_lookup(cleaned)
    places = coords.join(geo_mod.income_lookup(), on="nta", how="left")
    lazy = (cleaned.lazy()
            .join(roles.lazy(), on=["law_code", "pd_cd", "arrest_date"], how="left",
                  nulls_equal=True, maintain_order=order))
    lazy = select_offenses(lazy, which)
    lazy = lazy.join(places.lazy(), on=["lon", "lat"], how="left", maintain_order=order)
    period = (pl.when(pl.col("arrest_date") < effective_from).then(pl.lit("before"))
              .when(pl.col("arrest_date").is_not_null()).then(pl.lit("after"))
              .otherwise(pl.lit("unknown")) if effective_from is not None
              else pl.lit("unknown"))
    frame = lazy.with_columns(
        period.alias("period"),
        pl.col("nta").fill_null(geo_mod.NO_COORDINATES),
        pl.when(pl.col("nta").is_null() | (pl.col("nta") == geo_mod.OUTSIDE))
        .then(pl.lit("not_placed")).otherwise(pl.col("income_quintile"))
        .alias("income_quintile"),
    ).collect()
    if which is Offenses.ALL:
        placement = placement_all
    else:
        counts = frame.select(
            (pl.col("nta") == geo_mod.NO_COORDINATES).sum().alias("none"),
            (pl.col("nta") == geo_mod.OUTSIDE).sum().alias("out")).row(0)
        placement = geo_mod.Placement(total=frame.height,
                                      placed=frame.height - counts[0] - counts[1],
                                      no_coordinates=counts[0], outside=counts[1])
    return Prepared(frame=frame, placement=placement, source=label, offenses=which,
                    outcome_note=note, policy_label=policy_label, proposal_label=proposal_label,
                    effective_from=effective_from)


@dataclass(frozen=True)
class ReportOptions:
    geo: GeoLevel = GeoLevel.CITY
    by: Dimension = Dimension.RACE
    within: Dimension | None = None
    reference: str | None = None
    min_count: int = MIN_COUNT
    public: bool = False
    threshold: int = DEFAULT_THRESHOLD


@dataclass
class Section:
    key: str
    title: str
    intro: str
    dimension: Dimension
    table: pl.DataFrame


@dataclass
class DisparityReport:
    options: ReportOptions
    prepared: Prepared
    rows: pl.DataFrame
    sections: list[Section] = field(default_factory=list)
    headlines: list[str] = field(default_factory=list)
    map_level: GeoLevel = GeoLevel.PRECINCT
    map_rows: pl.DataFrame | None = None


def table(prepared: Prepared, options: ReportOptions, *, geo: GeoLevel | None = None,
          by: Dimension | None = None, within: Dimension | None = None,
          use_within: bool = False, cube: pl.DataFrame | None = None) -> pl.DataFrame:
    """One disparity table of the prepared arrests, protected when ``options.public``."""
    g = geo or options.geo
    b = by or options.by
    w = within if use_within else options.within if by is None else within
    ref = options.reference if (by is None or by == options.by) else None
    data = prepared.cube if cube is None else cube
    if options.public:
        return public_table(data, geo=g, by=b, within=w, reference=ref,
                            min_count=options.min_count, threshold=options.threshold)
    return disparity_table(data, geo=g, by=b, within=w, reference=ref,
                           min_count=options.min_count)


def policy_impact(prepared: Prepared, options: ReportOptions | None = None) -> pl.DataFrame:
    """The report's impact rows: race within each outcome, city-wide, under the current policy
    and the proposal, with a ``policy`` column (``current`` / ``proposal``). `build_report`
    publishes exactly these rows as its "impact" section (both go through `_impact_requests`
    and `_impact_frame`)."""
    opts = options or ReportOptions()
    if "outcome_proposal" not in prepared.cube.columns or "outcome" not in prepared.cube.columns:
        raise MissingColumnError("policy impact needs outcomes under both policies; prepare the "
                                 "arrests with screening on and proposal=PATH")
    race_ref = opts.reference if opts.by is Dimension.RACE else None
    return _impact_frame(_compute(prepared, opts, _impact_requests(prepared, race_ref)))


def _impact_requests(prepared: Prepared, race_ref: str | None) -> list[_Request]:
    requests = []
    for label, column in (("current", "outcome"), ("proposal", "outcome_proposal")):
        cube = prepared.cube.drop([c for c in ("outcome", "outcome_proposal")
                                   if c != column]).rename({column: "outcome"})
        requests.append(_Request(f"impact:{label}", GeoLevel.CITY, Dimension.RACE,
                                 Dimension.OUTCOME, race_ref, cube, column))
    return requests


def _impact_frame(done: dict[str, pl.DataFrame]) -> pl.DataFrame:
    return pl.concat([done[f"impact:{label}"]
                      .filter(pl.col("geo_level") == GeoLevel.CITY.value)
                      .with_columns(policy=pl.lit(label))
                      for label in ("current", "proposal")], how="diagonal")


def _parent_boroughs(frame: pl.DataFrame, geo: GeoLevel) -> pl.DataFrame:
    """The frame with ``borough`` set to the borough holding each arrest's ``geo`` place, so that
    places add up exactly to their borough (``unknown`` when the place has no borough)."""
    if geo is GeoLevel.NTA:
        lookup = nta_table().select("nta", pl.col("borough").alias("_b"))
        return (frame.join(lookup, on="nta", how="left")
                .with_columns(borough=pl.col("_b").fill_null("unknown")).drop("_b"))
    if geo is GeoLevel.PRECINCT:
        lookup = precinct_boroughs().rename({"borough": "_b"})
        return (frame.join(lookup, on="precinct", how="left")
                .with_columns(borough=pl.col("_b").fill_null("unknown")).drop("_b"))
    return frame.with_columns(pl.col("borough").fill_null("unknown"))


def public_cells(frame: pl.DataFrame, *, geo: GeoLevel, by: Dimension,
                 within: Dimension | None = None, reference: str | None = None,
                 min_count: int = MIN_COUNT) -> tuple[pl.DataFrame, dict[str, str]]:
    """The table with every total a reader can add up: its places, their boroughs and the city,
    and the totals over strata. ``geo`` holds node keys (``precinct:75``, ``borough:Queens``;
    boroughs made of neighbourhoods are ``borough-nta:Queens``) and ``_geo`` the place; the
    second value maps each node to its parent node."""
    levels = {GeoLevel.CITY: [GeoLevel.CITY],
              GeoLevel.BOROUGH: [GeoLevel.BOROUGH, GeoLevel.CITY]}.get(
        geo, [geo, GeoLevel.BOROUGH, GeoLevel.CITY])
    base = _parent_boroughs(frame, geo)
    borough_key = "borough-nta" if geo is GeoLevel.NTA else GeoLevel.BOROUGH.value
    parts = []
    for level in levels:
        for w in ([within, None] if within is not None else [None]):
            parts.append(disparity_table(base, geo=level, by=by, within=w, reference=reference,
                                         min_count=min_count))
    cells = pl.concat(parts).with_columns(
        _node=pl.when(pl.col("geo_level") == GeoLevel.BOROUGH.value)
        .then(pl.lit(borough_key)).otherwise(pl.col("geo_level")) + pl.lit(":") + pl.col("geo"))
    parent: dict[str, str] = {}
    city = f"{GeoLevel.CITY.value}:{CITY}"
    for level, place in cells.select("geo_level", "geo").unique().iter_rows():
        if level == GeoLevel.BOROUGH.value:
            parent[f"{borough_key}:{place}"] = city
        elif level in (GeoLevel.PRECINCT.value, GeoLevel.NTA.value):
            parent[f"{level}:{place}"] = f"{borough_key}:{_leaf_borough(geo, place)}"
    # Every parent must exist as a node (e.g. "borough:unknown" with zero arrests is absent).
    nodes = set(cells["_node"].to_list())
    for child, par in list(parent.items()):
        if par not in nodes:
            parent[child] = city
    return cells.rename({"geo": "_geo"}).rename({"_node": "geo"}), parent


def _restore(protected: pl.DataFrame) -> pl.DataFrame:
    return protected.drop("geo").rename({"_geo": "geo"}).select([*JSON_COLUMNS, "suppressed"])


def public_table(frame: pl.DataFrame, *, geo: GeoLevel, by: Dimension,
                 within: Dimension | None = None, reference: str | None = None,
                 min_count: int = MIN_COUNT, threshold: int = DEFAULT_THRESHOLD) -> pl.DataFrame:
    """The table with its borough and city totals, suppressed jointly (see ``suppression``).

    Rows of every level are returned (places, then boroughs, then the city) with a
    ``suppressed`` column; suppressed counts and the figures that would reveal them are empty.
    """
    cells, parent = public_cells(frame, geo=geo, by=by, within=within, reference=reference,
                                 min_count=min_count)
    return _restore(protect(cells, parent, threshold))


@dataclass(frozen=True)
class _Request:
    """One table a report publishes."""

    name: str
    geo: GeoLevel
    by: Dimension
    within: Dimension | None = None
    reference: str | None = None
    cube: pl.DataFrame | None = None  # another cube (e.g. outcomes under a proposal)
    within_name: str | None = None  # what the strata mean, when not ``within`` itself


def _compute(prepared: Prepared, opts: ReportOptions,
             requests: list[_Request]) -> dict[str, pl.DataFrame]:
    """Every requested table; in a public report all are suppressed together, so a count
    hidden in one table is never published by another."""
    if not opts.public:
        return {r.name: disparity_table(prepared.cube if r.cube is None else r.cube, geo=r.geo,
                                        by=r.by, within=r.within, reference=r.reference,
                                        min_count=opts.min_count) for r in requests}
    tables: list[Table] = []
    parents: dict[str, str] = {}
    for r in requests:
        cells, parent = public_cells(prepared.cube if r.cube is None else r.cube, geo=r.geo,
                                     by=r.by, within=r.within, reference=r.reference,
                                     min_count=opts.min_count)
        parents.update(parent)
        within_name = r.within_name or (r.within.value if r.within else None)
        tables.append(Table(cells, r.by.value, within_name))
    protected = protect_many(tables, parents, opts.threshold)
    return {r.name: _restore(p) for r, p in zip(requests, protected, strict=True)}


def _leaf_borough(geo: GeoLevel, place: str) -> str:
    if geo is GeoLevel.NTA:
        found = nta_table().filter(pl.col("nta") == place)["borough"]
    else:
        try:
            number = int(place)
        except ValueError:
            return "unknown"
        found = precinct_boroughs().filter(pl.col("precinct") == number)["borough"]
    return str(found[0]) if len(found) else "unknown"


def build_report(prepared: Prepared, options: ReportOptions | None = None) -> DisparityReport:
    """The requested table plus the standing sections and headline findings of the report."""
    opts = options or ReportOptions()
    has_outcome = "outcome" in prepared.frame.columns
    specs: list[tuple[str, str, str, Dimension, Dimension | None, GeoLevel]] = [
        ("race", "Arrest rates by race and ethnicity, New York City",
         "Rates per 100,000 residents of each group, and each group's rate relative to the "
         "reference group.", Dimension.RACE, None, GeoLevel.CITY),
        ("role", "Who was charged with what",
         "Arrests by the role the charge gives the person (from the charge catalog), and the "
         "race breakdown within each role.", Dimension.RACE, Dimension.ROLE, GeoLevel.CITY),
    ]
    if has_outcome:
        specs.append(("outcome", "What the policy does with these arrests",
                      "Each arrest screened by the current policy; the race breakdown within "
                      "each outcome.", Dimension.RACE, Dimension.OUTCOME, GeoLevel.CITY))
    specs += [
        ("income", "Neighbourhood income",
         "Arrests by the median household income of the neighbourhood where they happened "
         "(fifths of the city's residents, Q1 poorest).", Dimension.INCOME_QUINTILE, None,
         GeoLevel.CITY),
        ("borough", "Boroughs", "Rates by race and ethnicity in each borough.",
         Dimension.RACE, None, GeoLevel.BOROUGH),
        ("sex", "Sex", "Arrests by sex as NYPD recorded it (no census denominator is used).",
         Dimension.SEX, None, GeoLevel.CITY),
        ("age", "Age group", "Arrests by age group as NYPD recorded it.",
         Dimension.AGE_GROUP, None, GeoLevel.CITY),
    ]
    for column, title in (("sexual_orientation", "Sexual orientation (self-reported)"),
                          ("gender_identity", "Gender identity (self-reported)")):
        if column in prepared.frame.columns:
            specs.append((column, title, "As the person reported it in the case record; "
                          "\"Not recorded\" is shown as such and never estimated.",
                          Dimension(column), None, GeoLevel.CITY))
    race_ref = opts.reference if opts.by is Dimension.RACE else None
    requests = [_Request("main", opts.geo, opts.by, opts.within, opts.reference)]
    requests += [_Request(key, level, by, within, opts.reference if by is opts.by else None)
                 for key, _, _, by, within, level in specs]
    impact = "outcome_proposal" in prepared.frame.columns and has_outcome
    if impact:
        requests += _impact_requests(prepared, race_ref)
    periods = set(prepared.frame["period"].unique().to_list()) if "period" in \
        prepared.frame.columns else set()
    split = {"before", "after"} <= periods
    if split:
        requests.append(_Request("period", GeoLevel.CITY, Dimension.RACE, Dimension.PERIOD,
                                 race_ref))
    dated = prepared.frame.height > 0 and prepared.frame["arrest_date"].null_count() < \
        prepared.frame.height
    if dated:
        requests.append(_Request("trend", GeoLevel.CITY, Dimension.MONTH, Dimension.YEAR,
                                 None, prepared.trend_cube))
    map_level = GeoLevel.NTA if opts.geo is GeoLevel.NTA else GeoLevel.PRECINCT
    requests.append(_Request("map", map_level, Dimension.RACE))
    done = _compute(prepared, opts, requests)

    def level_only(frame: pl.DataFrame, level: GeoLevel) -> pl.DataFrame:
        return frame.filter(pl.col("geo_level") == level.value)

    report = DisparityReport(options=opts, prepared=prepared, rows=done["main"])
    for key, title, intro, by, _, level in specs:
        report.sections.append(Section(key, title, intro, by, level_only(done[key], level)))
    if impact:
        frame = _impact_frame(done)
        report.sections.append(Section(
            "impact", "What the proposal would change",
            f"The same arrests screened under the current policy ({prepared.policy_label}) and "
            f"under the proposal ({prepared.proposal_label}).", Dimension.OUTCOME, frame))
    if split:
        report.sections.append(Section(
            "period", "Before and after the policy took effect",
            f"Arrests before and after {prepared.effective_from}: rates and rate ratios in each "
            "period.", Dimension.RACE, level_only(done["period"], GeoLevel.CITY)))
    if dated:
        eff = prepared.effective_from
        marked = (f" The policy took effect in {_month_words(f'{eff:%Y-%m}')}; the trend chart "
                  "marks it." if eff else "")
        report.sections.append(Section(
            "trend", "Arrests by month and year",
            "Arrests in each month of each year (by the date of arrest), with each year's total."
            + marked, Dimension.MONTH, level_only(done["trend"], GeoLevel.CITY)))
    report.map_level = map_level
    report.map_rows = done["map"].filter((pl.col("group") == ALL)
                                         & (pl.col("geo_level") == map_level.value))
    report.headlines = headlines(report)
    return report


def _section(report: DisparityReport, key: str) -> pl.DataFrame | None:
    for s in report.sections:
        if s.key == key:
            return s.table
    return None


def _fmt_ci(row: dict[str, Any]) -> str:
    return f"95% CI {row['rri_ci_low']:.1f} to {row['rri_ci_high']:.1f}"


def headlines(report: DisparityReport) -> list[str]:
    """Findings in plain words, from the figures (never from a template of fixed numbers)."""
    out: list[str] = []
    prep = report.prepared
    what = ("prostitution-related arrests" if prep.offenses is Offenses.PROSTITUTION
            else "arrests")
    race = _section(report, "race")
    if race is not None:
        total = race.filter(pl.col("group") == ALL).row(0, named=True)
        rate = total["rate_per_100k"]
        count = total["count"]
        if count is not None:
            when = prep.period_words
            when = f"From {when}" if " to " in when else f"In {when}"
            out.append(f"{when}, NYPD made {count:,} {what} in New York City"
                       + (f", {rate:.1f} for every 100,000 residents." if rate else "."))
        ref = race["reference"].drop_nulls()
        ref_label = group_label(Dimension.RACE, str(ref[0])) if len(ref) else "reference"
        few: list[str] = []
        compared = race.filter((pl.col("group") != ALL) & pl.col("rri").is_not_null()
                               & (pl.col("group") != pl.col("reference")))
        for row in compared.sort(pl.col("unstable"), pl.col("rri"),
                                 descending=[False, True]).iter_rows(named=True):
            if (row["count"] or 0) < FEW:
                few.append(f"{row['group_label']} ({row['count']})")
                continue
            if row["rri"] >= 1.25 or row["rri"] <= 0.8:
                times = (f"{row['rri']:.1f} times" if row["rri"] >= 1.25
                         else f"{row['rri']:.2f} times")
                caution = (" Few arrests: read this as a direction, not a size."
                           if row["unstable"] else "")
                out.append(f"{row['group_label']} people were arrested at {times} the "
                           f"per-resident rate of {ref_label} people ({_fmt_ci(row)}).{caution}")
        if few:
            out.append("Too few arrests to compare rates: " + ", ".join(few) + ".")
        bh = race.filter(pl.col("group").is_in(["black", "hispanic"]))
        if bh["count"].null_count() == 0 and count:
            share = float(bh["count"].sum()) / count
            pop_all = total["population"]
            pop = bh["population"].sum()
            if pop_all:
                out.append(f"{share:.0%} of the people arrested were recorded as Black or "
                           f"Hispanic; these groups are {pop / pop_all:.0%} of the city's "
                           "residents.")
    income = _section(report, "income")
    if income is not None:
        q1 = income.filter(pl.col("group") == "Q1")
        if len(q1) and q1["rri"][0] is not None and q1["rri_ci_low"][0] is not None:
            row = q1.row(0, named=True)
            out.append(f"Arrests in the poorest fifth of neighbourhoods ran at {row['rri']:.1f} "
                       f"times the rate in the richest fifth ({_fmt_ci(row)}).")
    role = _section(report, "role")
    if role is not None:
        totals = {r["stratum"]: r["count"] for r in
                  role.filter((pl.col("group") == ALL) & (pl.col("stratum") != ALL))
                  .iter_rows(named=True)}
        whole = role.filter((pl.col("group") == ALL) & (pl.col("stratum") == ALL))["count"]
        n = int(whole[0]) if len(whole) and whole[0] is not None else sum(
            v for v in totals.values() if v is not None)
        under = f"fewer than {report.options.threshold}"

        def count(key: str) -> str:
            value = totals.get(key, 0)
            return under if value is None else f"{value:,}"

        seller = totals.get("seller", 0)
        if n and seller is not None:
            parts = [f"{count(k)} {label}" for k, label in
                     (("buyer", "for buying sex"), ("promoter", "for promoting prostitution"),
                      ("trafficker", "for trafficking"))]
            out.append(f"{seller:,} of the {n:,} arrests ({seller / n:.0%}) were of people "
                       f"charged with selling sex, which the policy declines to prosecute; "
                       f"{', '.join(parts)}.")
    outcome = _section(report, "outcome")
    if outcome is not None:
        totals = {r["stratum"]: r["count"] for r in
                  outcome.filter((pl.col("group") == ALL) & (pl.col("stratum") != ALL))
                  .iter_rows(named=True)}
        if totals:
            under = f"fewer than {report.options.threshold}"

            def said(key: str) -> str:
                value = totals.get(key, 0)
                return under if value is None else f"{value:,}"

            out.append(
                f"Under the current policy {said('decline')} would be declined, "
                f"{said('prosecute')} prosecuted, {said('prosecute_priority')} prosecuted as "
                f"priority and {said('panel_review')} sent to the review panel.")
    impact = _section(report, "impact")
    if impact is not None:
        totals = {(r["policy"], r["stratum"]): r["count"] for r in
                  impact.filter((pl.col("group") == ALL) & (pl.col("stratum") != ALL))
                  .iter_rows(named=True)}

        def prosecuted(policy: str) -> int | None:
            values = [totals.get((policy, k), 0) for k in ("prosecute", "prosecute_priority")]
            return None if any(v is None for v in values) else sum(v or 0 for v in values)

        before, after = prosecuted("current"), prosecuted("proposal")
        if before is not None and after is not None and before != after:
            out.append(f"Under the proposal ({prep.proposal_label}) {before - after:,} fewer of "
                       f"these arrests would be prosecuted ({before:,} now, {after:,} under the "
                       "proposal).")
    out.append(placement_sentence(report))
    return out


def placement_sentence(report: DisparityReport) -> str:
    """How many arrests were placed in a neighbourhood; in a public report, counts under the
    threshold (and any split that would reveal one) are given as "fewer than N"."""
    pl_ = report.prepared.placement
    unplaced = pl_.no_coordinates + pl_.outside
    tail = " They stay in every city, borough and precinct figure."
    if not report.options.public:
        return (f"{pl_.placed:,} of {pl_.total:,} arrests were placed in a neighbourhood by "
                f"their coordinates; {unplaced:,} could not be ({pl_.no_coordinates:,} without "
                f"coordinates, {pl_.outside:,} outside every neighbourhood boundary).{tail}")
    t = report.options.threshold
    if unplaced == 0:
        return f"All {pl_.total:,} arrests were placed in a neighbourhood by their coordinates."
    if unplaced < t:
        return (f"All but fewer than {t} of the arrests were placed in a neighbourhood by their "
                f"coordinates.{tail}")
    split = ""
    if min(pl_.no_coordinates, pl_.outside) == 0 or min(pl_.no_coordinates, pl_.outside) >= t:
        split = (f" ({pl_.no_coordinates:,} without coordinates, {pl_.outside:,} outside every "
                 "neighbourhood boundary)")
    return (f"{pl_.placed:,} of {pl_.total:,} arrests were placed in a neighbourhood by their "
            f"coordinates; {unplaced:,} could not be{split}.{tail}")


# ---------------------------------------------------------------- plain renderers
def output_frame(report: DisparityReport) -> pl.DataFrame:
    """The main table as published: JSON columns (+ ``suppressed``), month-level period."""
    cols = [c for c in (*JSON_COLUMNS, "suppressed") if c in report.rows.columns]
    frame = report.rows.select(public_columns(cols))
    return frame.with_columns(period=pl.lit(report.prepared.period),
                              offenses=pl.lit(report.prepared.offenses.value))


def _clean(value: Any) -> Any:
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    return value


def render_json(report: DisparityReport) -> str:
    rows = [{k: _clean(v) for k, v in row.items()}
            for row in output_frame(report).iter_rows(named=True)]
    return json.dumps(rows, indent=1, ensure_ascii=False)


def report_dict(report: DisparityReport) -> dict[str, Any]:
    """Everything a dashboard page shows, JSON-ready: headlines, the requested rows, each
    section's rows, the map's rows, placement, methods, caveats and (public) the rule."""
    from survivors_justice.analytics.groups import RACE_CAVEATS
    from survivors_justice.analytics.measures import METHODS
    from survivors_justice.analytics.suppression import rule_text

    def rows(frame: pl.DataFrame) -> list[dict[str, Any]]:
        keep = public_columns(frame.columns)
        return [{k: _clean(v) for k, v in r.items()} for r in frame.select(keep).to_dicts()]

    opts = report.options
    return {
        "source": report.prepared.source,
        "period": report.prepared.period,
        "offenses": report.prepared.offenses.value,
        "public": opts.public,
        "threshold": opts.threshold if opts.public else None,
        "options": {"geo": opts.geo.value, "by": opts.by.value,
                    "within": opts.within.value if opts.within else None,
                    "reference": opts.reference, "min_count": opts.min_count},
        "headlines": list(report.headlines),
        "rows": rows(output_frame(report)),
        "sections": [{"key": s.key, "title": s.title, "intro": s.intro, "rows": rows(s.table)}
                     for s in report.sections],
        "map": {"level": report.map_level.value,
                "rows": rows(report.map_rows) if report.map_rows is not None else []},
        "placement": (None if opts.public else report.prepared.placement.as_dict()),
        "placement_text": placement_sentence(report),
        "methods": list(METHODS),
        "caveats": list(RACE_CAVEATS),
        "suppression_rule": rule_text(opts.threshold),
    }


def render_csv(report: DisparityReport) -> str:
    return output_frame(report).write_csv()


def default_reference(by: Dimension) -> str | None:
    return DEFAULT_REFERENCE.get(by)


def trend_series(report: DisparityReport) -> list[tuple[str, int | None]]:
    """The trend as (``YYYY-MM``, arrests) in time order, one per month from the first dated
    arrest's month to the last (months without arrests count 0; a suppressed month is None)."""
    trend = _section(report, "trend")
    if trend is None:
        return []
    found = {(r["stratum"], r["group"]): r["count"] for r in trend.iter_rows(named=True)
             if r["stratum"] not in (ALL, "unknown") and r["group"] not in (ALL, "unknown")}
    if not found:
        return []
    first, last = min(found), max(found)
    out: list[tuple[str, int | None]] = []
    year, month = int(first[0]), int(first[1])
    while (year, month) <= (int(last[0]), int(last[1])):
        key = (str(year), f"{month:02d}")
        out.append((f"{year}-{month:02d}", found.get(key, 0)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def trend_years(report: DisparityReport) -> list[tuple[str, int | None]]:
    """Each year's arrests (None when suppressed), in order."""
    trend = _section(report, "trend")
    if trend is None:
        return []
    return [(r["stratum"], r["count"]) for r in trend.iter_rows(named=True)
            if r["group"] == ALL and r["stratum"] not in (ALL, "unknown")]
