"""The court calendar: plans built from the office's docket (or an uploaded one), side by side
with first come, first served, and a supervisor's adoption of one (never by its builder)."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from survivors_justice.cases.models import Case
from survivors_justice.courts import presentation as show
from survivors_justice.courts.models import CourtPlan, PlanSource, PlanState
from survivors_justice.courts.services import CourtPlanError, adopt_plan, build_plan
from survivors_justice.permissions import (
    Action,
    NotAllowed,
    can,
    forbidden,
    not_found,
    require,
    visible_cases,
)
from survivors_justice.scheduling import DocketError, parse_docket
from survivors_justice.scheduling.ics import COURT_TZ, plan_calendar

MAX_UPLOAD_BYTES = 2 * 1024 * 1024


def time_limits() -> tuple[float, float]:
    """(default, most) seconds the solver may take while the person waits for the page."""
    default = float(getattr(settings, "COURT_PLAN_TIME_LIMIT", 10.0))
    most = float(getattr(settings, "COURT_PLAN_MAX_TIME_LIMIT", 30.0))
    return default, most


@require_GET
@require(Action.COURT_CALENDAR)
def calendar(request: HttpRequest) -> HttpResponse:
    plans = CourtPlan.objects.select_related("built_by", "adopted_by")[:50]
    rows = [{"plan": p, "metrics": p.result["plan"]["metrics"],
             "fifo": p.result["fifo"]["metrics"], "cases": len(p.docket.get("cases", []))}
            for p in plans]
    default, most = time_limits()
    return render(request, "courts/calendar.html", {
        "rows": rows, "default_limit": int(default), "max_limit": int(most),
        "may_build": can(request.user, Action.BUILD_COURT_PLAN)})


def _docket_from_request(request: HttpRequest) -> tuple[dict[str, Any], str]:
    if request.POST.get("source") == PlanSource.UPLOAD:
        upload = request.FILES.get("docket")
        if upload is None:
            raise CourtPlanError("choose a docket file (JSON) to upload")
        if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
            raise CourtPlanError(f"the docket file is {upload.size} bytes; the most is "
                                 f"{MAX_UPLOAD_BYTES} — split it into fewer weeks")
        try:
            data = json.loads(upload.read().decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CourtPlanError(f"the docket file is not JSON ({exc}); "
                                 "see the docket format in the README") from None
        return data, PlanSource.UPLOAD
    from survivors_justice.courts.docket import docket_from_db, next_monday

    start = next_monday(datetime.now(tz=COURT_TZ).date())
    if request.POST.get("start"):
        try:
            start = date.fromisoformat(request.POST["start"])
        except ValueError:
            raise CourtPlanError(f"first court day {request.POST['start']!r} is not a date; "
                                 "write YYYY-MM-DD") from None
    data = docket_from_db(start=start)
    if not data["cases"]:
        raise CourtPlanError("no case is being prosecuted, so there is nothing to plan")
    return data, PlanSource.OFFICE


@require_POST
@require(Action.BUILD_COURT_PLAN)
def build(request: HttpRequest) -> HttpResponse:
    default, most = time_limits()
    try:
        limit = float(request.POST.get("time_limit") or default)
    except ValueError:
        limit = default
    limit = min(max(limit, 1.0), most)
    try:
        docket, source = _docket_from_request(request)
        plan = build_plan(actor=request.user, docket=docket, source=source, time_limit=limit)
    except (CourtPlanError, DocketError) as exc:
        messages.error(request, f"No plan was made: {exc}")
        return redirect("courts:calendar")
    messages.success(request, f"Plan {plan.pk} is ready. It is a proposal until a supervisor "
                              "other than you adopts it.")
    return redirect("courts:plan", pk=plan.pk)


def _plan_or_404(request: HttpRequest, pk: int) -> CourtPlan | None:
    return CourtPlan.objects.select_related("built_by", "adopted_by").filter(pk=pk).first()


def _labels(request: HttpRequest, plan: CourtPlan) -> tuple[Any, show.Labels]:
    docket = parse_docket(plan.docket)
    ids = [c.id for c in docket.cases]
    office = set(Case.objects.filter(number__in=ids).values_list("number", flat=True))
    mine = set(visible_cases(request.user).filter(number__in=ids)
               .values_list("number", flat=True))
    return docket, show.make_labels(docket, office - mine)


@require_GET
@require(Action.COURT_CALENDAR)
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan_or_404(request, pk)
    if plan is None:
        return not_found(request, Action.COURT_CALENDAR)
    docket, labels = _labels(request, plan)
    hearings = show.hearings_of(plan.result, "plan")
    fifo = show.hearings_of(plan.result, "fifo")
    lines = show.case_lines(docket, hearings, fifo, labels)
    return render(request, "courts/plan.html", {
        "plan": plan, "result": plan.result["plan"],
        "metrics": show.metric_rows(plan.result),
        "grid": show.grid(docket, hearings, labels),
        "lines": lines,
        "risks": [line for line in lines if line["risk"] != "none"],
        "encounters": show.encounters(docket, hearings, labels),
        "start": docket.start_date, "end": docket.end_date,
        "explanation": [labels.text(t) for t in plan.result["plan"].get("explanation", [])],
        "may_adopt": can(request.user, Action.ADOPT_COURT_PLAN, plan),
        "own": plan.built_by_id == request.user.pk,
        "is_supervisor": can(request.user, Action.ADOPT_COURT_PLAN),
    })


@require_POST
@require(Action.ADOPT_COURT_PLAN)
def adopt(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan_or_404(request, pk)
    if plan is None:
        return not_found(request, Action.ADOPT_COURT_PLAN)
    if plan.state == PlanState.PROPOSED and not can(request.user, Action.ADOPT_COURT_PLAN, plan):
        return forbidden(request, Action.ADOPT_COURT_PLAN)  # its builder
    try:
        adopt_plan(actor=request.user, plan_id=plan.pk)
    except (CourtPlanError, NotAllowed) as exc:
        messages.error(request, f"Not adopted: {exc}")
        return redirect("courts:plan", pk=plan.pk)
    messages.success(request, f"Plan {plan.pk} is adopted; it is the office's court calendar.")
    return redirect("courts:plan", pk=plan.pk)


@require_GET
@require(Action.COURT_CALENDAR)
def plan_ics(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan_or_404(request, pk)
    if plan is None:
        return not_found(request, Action.COURT_CALENDAR)
    _, labels = _labels(request, plan)
    hearings = show.labelled(show.hearings_of(plan.result, "plan"), labels)
    body = plan_calendar(f"Court plan {plan.pk}", hearings)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="court-plan-{plan.pk}.ics"'
    return response
