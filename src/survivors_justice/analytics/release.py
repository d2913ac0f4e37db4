"""A public release: the protected tables of one period, computed once and frozen.

:func:`build_release` reads the arrests of a period (a file or store rows), builds the public
disparity report (every table suppressed together, so complementary suppression holds across the
whole release, see ``suppression``) and returns everything a release publishes: the tables as
rows, plain-language findings, the rule, methods, caveats, the charts (SVG) and the digests of
its inputs. The Django side stores it and never recomputes it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from survivors_justice.analytics.defaults import DEFAULT_THRESHOLD
from survivors_justice.analytics.errors import AnalyticsError
from survivors_justice.analytics.groups import GeoLevel
from survivors_justice.analytics.report import (
    ReportOptions,
    build_report,
    placement_sentence,
    prepare_arrests,
)
from survivors_justice.analytics.source import read_arrests_csv
from survivors_justice.analytics.suppression import rule_text

# Every table a release can publish: key -> (title, what ``group`` means, what ``stratum`` means)
MEASURES: dict[str, tuple[str, str, str | None]] = {
    "race": ("Arrest rates by race and ethnicity, city-wide", "race", None),
    "role": ("Who was charged with what: race within each role", "race", "role"),
    "outcome": ("What the policy does with these arrests: race within each outcome", "race",
                "outcome"),
    "income": ("Arrests by neighbourhood income (fifths of residents)", "income_quintile", None),
    "borough": ("Rates by race and ethnicity in each borough", "race", None),
    "sex": ("Arrests by sex as recorded", "sex", None),
    "age": ("Arrests by age group as recorded", "age_group", None),
    "precinct": ("Arrests by race in each precinct (the map)", "race", None),
    "trend": ("Arrests by month of arrest within each year (the trend)", "month", "year"),
    # the case store only: as the person reported it; "not recorded" is shown as such
    "sexual_orientation": ("Arrests by sexual orientation, as the person reported it",
                           "sexual_orientation", None),
    "gender_identity": ("Arrests by gender identity, as the person reported it",
                        "gender_identity", None),
}
DEFAULT_MEASURES: tuple[str, ...] = tuple(MEASURES)
CSV_COLUMNS = ("geo_level", "geo", "geo_name", "stratum", "group", "group_label", "count",
               "suppressed", "share", "population", "rate_per_100k", "reference", "rri",
               "rri_ci_low", "rri_ci_high", "unstable")

METHODS: tuple[str, ...] = (
    "Source: NYPD arrest records (NYC Open Data), prostitution-related offences (Penal Law "
    "article 230 and 240.37), counted by the month of arrest.",
    "Rates are arrests per 100,000 residents of each group (Census ACS 5-year estimates); the "
    "rate ratio compares each group with the reference group, with a 95% confidence interval.",
    "Neighbourhood income places each arrest in its neighbourhood by its coordinates; arrests "
    "without coordinates are counted as not placed.",
    "Outcomes are what the office's policy recommends for each arrest, from the charges alone.",
    "The figures were computed once, when the release was prepared, and are never recomputed: "
    "the digests below identify exactly which data and which policy produced them.",
)
CAVEATS: tuple[str, ...] = (
    "Arrests measure police activity, not how often anything happens.",
    "Race, sex and age are as the police recorded them, not as the person would describe "
    "themselves.",
    "Small numbers are hidden to protect people; rates on fewer than 20 arrests are marked "
    "unstable and move a lot from one period to the next.",
)

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class ReleaseError(AnalyticsError):
    """A release cannot be prepared as asked."""


@dataclass(frozen=True)
class ReleaseContent:
    month_from: str
    month_to: str
    threshold: int
    measures: tuple[str, ...]
    source: str
    arrests: int
    tables: dict[str, list[dict[str, Any]]]
    findings: list[str]
    rule: list[str]
    methods: list[str]
    caveats: list[str]
    charts: dict[str, str] = field(default_factory=dict)
    digests: dict[str, str] = field(default_factory=dict)


def check_month(text: str) -> str:
    if not _MONTH.match(text):
        raise ReleaseError(f"month {text!r} is not YYYY-MM; write e.g. 2017-12")
    return text


def _month_bounds(month_from: str, month_to: str) -> tuple[date, date]:
    first = date.fromisoformat(check_month(month_from) + "-01")
    y, m = (int(p) for p in check_month(month_to).split("-"))
    after = date(y + (m == 12), m % 12 + 1, 1)
    if after <= first:
        raise ReleaseError(f"the period {month_from} to {month_to} ends before it starts; "
                           "give --from no later than --to")
    return first, after


def _raw_dates(frame: pl.DataFrame, column: str) -> pl.Expr:
    if frame.schema[column] == pl.Date or isinstance(frame.schema[column], pl.Datetime):
        return pl.col(column).cast(pl.Date)
    from survivors_justice.analytics.source import _by_uniques, _parse_date

    return _by_uniques(frame, column, _parse_date, pl.Date())


def digest_bytes(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _policy_digest(policy: str | Path | None) -> str:
    from survivors_justice.policy.loader import DEFAULT_DOCUMENT

    path = Path(policy) if policy is not None else DEFAULT_DOCUMENT
    return digest_bytes(path.read_bytes())


def build_release(source: str | Path | pl.DataFrame, *, month_from: str, month_to: str,
                  threshold: int = DEFAULT_THRESHOLD,
                  measures: tuple[str, ...] = DEFAULT_MEASURES,
                  policy: str | Path | None = None) -> ReleaseContent:
    """Everything a release publishes, for the arrests of ``month_from``..``month_to``."""
    if threshold < 2:
        raise ReleaseError(f"threshold {threshold} is too low to protect anyone; use 2 or more "
                           "(the office's default is 11)")
    unknown = sorted(set(measures) - set(MEASURES))
    if unknown or not measures:
        raise ReleaseError(f"unknown measures {unknown}; choose from {', '.join(MEASURES)}")
    first, after = _month_bounds(month_from, month_to)
    if isinstance(source, pl.DataFrame):
        raw = source
        label = "case store"
        date_col = "arrest_date"
        data_digest = digest_bytes(raw.sort(raw.columns).write_csv().encode())
    else:
        path = Path(source)
        raw = read_arrests_csv(path)
        label = path.name
        date_col = "ARREST_DATE"
        data_digest = digest_bytes(path.read_bytes())
    when = _raw_dates(raw, date_col)
    raw = raw.filter(when.is_not_null() & (when >= first) & (when < after))
    if raw.height == 0:
        raise ReleaseError(f"no arrests from {month_from} to {month_to} in {label}; check the "
                           "period or the source")
    prepared = prepare_arrests(raw, policy=policy)
    prepared = type(prepared)(**{**prepared.__dict__, "source": label})
    report = build_report(prepared, ReportOptions(geo=GeoLevel.PRECINCT, public=True,
                                                  threshold=threshold))
    found: dict[str, pl.DataFrame] = {s.key: s.table for s in report.sections}
    found["precinct"] = report.rows
    tables: dict[str, list[dict[str, Any]]] = {}
    for key in measures:
        frame = found.get(key)
        if frame is None:
            continue  # e.g. outcomes when the policy could not screen the rows
        cols = [c for c in CSV_COLUMNS if c in frame.columns]
        tables[key] = frame.select(cols).to_dicts()
    from survivors_justice.analytics.html import chart_svgs

    charts = chart_svgs(report)
    if "precinct" not in measures:
        charts.pop("map", None)
    findings = list(report.headlines)
    placed = placement_sentence(report)
    if placed not in findings:
        findings.append(placed)
    return ReleaseContent(
        month_from=month_from, month_to=month_to, threshold=threshold,
        measures=tuple(m for m in measures if m in tables), source=label,
        arrests=prepared.frame.height, tables=tables, findings=findings,
        rule=rule_text(threshold), methods=list(METHODS), caveats=list(CAVEATS),
        charts=charts,
        digests={"arrests": data_digest, "policy": _policy_digest(policy),
                 "tables": digest_bytes(repr(sorted(tables.items())).encode())})


def table_csv(rows: list[dict[str, Any]]) -> str:
    """One published table as CSV (the columns of :data:`CSV_COLUMNS` it has)."""
    if not rows:
        return ",".join(CSV_COLUMNS) + "\n"
    return pl.DataFrame(rows, infer_schema_length=None).write_csv()
