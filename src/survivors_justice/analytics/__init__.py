"""Disparity and policy-impact analytics on arrest data (framework-free: Polars, no Django).

What the CLI and the web dashboard call (imported lazily: ``import survivors_justice.analytics``
stays cheap):

    prepare_arrests(source, *, offenses="prostitution", policy=None, screen=True,
                    proposal=None, effective_from=None) -> Prepared
        source: an NYPD arrests CSV path, or a Polars frame of store rows (see
        ``source.clean_arrests`` for the columns; ``outcome``, ``sexual_orientation`` and
        ``gender_identity`` are used when present).
    build_report(prepared, ReportOptions(geo=..., by=..., within=..., reference=...,
                 min_count=20, public=False, threshold=11)) -> DisparityReport
        .rows (the requested table), .sections, .headlines, .map_rows
    policy_impact(prepared, options) -> pl.DataFrame   current policy vs proposal
    render_html(report) / render_json(report) / render_csv(report) -> str
    report_dict(report) -> dict                        everything a dashboard page shows
    chart_svgs(report) -> dict[str, str]               inline <svg> of every chart
    write_charts(report, directory) -> list[Path]      PNG + SVG of every chart
    disparity_table(frame, geo=..., by=..., within=..., reference=..., min_count=...)
    public_table(frame, geo=..., by=..., ...)          the suppressed (publishable) table
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "prepare_arrests": "report", "build_report": "report", "ReportOptions": "report",
    "Prepared": "report", "DisparityReport": "report", "policy_impact": "report",
    "public_table": "report", "render_json": "report", "render_csv": "report",
    "report_dict": "report", "render_html": "html", "write_charts": "html",
    "chart_svgs": "html",
    "disparity_table": "measures",
    "Dimension": "groups", "GeoLevel": "groups",
    "Offenses": "offenses",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(f"survivors_justice.analytics.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'survivors_justice.analytics' has no attribute {name!r}")
