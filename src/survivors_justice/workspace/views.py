"""The analyst's workspace: `sj report disparities` and `sj policy simulate` as pages. The same
engines compute everything (see ``workspace.engine``); this module picks the input and renders.

Input: the case store (with self-reported SOGI), an NYPD arrests file the analyst uploaded (kept
under the var directory by its SHA-256, so a report's address names its exact input), or the
bundled NYPD history (2006 on).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
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
from survivors_justice.workspace import engine
from survivors_justice.workspace.engine import BadInput

_DIGEST = re.compile(r"^[0-9a-f]{64}$")
# Self-reported, store only, and about few people: always shown with small counts suppressed.
SOGI = {By.SEXUAL_ORIENTATION, By.GENDER_IDENTITY}


_Bad = BadInput


def _source(request: HttpRequest, default: str = engine.STORE) -> str:
    source = request.GET.get("source", default)
    if source not in (engine.STORE, engine.HISTORY) and not _DIGEST.match(source):
        raise _Bad("choose the case store, the bundled NYPD history or an uploaded file")
    return source


def _options(request: HttpRequest) -> tuple[str, dict[str, str], report_mod.ReportOptions]:
    q = request.GET
    source = _source(request)
    try:
        by = By(q.get("by", "race"))
        geo = GeoLevel(q.get("geo", "city"))
        within = By(q["within"]) if q.get("within") else None
    except ValueError as exc:
        raise _Bad(str(exc)) from None
    params = {"source": source, "by": by.value, "geo": geo.value,
              "within": within.value if within else ""}
    opts = report_mod.ReportOptions(geo=geo, by=Dimension(by.value),
                                    within=Dimension(within.value) if within else None,
                                    public=by in SOGI or within in SOGI)
    return source, params, opts


def _wait() -> float:
    return float(getattr(settings, "WORKSPACE_WAIT_SECONDS", 2.0))


def _ready(request: HttpRequest) -> HttpResponse | None:
    """To a progress poll (htmx) about work that is done: go back to the page."""
    if request.headers.get("HX-Request") != "true":
        return None
    response = HttpResponse(status=204)
    response["HX-Redirect"] = request.get_full_path()
    return response


def _in_background(request: HttpRequest, key: Any,
                   steps: list[tuple[str, Callable[[], object]]], what: str,
                   ready: Callable[[], HttpResponse]) -> HttpResponse:
    """Answer with ``ready()`` when the work is done within a moment; otherwise run it in the
    background and answer with a progress page that polls this same address (htmx sends
    ``HX-Request``: a progress fragment while it runs, then ``HX-Redirect`` back here)."""
    polling = request.headers.get("HX-Request") == "true"
    job = engine.job(key, steps)
    job.done.wait(0 if polling else _wait())
    if job.done.is_set():
        engine.finished(key)
        if job.error is not None:
            return _fail(request, BadInput(job.error))
        return _ready(request) or ready()
    context = {"job": job, "what": what, "url": request.get_full_path(),
               "step_number": job.step + 1, "steps": len(job.steps)}
    if polling:
        return render(request, "workspace/_progress.html", context)
    return render(request, "workspace/progress.html", context)


def build(request: HttpRequest
          ) -> tuple[report_mod.DisparityReport, dict[str, str], engine.Input,
                     report_mod.ReportOptions]:
    """The report the query asks for, from the same engine as the CLI (built once per input
    and options: the page, its charts and its downloads share it)."""
    source, params, opts = _options(request)
    inp = engine.resolve(source)
    return engine.report(inp, opts), params, inp, opts


BY_LABELS = {
    By.RACE: "Race", By.SEX: "Sex", By.AGE_GROUP: "Age group",
    By.INCOME_QUINTILE: "Neighbourhood income quintile", By.ROLE: "Charge role",
    By.OUTCOME: "Recommended outcome", By.OUTCOME_PROPOSAL: "Outcome under the proposal",
    By.PERIOD: "Month and year", By.SEXUAL_ORIENTATION: "Sexual orientation (self-reported)",
    By.GENDER_IDENTITY: "Gender identity (self-reported)",
}
GEO_LABELS = {GeoLevel.CITY: "The whole city", GeoLevel.BOROUGH: "Each borough",
              GeoLevel.PRECINCT: "Each precinct", GeoLevel.NTA: "Each neighbourhood (NTA)"}


def _choices() -> dict[str, list[tuple[str, str]]]:
    """The report form's choices, (value, words) each."""
    return {"by": [(b.value, BY_LABELS[b]) for b in By],
            "geo": [(g.value, GEO_LABELS[g]) for g in GeoLevel]}


