"""The HTML report: one self-contained file (inline CSS and SVG charts, no scripts, no network)."""

from __future__ import annotations

import html
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import polars as pl

from survivors_justice.analytics import charts
from survivors_justice.analytics.groups import (
    ALL,
    GROUPS,
    RACE_CAVEATS,
    RACE_MAP,
    Dimension,
    GeoLevel,
    group_label,
)
from survivors_justice.analytics.measures import METHODS
from survivors_justice.analytics.reference import (
    ACS_SOURCE,
    CENSUS_SOURCE,
    GEO_SOURCE,
    nta_polygons,
    precinct_polygons,
)
from survivors_justice.analytics.report import (
    DisparityReport,
    Section,
    placement_sentence,
    trend_series,
)
from survivors_justice.analytics.suppression import rule_text

CSS = """
body{font-family:"Source Sans Pro","Helvetica Neue",Arial,sans-serif;color:#1b1b1b;
 max-width:60rem;margin:0 auto;padding:1.5rem 1.25rem 4rem;line-height:1.5;font-size:17px}
h1{font-family:Merriweather,Georgia,serif;font-size:2rem;line-height:1.2;margin:.5rem 0 .25rem}
h2{font-family:Merriweather,Georgia,serif;font-size:1.35rem;margin-top:2.5rem;
 border-top:4px solid #1a4480;padding-top:.75rem}
h3{font-size:1.05rem;margin-bottom:.25rem}
.meta{color:#565c65;font-size:.95rem}
.banner{background:#1a4480;color:#fff;padding:.35rem 1.25rem;font-size:.85rem;
 margin:-1.5rem -1.25rem 1rem}
.findings{background:#e7f2f5;border-left:.5rem solid #00bde3;padding:.75rem 1.25rem;margin:1rem 0}
.findings li{margin:.4rem 0}
.public{background:#faf3d1;border-left:.5rem solid #ffbe2e;padding:.5rem 1rem}
figure{margin:1.25rem 0}
figure svg{max-width:100%;height:auto}
figcaption{font-size:.9rem;color:#565c65}
table{border-collapse:collapse;width:100%;font-size:.9rem;margin:.75rem 0 1.25rem}
caption{text-align:left;font-weight:bold;padding:.25rem 0}
th,td{border-bottom:1px solid #dfe1e2;padding:.3rem .45rem;text-align:right;vertical-align:top}
th:first-child,td:first-child,th.l,td.l{text-align:left}
thead th{background:#f0f0f0;border-bottom:2px solid #1b1b1b}
tr.total td{font-weight:bold;background:#f7f9fa}
.unstable{color:#8a5a00}
.sup{color:#71767a;font-style:italic}
.note{font-size:.9rem;color:#3d4551}
details{margin:.5rem 0}
@media print{.banner{background:none;color:#000} h2{page-break-before:auto}}
"""


CAPTIONS = {
    "rates-by-race": "Bars: arrests per 100,000 residents of each group. Whiskers: 95% interval "
    "of the rate. Hatched bars rest on fewer arrests than the minimum count (unstable). The "
    "reference group is grey.",
    "rri-by-race": "Each group's rate divided by the reference group's rate, with its 95% "
    "confidence interval (log scale). Right of the dashed line: arrested more often than the "
    "reference group, per resident.",
    "rates-by-income": "Arrests per 100,000 residents of the neighbourhoods in each fifth of "
    "median household income (Q1 the poorest), with 95% intervals.",
    "map": "Darker areas have more arrests per 100,000 residents. Numbered areas are listed "
    "below.",
    "trend": "Arrests in each month by the date of arrest. The dashed red line is the date the "
    "office's policy took effect; gaps are months hidden to protect people.",
}


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _num(value: Any, digits: int = 1) -> str:
    if value is None:
        return ""
    if isinstance(value, int):
        return f"{value:,}"
    return f"{float(value):,.{digits}f}"


