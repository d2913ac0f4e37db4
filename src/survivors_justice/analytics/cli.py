"""`sj report disparities ...`: disparity figures from an NYPD arrests file (framework-free).

The root ``sj`` command mounts :data:`app` as ``sj report``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import polars as pl
import typer
from rich.console import Console
from rich.table import Table

from survivors_justice.analytics.defaults import DEFAULT_THRESHOLD, MIN_COUNT
from survivors_justice.analytics.errors import AnalyticsError
from survivors_justice.analytics.groups import ALL, Dimension, GeoLevel
from survivors_justice.analytics.offenses import Offenses

app = typer.Typer(help="Reports: disparities in arrests, rates and rate ratios.",
                  no_args_is_help=True, pretty_exceptions_show_locals=False)
err = Console(stderr=True, soft_wrap=True)

# The case store is Django's; this framework-free module cannot read it. The Django side registers
# a loader returning store rows as a Polars frame (see source.clean_arrests for the columns) and
# `--db` then reports on the store instead of a file.
StoreLoader = Callable[[], pl.DataFrame]
_store_loader: StoreLoader | None = None


def register_store_source(loader: StoreLoader) -> None:
    """Let `sj report disparities --db` read the case store through ``loader``."""
    global _store_loader  # one registration point, set once at start-up
    _store_loader = loader


class Format(StrEnum):
    TABLE = "table"
    CSV = "csv"
    JSON = "json"
    HTML = "html"


class By(StrEnum):
    RACE = "race"
    SEX = "sex"
    AGE_GROUP = "age_group"
    INCOME_QUINTILE = "income_quintile"
    ROLE = "role"
    OUTCOME = "outcome"
    OUTCOME_PROPOSAL = "outcome_proposal"
    PERIOD = "period"
    SEXUAL_ORIENTATION = "sexual_orientation"  # --db only: self-reported in the case store
    GENDER_IDENTITY = "gender_identity"  # --db only


@app.callback()
def _report() -> None:
    """Reports: disparities in arrests, rates and rate ratios."""


@app.command("disparities")
def disparities(
    source: Annotated[Path | None, typer.Argument(
        help="NYPD arrests CSV (NYC Open Data 8h9b-rp9u or uip8-fykc columns).")] = None,
    db: Annotated[bool, typer.Option(
        "--db", help="Report on the case store (with self-reported SOGI) instead of a file.")]
    = False,
    geo: Annotated[GeoLevel, typer.Option(help="Where to count.")] = GeoLevel.CITY,
    by: Annotated[By, typer.Option(help="What to break arrests down by.")] = By.RACE,
    within: Annotated[By | None, typer.Option(
        help="Repeat the breakdown within each role / outcome / sex / age group.")] = None,
    reference: Annotated[str | None, typer.Option(
        help="Reference group of the rate ratio (default: white for race, Q5 for income).")]
    = None,
    offenses: Annotated[Offenses, typer.Option(
        help="prostitution: Penal Law article 230 and 240.37; all: every arrest.")]
    = Offenses.PROSTITUTION,
    fmt: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.TABLE,
    output: Annotated[Path | None, typer.Option("-o", "--output",
                                                help="Write here (stdout if omitted; required "
                                                     "for html).")] = None,
    public: Annotated[bool, typer.Option(
        help="Publishable figures: small counts suppressed with complementary suppression.")]
    = False,
    threshold: Annotated[int, typer.Option(
        help="Public export: counts under this are suppressed.", min=1)] = DEFAULT_THRESHOLD,
    min_count: Annotated[int, typer.Option(
        help="Rates and ratios on fewer arrests are marked unstable.", min=1)] = MIN_COUNT,
    policy: Annotated[Path | None, typer.Option(
        help="Policy document for the outcomes (default: the office's current policy).")]
    = None,
    screen: Annotated[bool, typer.Option(
        help="Screen arrests with the policy engine to report outcomes.")] = True,
    proposal: Annotated[Path | None, typer.Option(
        help="A proposed policy document: report outcomes under it beside the current one "
             "(--by outcome_proposal, and the report's impact section).")] = None,
    effective_from: Annotated[str | None, typer.Option(
        help="Split arrests before/after this date, YYYY-MM-DD (--by period; default: the "
             "current policy's effective date).")] = None,
    charts_dir: Annotated[Path | None, typer.Option(
        help="Also write every chart as PNG and SVG here (html: default <output>-charts/).")]
    = None,
) -> None:
    """Counts, shares, rates per 100,000 residents and rate ratios (95% CI) of arrests.

    Example: sj report disparities arrests.csv --geo precinct --format html -o r.html
    """
    from survivors_justice.analytics import html as html_mod
    from survivors_justice.analytics import report as report_mod

    if (source is None) == (not db):
        err.print("[red]Give either SOURCE (an arrests CSV) or --db (the case store).[/red]")
        raise typer.Exit(2)
    if db and _store_loader is None:
        err.print("[red]--db needs the case store, which this command reaches only through "
                  "`sj report` with the Django app set up.[/red]")
        raise typer.Exit(2)
    if fmt is Format.HTML and output is None:
        err.print("[red]--format html needs -o PATH[/red] (the report is a file).")
        raise typer.Exit(2)
    try:
        split = date.fromisoformat(effective_from) if effective_from else None
        origin: Path | pl.DataFrame = (source if source is not None
                                       else _store_loader() if _store_loader else pl.DataFrame())
        prepared = report_mod.prepare_arrests(origin, offenses=offenses, policy=policy,
                                              screen=screen, proposal=proposal,
                                              effective_from=split)
        options = report_mod.ReportOptions(
            geo=geo, by=Dimension(by.value),
            within=Dimension(within.value) if within else None, reference=reference,
            min_count=min_count, public=public, threshold=threshold)
        report = report_mod.build_report(prepared, options)
    except AnalyticsError as exc:
        err.print(f"[red]{type(exc).__name__}:[/red] {exc}")
        raise typer.Exit(2) from None
    except ValueError as exc:  # a malformed --effective-from
        err.print(f"[red]bad value:[/red] {exc}; write dates as YYYY-MM-DD")
        raise typer.Exit(2) from None

    if fmt is Format.TABLE:
        text = None
        _print_table(report)
    elif fmt is Format.CSV:
        text = report_mod.render_csv(report)
    elif fmt is Format.JSON:
        text = report_mod.render_json(report)
    else:
        text = html_mod.render_html(report)
    if text is not None:
        if output is None:
            sys.stdout.write(text)
        else:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(text, encoding="utf-8")
            err.print(f"Wrote {output} ({len(text):,} bytes, {report.rows.height} rows)")
    if fmt is Format.HTML and output is not None and charts_dir is None:
        charts_dir = output.with_name(output.stem + "-charts")
    if charts_dir is not None:
        paths = html_mod.write_charts(report, charts_dir)
        err.print(f"Wrote {len(paths)} chart files to {charts_dir}")
    pl_ = prepared.placement
    err.print(f"{pl_.total:,} arrests ({prepared.period}); neighbourhood placement: "
              f"{pl_.placed:,} placed, {pl_.no_coordinates:,} without coordinates, "
              f"{pl_.outside:,} outside every boundary.")


def _print_table(report: object) -> None:
    from survivors_justice.analytics.report import DisparityReport

    assert isinstance(report, DisparityReport)
    rows = report.rows
    table = Table(title=f"Arrests by {report.options.by.value}, {report.options.geo.value} "
                  f"({report.prepared.period})")
    cols = ["geo_name", "stratum", "group_label", "count", "share", "population",
            "rate_per_100k", "rri", "rri_ci_low", "rri_ci_high", "unstable"]
    if "suppressed" in rows.columns:
        cols.append("suppressed")
    if report.options.within is None:
        cols.remove("stratum")
    if rows["geo"].n_unique() == 1:
        cols.remove("geo_name")
    for c in cols:
        table.add_column(c, justify="left" if c in ("geo_name", "stratum", "group_label")
                         else "right")
    for row in rows.iter_rows(named=True):
        cells = []
        for c in cols:
            v = row[c]
            if v is None:
                cells.append("")
            elif isinstance(v, float):
                cells.append(f"{v:.0%}" if c == "share" else f"{v:,.2f}")
            elif isinstance(v, int) and not isinstance(v, bool):
                cells.append(f"{v:,}")
            else:
                cells.append(str(v))
        table.add_row(*cells, style="bold" if row["group"] == ALL else None)
    Console(width=None if sys.stdout.isatty() else 200).print(table)