def _proposal_choices() -> list[tuple[str, str]]:
    """Proposal documents by file name, in words: "proposal-adult-buyers-declined" reads
    "Adult buyers declined"."""
    return [(name, name.removeprefix("proposal-").replace("-", " ").capitalize())
            for name in sorted(engine.proposals())]


def _files() -> list[str]:
    return sorted(p.stem for p in engine.uploads().glob("*.csv"))


@require_GET
@require(Action.ANALYST_WORKSPACE)
def workspace(request: HttpRequest) -> HttpResponse:
    return render(request, "workspace/index.html", {
        **_choices(), "files": _files(), "proposals": _proposal_choices()})


@require_POST
@require(Action.ANALYST_WORKSPACE)
def upload(request: HttpRequest) -> HttpResponse:
    handle = request.FILES.get("file")
    if handle is None:
        messages.error(request, "Choose an NYPD arrests CSV file to upload.")
        return redirect("workspace:index")
    digest = hashlib.sha256()
    tmp = engine.uploads() / f".upload-{request.user.pk}"
    with tmp.open("wb") as out:
        for chunk in handle.chunks():
            digest.update(chunk)
            out.write(chunk)
    name = digest.hexdigest()
    tmp.replace(engine.uploads() / f"{name}.csv")
    messages.success(request, f"Uploaded {handle.name}; reports on it use the address below.")
    return redirect(f"/workspace/report/?source={name}&by=race&geo=city")


def _fail(request: HttpRequest, exc: Exception) -> HttpResponse:
    return render(request, "workspace/error.html", {"error": str(exc)}, status=400)


@require_GET
@require(Action.ANALYST_WORKSPACE)
def report_page(request: HttpRequest) -> HttpResponse:
    try:
        source, params, opts = _options(request)
        inp = engine.resolve(source)
    except (AnalyticsError, _Bad) as exc:
        return _fail(request, exc)
    if engine.CHARTS.has((inp.key, None, opts)):
        return _ready(request) or _report_page(request, inp, params, opts)
    return _in_background(request, ("report", inp.key, opts), [
        ("Reading and preparing the arrests", lambda: engine.prepared(inp)),
        ("Computing the tables and protecting small numbers", lambda: engine.report(inp, opts)),
        ("Drawing the charts and the map", lambda: engine.charts(inp, opts)),
    ], f"the report by {params['by']}", lambda: _report_page(request, inp, params, opts))


def _report_page(request: HttpRequest, inp: engine.Input, params: dict[str, str],
                 opts: report_mod.ReportOptions) -> HttpResponse:
    try:
        report = engine.report(inp, opts)
        svgs = {name: desc for name, (desc, _) in engine.charts(inp, opts).items()}
    except (AnalyticsError, _Bad) as exc:
        return _fail(request, exc)
    data = report_mod.report_dict(report)
    query = "&".join(f"{k}={v}" for k, v in params.items() if v)
    trend = next((s for s in report.sections if s.key == "trend"), None)
    return render(request, "workspace/report.html", {
        "data": data, "params": params, "query": query, "charts": svgs,
        **_choices(),
        "period_words": report.prepared.period_words,
        "trend": html_mod.trend_table(trend.table) if trend is not None else "",
        "suppressed": opts.public,
        "effective_from": report.prepared.effective_from})