def html_table(frame: pl.DataFrame, *, caption: str, show_place: bool,
               show_stratum: bool = False, stratum_dim: Dimension | None = None) -> str:
    """A readable table of disparity rows (suppressed and unstable figures marked in words)."""
    has_pop = frame.filter(pl.col("group") != ALL)["population"].drop_nulls().len() > 0
    has_rri = frame["rri"].drop_nulls().len() > 0
    head = []
    if show_place:
        head.append("Place")
    if show_stratum:
        head.append({Dimension.ROLE: "Charge role", Dimension.OUTCOME: "Outcome",
                     Dimension.PERIOD: "Period"}.get(stratum_dim or Dimension.ROLE, "Stratum"))
    head += ["Group", "Arrests", "Share"]
    if has_pop:
        head += ["Residents", "Rate per 100,000"]
    if has_rri:
        head += ["Rate ratio (95% CI)"]
    head.append("Note")
    out = [f"<table><caption>{_e(caption)}</caption><thead><tr>"
           + "".join(f'<th scope="col">{_e(h)}</th>' for h in head) + "</tr></thead><tbody>"]
    suppressed_col = "suppressed" in frame.columns
    for row in frame.iter_rows(named=True):
        sup = bool(row.get("suppressed")) if suppressed_col else False
        total = row["group"] == ALL
        cells = []
        if show_place:
            cells.append(f'<td class="l">{_e(row["geo_name"])}</td>')
        if show_stratum:
            label = group_label(stratum_dim, row["stratum"]) if stratum_dim else row["stratum"]
            cells.append(f'<td class="l">{_e(label)}</td>')
        cells.append(f'<td class="l">{_e(row["group_label"])}</td>')
        cells.append('<td class="sup">suppressed</td>' if sup
                     else f"<td>{_num(row['count'])}</td>")
        share = _pct(row["share"])
        cells.append(f"<td>{share}</td>")
        if has_pop:
            cells.append(f"<td>{_num(row['population'])}</td>"
                         f"<td>{_num(row['rate_per_100k'], 2)}</td>")
        if has_rri:
            if row["rri"] is None:
                cells.append("<td></td>")
            elif row["group"] == row["reference"]:
                cells.append("<td>1.0 (reference)</td>")
            else:
                ci = ("" if row["rri_ci_low"] is None else
                      f" ({row['rri_ci_low']:.1f}-{row['rri_ci_high']:.1f})")
                cells.append(f"<td>{row['rri']:.1f}{ci}</td>")
        notes = []
        if sup:
            notes.append('<span class="sup">under the publication threshold</span>')
        elif row["unstable"] and not total and row["count"] and (
                row["population"] is not None or not has_pop):
            notes.append('<span class="unstable">unstable: too few arrests behind it</span>')
        if has_pop and row["population"] is None and not sup and row["group"] in (
                "other", "unknown"):
            notes.append('<span class="note">no census group: counted, no rate</span>')
        cells.append(f'<td class="l">{" ".join(notes)}</td>')
        out.append(f'<tr class="{"total" if total else ""}">' + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _pct(share: float | None) -> str:
    if share is None:
        return ""
    if 0 < share < 0.005:
        return "&lt;1%"
    return f"{share:.0%}"


def _race_bars(frame: pl.DataFrame) -> list[charts.Bar]:
    bars = []
    for row in frame.filter((pl.col("group") != ALL) & pl.col("rate_per_100k").is_not_null()) \
            .iter_rows(named=True):
        low, high = charts.rate_interval(row["rate_per_100k"], row["count"] or 0)
        bars.append(charts.Bar(row["group"], row["group_label"], row["rate_per_100k"], low, high,
                               bool(row["unstable"]) and (row["count"] or 0) < 20))
    return bars


def _rri_bars(frame: pl.DataFrame) -> list[charts.Bar]:
    return [charts.Bar(r["group"], r["group_label"], r["rri"], r["rri_ci_low"], r["rri_ci_high"],
                       bool(r["unstable"]))
            for r in frame.filter((pl.col("group") != ALL) & pl.col("rri").is_not_null()
                                  & pl.col("rri_ci_low").is_not_null()).iter_rows(named=True)]


def figures(report: DisparityReport) -> dict[str, tuple[str, Any]]:
    """Every chart of the report: name -> (description, matplotlib figure)."""
    out: dict[str, tuple[str, Any]] = {}
    race = next((s.table for s in report.sections if s.key == "race"), None)
    what = report.prepared.offenses.value
    if race is not None and _race_bars(race):
        ref = race["reference"].drop_nulls()
        ref_key = str(ref[0]) if len(ref) else None
        desc = "Arrest rate per 100,000 residents by race and ethnicity, with 95% intervals"
        out["rates-by-race"] = (desc, charts.bar_chart(
            _race_bars(race), title=f"{what.capitalize()} arrests per 100,000 residents",
            xlabel="arrests per 100,000 residents (bars: 95% interval)", highlight=ref_key))
        rri = _rri_bars(race)
        if rri:
            ref_label = group_label(Dimension.RACE, ref_key) if ref_key else "reference"
            out["rri-by-race"] = (
                f"Rate ratio against {ref_label} residents, with 95% confidence intervals",
                charts.forest_chart(rri, title=f"Rate ratio vs {ref_label} (1 = same rate)",
                                    xlabel="relative rate index, log scale (95% CI)"))
    income = next((s.table for s in report.sections if s.key == "income"), None)
    if income is not None:
        bars = [b for b in _race_bars(income) if b.key.startswith("Q")]
        if bars:
            out["rates-by-income"] = (
                "Arrest rate per 100,000 residents by neighbourhood income quintile",
                charts.bar_chart(bars, title="Arrests per 100,000 residents by neighbourhood "
                                 "income", xlabel="arrests per 100,000 residents (95% interval)"))
    points = trend_series(report)
    if points:
        eff = report.prepared.effective_from
        # the month only: public files carry no date finer than a month
        month = f"{eff:%Y-%m}" if eff else None
        out["trend"] = (
            f"Line chart of {what} arrests per month, {points[0][0]} to {points[-1][0]}"
            + (f", with the month the policy took effect ({month}) marked" if month else ""),
            charts.trend_chart(points, title=f"{what.capitalize()} arrests per month",
                               ylabel="arrests per month", marker=month,
                               marker_label=f"policy in force from {month}" if month else ""))
    if report.map_rows is not None:
        polys = nta_polygons() if report.map_level is GeoLevel.NTA else precinct_polygons()
        values = {str(r["geo"]): r["rate_per_100k"] for r in report.map_rows.iter_rows(named=True)}
        names = {str(r["geo"]): str(r["geo_name"]) for r in report.map_rows.iter_rows(named=True)}
        where = "neighbourhood" if report.map_level is GeoLevel.NTA else "precinct"
        out["map"] = (
            f"Map of {what} arrests per 100,000 residents by {where}",
            charts.map_chart(values, polys, title=f"{what.capitalize()} arrests per 100,000 "
                             f"residents, by {where}", label="arrests per 100,000 residents",
                             names=names))
    return out


def chart_svgs(report: DisparityReport) -> dict[str, str]:
    """Every chart as an inline ``<svg>`` string (for a dashboard page), by name."""
    return {name: charts.to_svg(fig, desc) for name, (desc, fig) in figures(report).items()}


def write_charts(report: DisparityReport, directory: Path) -> list[Path]:
    """Every chart as PNG and SVG files in ``directory`` (for print)."""
    paths: list[Path] = []
    for name, (_, fig) in figures(report).items():
        paths += charts.save(fig, directory / name)
    return paths


def _list(items: Iterable[str]) -> str:
    return "<ul>" + "".join(f"<li>{_e(i)}</li>" for i in items) + "</ul>"


def _section_html(section: Section, report: DisparityReport, svgs: dict[str, str]) -> str:
    parts = [f'<section id="{_e(section.key)}"><h2>{_e(section.title)}</h2>'
             f"<p>{_e(section.intro)}</p>"]
    chart_keys = {"race": ["rates-by-race", "rri-by-race"], "income": ["rates-by-income"],
                  "trend": ["trend"]}
    for key in chart_keys.get(section.key, []):
        if key in svgs:
            parts.append(f'<figure id="fig-{key}">{svgs[key]}'
                         f"<figcaption>{_e(CAPTIONS[key])}</figcaption></figure>")
    frame = section.table
    if section.key == "impact":
        parts.append(_impact_html(frame))
        parts.append("</section>")
        return "".join(parts)
    stratified = section.key in ("role", "outcome", "period")
    if stratified:
        everything = frame.filter((pl.col("group") == ALL) & (pl.col("stratum") == ALL))
        totals = frame.filter((pl.col("group") == ALL) & (pl.col("stratum") != ALL))
        whole = (everything["count"][0] if everything.height
                 else totals["count"].sum())
        dim = {"role": Dimension.ROLE, "outcome": Dimension.OUTCOME,
               "period": Dimension.PERIOD}[section.key]
        summary = totals.with_columns(
            group_label=pl.col("stratum").map_elements(lambda s: group_label(dim, s),
                                                       return_dtype=pl.Utf8),
            share=pl.col("count") / whole)
        noun = {"role": "role", "outcome": "outcome", "period": "period"}[section.key]
        parts.append(html_table(summary.with_columns(population=pl.lit(None, pl.Int64),
                                                     rate_per_100k=pl.lit(None, pl.Float64),
                                                     rri=pl.lit(None, pl.Float64)),
                                caption=f"Arrests by {noun}",
                                show_place=False).replace("<td>1.0 (reference)</td>", ""))
        parts.append(f"<details><summary>Race and ethnicity within each {noun}</summary>"
                     + html_table(frame, caption="Within each group: rates per 100,000 "
                                  "residents of the race group", show_place=False,
                                  show_stratum=True, stratum_dim=dim) + "</details>")
    elif section.key == "trend":
        parts.append(trend_table(frame))
    elif section.key == "borough":
        parts.append(_pivot(frame, caption="Arrests, rate per 100,000 and rate ratio by borough"))
        parts.append("<details><summary>Every figure by borough</summary>"
                     + html_table(frame, caption=section.title, show_place=True)
                     + "</details>")
    else:
        show_place = frame["geo"].n_unique() > 1
        parts.append(html_table(frame, caption=section.title, show_place=show_place))
    parts.append("</section>")
    return "".join(parts)


def _pivot(frame: pl.DataFrame, *, caption: str) -> str:
    """One row per place: its total, its rate, and each group's rate ratio (95% CI)."""
    groups = [g for g in GROUPS[Dimension.RACE] if g.census_columns]
    ref = frame["reference"].drop_nulls()
    ref_key = str(ref[0]) if len(ref) else ""
    head = ["Place", "Arrests", "Rate per 100,000"] + [
        f"{g.label.split(' (')[0]}: rate ratio" for g in groups if g.key != ref_key]
    out = [f"<table><caption>{_e(caption)}</caption><thead><tr>"
           + "".join(f'<th scope="col">{_e(h)}</th>' for h in head) + "</tr></thead><tbody>"]
    for place in frame["geo"].unique(maintain_order=True).to_list():
        rows = {r["group"]: r for r in frame.filter(pl.col("geo") == place).iter_rows(named=True)}
        total = rows.get(ALL)
        if total is None:
            continue
        cells = [f'<td class="l">{_e(total["geo_name"])}</td>',
                 f"<td>{_cell(total['count'])}</td>",
                 f"<td>{_num(total['rate_per_100k'], 1)}</td>"]
        for g in groups:
            if g.key == ref_key:
                continue
            r = rows.get(g.key)
            if r is None or r["rri"] is None:
                cells.append("<td></td>")
                continue
            ci = ("" if r["rri_ci_low"] is None
                  else f" ({r['rri_ci_low']:.1f}-{r['rri_ci_high']:.1f})")
            mark = ' class="unstable"' if r["unstable"] else ""
            cells.append(f"<td{mark}>{r['rri']:.1f}{ci}{'*' if r['unstable'] else ''}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table><p class=\"note\">* unstable: fewer than the minimum number of "
               "arrests behind the ratio.</p>")
    return "".join(out)


def trend_table(frame: pl.DataFrame) -> str:
    """One row per year: its arrests in each month and the year's total."""
    cells = {(r["stratum"], r["group"]): r["count"] for r in frame.iter_rows(named=True)}
    years = [s for s in frame["stratum"].unique(maintain_order=True).to_list() if s != ALL]
    months = [g for g in GROUPS[Dimension.MONTH]
              if any((y, g.key) in cells for y in years)]
    head = ["Year", *[g.label[:3] for g in months], "Year total"]
    out = ['<table data-table="trend-pivot"><caption>Arrests by month of arrest, each year'
           "</caption><thead><tr>" + "".join(f'<th scope="col">{_e(h)}</th>' for h in head)
           + "</tr></thead><tbody>"]
    for year in years:
        row = [f'<th scope="row" class="l">{_e(year)}</th>']
        row += [f"<td>{_cell(cells.get((year, g.key)))}</td>" for g in months]
        row.append(f"<td>{_cell(cells.get((year, ALL)))}</td>")
        out.append(f'<tr data-year="{_e(year)}">' + "".join(row) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _impact_html(frame: pl.DataFrame) -> str:
    """Outcome counts under both policies, then the race breakdown within each."""
    totals = frame.filter(pl.col("group") == ALL)
    current = {r["stratum"]: r["count"] for r in
               totals.filter(pl.col("policy") == "current").iter_rows(named=True)}
    proposal = {r["stratum"]: r["count"] for r in
                totals.filter(pl.col("policy") == "proposal").iter_rows(named=True)}
    order = [g.key for g in GROUPS[Dimension.OUTCOME]]
    keys = [k for k in order if k in current or k in proposal]
    keys += sorted((set(current) | set(proposal)) - set(keys))
    rows = []
    for key in keys:
        a, b = current.get(key), proposal.get(key)
        change = "" if a is None or b is None else f"{b - a:+,}"
        rows.append(f'<tr><td class="l">{_e(group_label(Dimension.OUTCOME, key))}</td>'
                    f"<td>{_cell(a)}</td><td>{_cell(b)}</td><td>{change}</td></tr>")
    summary = ("<table><caption>Arrests by outcome under each policy</caption><thead><tr>"
               '<th scope="col">Outcome</th><th scope="col">Current policy</th>'
               '<th scope="col">Proposal</th><th scope="col">Change</th></tr></thead><tbody>'
               + "".join(rows) + "</tbody></table>")
    detail = []
    for label in ("current", "proposal"):
        part = frame.filter((pl.col("policy") == label)
                            & pl.col("stratum").is_in(["prosecute", "prosecute_priority"]))
        if part.height:
            detail.append(html_table(part, caption=f"Prosecuted arrests by race and ethnicity: "
                                     f"{label} policy", show_place=False, show_stratum=True,
                                     stratum_dim=Dimension.OUTCOME))
    return summary + ("<details><summary>Who would still be prosecuted, by race and ethnicity"
                      "</summary>" + "".join(detail) + "</details>" if detail else "")


def _cell(value: int | None) -> str:
    return '<span class="sup">suppressed</span>' if value is None else f"{value:,}"


def render_html(report: DisparityReport) -> str:
    """The whole report as one HTML document."""
    opts = report.options
    prep = report.prepared
    svgs = chart_svgs(report)
    what = ("Prostitution-related arrests" if prep.offenses.value == "prostitution"
            else "Arrests")
    body = [
        '<div class="banner">Survivor\'s Justice &middot; disparity report'
        + (" &middot; PUBLIC RELEASE" if opts.public else " &middot; for office use") + "</div>",
        f"<h1>{_e(what)} in New York City: who is arrested, where, and at what rate</h1>",
        f'<p class="meta">Source: {_e(prep.source)} (NYPD arrests) &middot; '
        f"period {_e(prep.period)}"
        f" &middot; {prep.frame.height:,} arrests &middot; "
        f"reference group for rate ratios: {_e(_ref_label(report))}</p>",
    ]
    if opts.public:
        body.append('<p class="public">This is the public version: counts under '
                    f"{opts.threshold} and the figures that would reveal them are suppressed. "
                    "See <a href=\"#suppression\">how figures are protected</a>.</p>")
    body.append('<section id="findings"><h2>What the figures show</h2><div class="findings">'
                + _list(report.headlines) + "</div></section>")
    for section in report.sections[:1]:
        body.append(_section_html(section, report, svgs))
    if "map" in svgs:
        where = "neighbourhood" if report.map_level is GeoLevel.NTA else "police precinct"
        assert report.map_rows is not None  # "map" is drawn only from map rows
        values = {str(r["geo"]): r["rate_per_100k"] for r in report.map_rows.iter_rows(named=True)}
        names = {str(r["geo"]): str(r["geo_name"]) for r in report.map_rows.iter_rows(named=True)}
        counts = {str(r["geo"]): r["count"] for r in report.map_rows.iter_rows(named=True)}
        ranked = "".join(
            f"<li>{_e(names.get(k, k))}: {v:,.1f} per 100,000 residents "
            f"({_cell(counts.get(k))} arrests)</li>" for k, v in charts.top_areas(values))
        top_list = (f"<p>Highest rates (numbered on the map):</p><ol>{ranked}</ol>"
                    if ranked else "")
        body.append(f'<section id="map"><h2>Where the arrests happened</h2><p>Arrests per '
                    f"100,000 residents of each {where}. Grey hatched areas have no rate "
                    "(no residents, or suppressed in the public version). Residents are not "
                    "the same people as those arrested there: busy commercial areas show high "
                    f'rates.</p><figure id="fig-map">{svgs["map"]}<figcaption>'
                    f"{_e(CAPTIONS['map'])}</figcaption></figure>{top_list}</section>")
    for section in report.sections[1:]:
        body.append(_section_html(section, report, svgs))
    # The requested table.
    main_caption = (f"Requested table: {opts.geo.value} by {opts.by.value}"
                    + (f" within {opts.within.value}" if opts.within else ""))
    show_place = report.rows["geo"].n_unique() > 1
    main = html_table(report.rows, caption=main_caption, show_place=show_place,
                      show_stratum=opts.within is not None, stratum_dim=opts.within)
    if report.rows.height > 40:
        main = (f"<details><summary>Show all {report.rows.height:,} rows (the same figures as "
                "the CSV and JSON output)</summary>" + main + "</details>")
    body.append(f'<section id="table"><h2>{_e(main_caption)}</h2>' + main + "</section>")
    body.append('<section id="placement"><h2>Placing arrests in neighbourhoods</h2>'
                f"<p>{_e(placement_sentence(report))} Unplaced arrests appear as their own rows "
                "in neighbourhood tables.</p></section>")
    body.append('<section id="methods"><h2>Methods</h2>' + _list(METHODS)
                + "<h3>Race and ethnicity: from NYPD labels to census groups</h3>"
                + _race_map_table() + "<h3>Caveats</h3>" + _list(RACE_CAVEATS)
                + _outcome_note(report) + "</section>")
    body.append('<section id="suppression"><h2>How figures are protected</h2>'
                + _list(rule_text(opts.threshold))
                + ("" if opts.public else '<p class="note">This copy is not suppressed: it is '
                   "for office use only. Publish only the output of <code>--public</code>.</p>")
                + "</section>")
    body.append('<section id="sources"><h2>Sources</h2>' + _list([
        f"Arrests: NYC Open Data, NYPD Arrests Data (Historic), dataset 8h9b-rp9u ({prep.source}).",
        f"Residents: {CENSUS_SOURCE}.", f"Neighbourhood income and population: {ACS_SOURCE}.",
        f"Boundaries: {GEO_SOURCE}.",
        "Charge roles: the office's charge catalog (New York Penal Law article 230 and 240.37).",
    ]) + "</section>")
    return ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{_e(what)}: disparity report ({_e(prep.period)})</title>"
            f"<style>{CSS}</style></head><body><main>" + "".join(body) + "</main></body></html>")


def _ref_label(report: DisparityReport) -> str:
    race = next((s.table for s in report.sections if s.key == "race"), None)
    if race is None:
        return "none"
    ref = race["reference"].drop_nulls()
    return group_label(Dimension.RACE, str(ref[0])) if len(ref) else "none"


def _race_map_table() -> str:
    by_group: dict[str, list[str]] = {}
    for label, key in RACE_MAP.items():
        if label and "_" not in label:
            by_group.setdefault(key, []).append(label)
    rows = []
    for group in GROUPS[Dimension.RACE]:
        census = " + ".join(group.census_columns) or "none (counted, no rate)"
        labels = ", ".join(by_group.get(group.key, [])) or "(empty)"
        rows.append(f"<tr><td class=\"l\">{_e(labels)}</td><td class=\"l\">{_e(group.label)}</td>"
                    f"<td class=\"l\">{_e(census)}</td></tr>")
    return ("<table><thead><tr><th scope=\"col\">NYPD label</th><th scope=\"col\" class=\"l\">"
            "Group</th><th scope=\"col\" class=\"l\">Census 2020 column (P2)</th></tr></thead>"
            "<tbody>" + "".join(rows) + "</tbody></table>")


def _outcome_note(report: DisparityReport) -> str:
    note = report.prepared.outcome_note
    if note:
        return f"<h3>Policy outcomes</h3><p class=\"note\">Outcomes not shown: {_e(note)}</p>"
    if "outcome" in report.prepared.frame.columns:
        return ("<h3>Policy outcomes</h3><p>Each arrest's charge was screened by the office's "
                "current policy document (the same engine intake uses); an outcome is what the "
                "policy recommends, not a court result.</p>")
    return ""
