"""The analyst's workspace: `sj report disparities` as pages. The same engine builds the report
(analytics.report.build_report); this module only picks the input and renders the result.

Input: the case store (with self-reported SOGI) or an NYPD arrests file the analyst uploaded
(kept under the var directory by its SHA-256, so a report's address names its exact input).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from survivors_justice.analytics import html as html_mod
from survivors_justice.analytics import report as report_mod
from survivors_justice.analytics.cli import By
from survivors_justice.analytics.errors import AnalyticsError
from survivors_justice.analytics.groups import Dimension, GeoLevel
from survivors_justice.permissions import Action, not_found, require

_DIGEST = re.compile(r"^[0-9a-f]{64}$")
FILE_ONLY = {By.SEXUAL_ORIENTATION, By.GENDER_IDENTITY}  # these need the store


def _uploads() -> Path:
    path = Path(settings.VAR_DIR) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


class _Bad(ValueError):
    pass


def _options(request: HttpRequest) -> tuple[str, dict[str, str], report_mod.ReportOptions]:
    q = request.GET
    source = q.get("source", "store")
    if source != "store" and not _DIGEST.match(source):
        raise _Bad("choose the case store or an uploaded file")
    try:
        by = By(q.get("by", "race"))
        geo = GeoLevel(q.get("geo", "city"))
        within = By(q["within"]) if q.get("within") else None
    except ValueError as exc:
        raise _Bad(str(exc)) from None
    params = {"source": source, "by": by.value, "geo": geo.value,
              "within": within.value if within else ""}
    opts = report_mod.ReportOptions(geo=geo, by=Dimension(by.value),
                                    within=Dimension(within.value) if within else None)
    return source, params, opts


def build(request: HttpRequest) -> tuple[report_mod.DisparityReport, dict[str, str]]:
    """The report the query asks for, from the same engine as the CLI."""
    source, params, opts = _options(request)
    if source == "store":
        from survivors_justice.arrests.frames import store_frame

        origin: Any = store_frame()
    else:
        origin = _uploads() / f"{source}.csv"
        if not origin.exists():
            raise _Bad("that uploaded file is no longer here; upload it again")
    prepared = report_mod.prepare_arrests(origin)
    return report_mod.build_report(prepared, opts), params


@require_GET
@require(Action.ANALYST_WORKSPACE)
def workspace(request: HttpRequest) -> HttpResponse:
    files = sorted(p.stem for p in _uploads().glob("*.csv"))
    return render(request, "workspace/index.html", {
        "by": [b.value for b in By], "geo": [g.value for g in GeoLevel], "files": files})


@require_POST
@require(Action.ANALYST_WORKSPACE)
def upload(request: HttpRequest) -> HttpResponse:
    handle = request.FILES.get("file")
    if handle is None:
        messages.error(request, "Choose an NYPD arrests CSV file to upload.")
        return redirect("workspace:index")
    digest = hashlib.sha256()
    tmp = _uploads() / f".upload-{request.user.pk}"
    with tmp.open("wb") as out:
        for chunk in handle.chunks():
            digest.update(chunk)
            out.write(chunk)
    name = digest.hexdigest()
    tmp.replace(_uploads() / f"{name}.csv")
    messages.success(request, f"Uploaded {handle.name}; reports on it use the address below.")
    return redirect(f"/workspace/report/?source={name}&by=race&geo=city")


def _figures(report: report_mod.DisparityReport) -> dict[str, tuple[str, Any]]:
    from survivors_justice.analytics import charts

    found = html_mod.figures(report)
    for _, fig in found.values():
        charts.close(fig)
    return found


def _fail(request: HttpRequest, exc: Exception) -> HttpResponse:
    return render(request, "workspace/error.html", {"error": str(exc)}, status=400)


@require_GET
@require(Action.ANALYST_WORKSPACE)
def report_page(request: HttpRequest) -> HttpResponse:
    try:
        report, params = build(request)
    except (AnalyticsError, _Bad) as exc:
        return _fail(request, exc)
    data = report_mod.report_dict(report)
    query = "&".join(f"{k}={v}" for k, v in params.items() if v)
    svgs = {name: desc for name, (desc, fig) in _figures(report).items()}
    return render(request, "workspace/report.html", {
        "data": data, "params": params, "query": query, "charts": svgs,
        "by": [b.value for b in By], "geo": [g.value for g in GeoLevel],
        "period_words": report.prepared.period_words})


@require_GET
@require(Action.ANALYST_WORKSPACE)
def report_csv(request: HttpRequest) -> HttpResponse:
    try:
        report, params = build(request)
    except (AnalyticsError, _Bad) as exc:
        return _fail(request, exc)
    response = HttpResponse(report_mod.render_csv(report), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="disparities-{params["by"]}.csv"'
    return response


@require_GET
@require(Action.ANALYST_WORKSPACE)
def report_html(request: HttpRequest) -> HttpResponse:
    try:
        report, params = build(request)
    except (AnalyticsError, _Bad) as exc:
        return _fail(request, exc)
    response = HttpResponse(html_mod.render_html(report), content_type="text/html")
    response["Content-Disposition"] = f'attachment; filename="disparities-{params["by"]}.html"'
    return response


@require_GET
@require(Action.ANALYST_WORKSPACE)
def chart_svg(request: HttpRequest, name: str) -> HttpResponse:
    try:
        report, _ = build(request)
    except (AnalyticsError, _Bad) as exc:
        return _fail(request, exc)
    svgs = html_mod.chart_svgs(report)
    if name not in svgs:
        return not_found(request, Action.ANALYST_WORKSPACE)
    response = HttpResponse(svgs[name], content_type="image/svg+xml")
    response["Content-Disposition"] = f'attachment; filename="{name}.svg"'
    return response