@require_GET
@require(Action.ANALYST_WORKSPACE)
def report_csv(request: HttpRequest) -> HttpResponse:
    try:
        report, params, _, _ = build(request)
    except (AnalyticsError, _Bad) as exc:
        return _fail(request, exc)
    response = HttpResponse(report_mod.render_csv(report), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="disparities-{params["by"]}.csv"'
    return response


@require_GET
@require(Action.ANALYST_WORKSPACE)
def report_html(request: HttpRequest) -> HttpResponse:
    try:
        report, params, _, _ = build(request)
    except (AnalyticsError, _Bad) as exc:
        return _fail(request, exc)
    response = HttpResponse(html_mod.render_html(report), content_type="text/html")
    response["Content-Disposition"] = f'attachment; filename="disparities-{params["by"]}.html"'
    return response


@require_GET
@require(Action.ANALYST_WORKSPACE)
def chart_svg(request: HttpRequest, name: str) -> HttpResponse:
    try:
        _, _, inp, opts = build(request)
        svgs = engine.charts(inp, opts)
    except (AnalyticsError, _Bad) as exc:
        return _fail(request, exc)
    if name not in svgs:
        return not_found(request, Action.ANALYST_WORKSPACE)
    response = HttpResponse(svgs[name][1], content_type="image/svg+xml")
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="{name}.svg"'
    return response


@require_GET
@require(Action.ANALYST_WORKSPACE)
def chart_png(request: HttpRequest, name: str) -> HttpResponse:
    try:
        _, _, inp, opts = build(request)
        png = engine.chart_png(inp, opts, name)
    except (AnalyticsError, _Bad) as exc:
        return _fail(request, exc)
    if png is None:
        return not_found(request, Action.ANALYST_WORKSPACE)
    response = HttpResponse(png, content_type="image/png")
    response["Content-Disposition"] = f'attachment; filename="{name}.png"'
    return response


@require_GET
@require(Action.ANALYST_WORKSPACE)
def whatif(request: HttpRequest) -> HttpResponse:
    """A proposal beside the policy in force on the same arrests: `sj policy simulate`'s
    tables and the disparity measures (race within each outcome) under both."""
    choices = sorted(engine.proposals())
    context: dict[str, Any] = {"proposals": _proposal_choices(), "files": _files()}
    if "proposal" not in request.GET:
        context["source"] = request.GET.get("source", engine.HISTORY)
        return render(request, "workspace/whatif.html", context)
    proposal = request.GET["proposal"]
    opts = report_mod.ReportOptions(by=Dimension.OUTCOME)
    try:
        source = _source(request, engine.HISTORY)
        if proposal not in choices:
            raise _Bad(f"no proposal document {proposal!r}; choose one of "
                       + ", ".join(choices))
        inp = engine.resolve(source)
        inp.scan()  # a store has no NYPD rows to simulate: say so now, not in the background
    except (AnalyticsError, _Bad) as exc:
        return _fail(request, exc)
    if engine.SIMULATIONS.has((inp.key, proposal)) and engine.REPORTS.has(
            (inp.key, proposal, opts)):
        return _ready(request) or _whatif_page(request, context, inp, proposal, opts)
    return _in_background(request, ("whatif", inp.key, proposal), [
        ("Screening every arrest under both policies", lambda: engine.simulation(inp, proposal)),
        ("Preparing the arrests under both policies", lambda: engine.prepared(inp, proposal)),
        ("Computing the disparity measures under both",
         lambda: engine.report(inp, opts, proposal)),
    ], f"the what-if for {proposal}",
        lambda: _whatif_page(request, context, inp, proposal, opts))


def _whatif_page(request: HttpRequest, context: dict[str, Any], inp: engine.Input,
                 proposal: str, opts: report_mod.ReportOptions) -> HttpResponse:
    try:
        sim = engine.simulation(inp, proposal)
        report = engine.report(inp, opts, proposal)
    except (AnalyticsError, _Bad) as exc:
        return _fail(request, exc)
    impact = next((s.table for s in report.sections if s.key == "impact"), None)
    share = sim.changed / sim.rows if sim.rows else 0.0
    context.update({
        "source": inp.source, "proposal": proposal, "label": inp.label, "sim": sim,
        "share": f"{share:.1%}", "transitions": sim.transitions.to_dicts(),
        "breakdown": sim.breakdown.to_dicts(),
        "side_by_side": engine.side_by_side(impact) if impact is not None else [],
        "headlines": report.headlines, "period_words": report.prepared.period_words,
        "current_label": report.prepared.policy_label,
        "proposal_label": report.prepared.proposal_label})
    return render(request, "workspace/whatif.html", context)
