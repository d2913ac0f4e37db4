"""Intake pages: the queue, the case page, accept/override, the override queue, compliance.

Thin: each view asks ``survivors_justice.permissions`` (via its decorators), calls one service and
renders. Every page that shows a defendant's record writes an audit record of the read.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from survivors_justice import fragments, limits
from survivors_justice.accounts.models import User
from survivors_justice.arrests.schema import BOROUGHS
from survivors_justice.audit.reads import audit_list_read, audit_read
from survivors_justice.audit.services import record_event
from survivors_justice.cases import compliance as compliance_figures_of
from survivors_justice.cases import (
    decisions,
    facts,
    paging,
    recommendations,
    search,
    stored_recommendation,
)
from survivors_justice.cases import rechecks as recheck_services
from survivors_justice.cases.clock import clock_of, days_class, days_text
from survivors_justice.cases.flows import CaseState, IllegalTransition
from survivors_justice.cases.forms import (
    AcceptForm,
    AmendChargeForm,
    FactsForm,
    OverrideForm,
    QueueFilterForm,
    ReasonForm,
    RecheckReviewForm,
    ReviewForm,
)
from survivors_justice.cases.models import Case, CaseRecheck, ChargingDecision, DecisionStatus
from survivors_justice.cases.recommendations import OUTCOME_LABELS
from survivors_justice.cases.templatetags.cases_tags import defendant_name
from survivors_justice.law import load_catalog
from survivors_justice.law.describe import recorded_as
from survivors_justice.permissions import (
    Action,
    NotAllowed,
    can,
    case_view,
    forbidden,
    not_found,
    open_rechecks,
    require,
    reviewable_overrides,
    visible_cases,
)

PAGE_SIZE = 25
STALE_SHOWN_MAX = 10_000


def signed_in(request: HttpRequest) -> User:
    """The signed-in account (the middleware lets no one else reach these views)."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied("sign in first")
    return user


def source_of(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


def _htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))  # django-htmx's middleware sets request.htmx


def _page_number(request: HttpRequest) -> int:
    try:
        number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1
    return limits.check_page(number)  # past the last possible page: the 400 page


_RENDERED: dict[tuple[str, int], tuple[recommendations.Recommendation, str]] = {}


def _rendered(template: str, rec: recommendations.Recommendation) -> str:
    """``template`` rendered with nothing but ``rec`` in its context.

    Recommendations are shared between cases with the same facts (recommendations.recommend), so a
    fragment that shows only the recommendation is rendered once per distinct one and process,
    not once per row or page view.
    """
    key = (template, id(rec))
    hit = _RENDERED.get(key)
    if hit is not None and hit[0] is rec:  # the identity check makes a reused id harmless
        return hit[1]
    if len(_RENDERED) > 8192:
        _RENDERED.clear()
    html = render_to_string(template, {"rec": rec})
    _RENDERED[key] = (rec, html)
    return html


def _cells(rec: recommendations.Recommendation) -> str:
    return _rendered("cases/_queue_rec_cells.html", rec)


def _rows(cases: list[Case]) -> list[dict[str, Any]]:
    """What the queue shows of each case, ready to print: the template does no look-ups per row
    (the queue is the page prosecutors load most)."""
    rows: list[dict[str, Any]] = []
    today = timezone.localdate()
    recs = search.recommendations_of(cases)
    for case in cases:
        rec = recs[case.pk]
        deadline = case.readiness_deadline  # stored with the recommendation (cases/clock.py)
        days_left = None if deadline is None else (deadline - today).days
        rows.append({
            "case": case,
            "rec": rec,
            "pk": case.pk,
            "url": reverse("cases:detail", args=[case.pk]),
            "number": case.number,
            "state": "" if case.state == CaseState.INTAKE else case.get_state_display(),
            "arrested": case.arrest.arrest_date.isoformat(),
            "deadline": "" if deadline is None else deadline.isoformat(),
            "days_text": "" if days_left is None else days_text(days_left),
            "days_class": "" if days_left is None else days_class(days_left),
            "name": defendant_name(case.defendant),
            "cells": _cells(rec),
        })
    return rows


def _filter_form_html(request: HttpRequest, form: QueueFilterForm) -> str:
    """The queue's filter form as HTML. It shows nothing but the query it was given (values and
    their errors), the same for everyone, so it is drawn once per distinct query and process (a
    third of the page's template time)."""
    key = tuple((name, tuple(request.GET.getlist(name))) for name in form.fields)
    return fragments.cached("cases/_queue_filter_form.html", key, lambda: {"form": form})


def _query(params: dict[str, str], **extra: Any) -> str:
    return "?" + urlencode({**params, **{k: str(v) for k, v in extra.items()}})


@require_GET
@require(Action.INTAKE_QUEUE)
def intake_queue(request: HttpRequest) -> HttpResponse:
    """New cases, oldest first, each with the policy's recommendation, reasons and gaps; the
    filters come from the query string (bookmarkable). An htmx request from the filter form gets
    only the results."""
    form = QueueFilterForm(request.GET)
    form.is_valid()  # errors are shown beside their fields; the valid part still filters
    wanted = form.case_filter()
    page = search.page(request.user, wanted, _page_number(request), PAGE_SIZE)
    params = wanted.params()
    # The outcome filter reads stored recommendations; say when some were evaluated again.
    stale = (
        stored_recommendation.stale_count(
            search.filtered_cases(request.user, wanted), limit=STALE_SHOWN_MAX
        )
        if wanted.outcome
        else 0
    )
    audit_list_read(
        request,
        page.items,
        action="cases.intake_queue.search" if wanted.narrows else "cases.intake_queue.read",
        details={"filter": params, "page": page.number},
    )
    context = {
        "form": form,
        "filter_form": _filter_form_html(request, form),
        "page": page,
        "rows": _rows(page.items),
        "labels": OUTCOME_LABELS,
        "filtered": wanted.narrows,
        "stale": stale,
        "stale_limit": STALE_SHOWN_MAX,
        "previous_url": _query(params, page=page.number - 1) if page.has_previous else "",
        "next_url": _query(params, page=page.number + 1) if page.has_next else "",
        "export_url": (
            reverse("cases:queue_export") + _query(params)
            if can(request.user, Action.EXPORT_CASES)
            else ""
        ),
    }
    if _htmx(request) and request.headers.get("HX-Target") == "queue-search":
        return render(request, "cases/_queue_search.html", context)
    return render(request, "cases/intake_queue.html", context)


@require_GET
@require(Action.EXPORT_CASES)
def queue_export(request: HttpRequest) -> HttpResponseBase:
    """The filtered queue as CSV, streamed. Audited before the first byte: who, the filter, how
    many rows and which cases, and whether names were in it."""
    form = QueueFilterForm(request.GET)
    if not form.is_valid():
        problems = "; ".join(f"{k}: {' '.join(str(e) for e in v)}" for k, v in form.errors.items())
        return HttpResponseBadRequest(
            f"The filter is not valid ({problems}). Correct it on the intake queue page and "
            "export again.",
            content_type="text/plain; charset=utf-8",
        )
    wanted = form.case_filter()
    ids = search.matching_ids(request.user, wanted)
    columns = search.export_columns(request.user)
    with transaction.atomic():
        record_event(
            actor=request.user.get_username(),
            action="cases.export",
            object_type="case",
            source=source_of(request),
            details={
                "path": request.path,
                "filter": wanted.params(),
                "rows": len(ids),
                "ids": [str(pk) for pk in ids],
                "personal_columns": [c for c in columns if c in search.PERSONAL_COLUMNS],
            },
        )
    name = f"intake-queue-{timezone.localdate():%Y-%m-%d}.csv"
    response = StreamingHttpResponse(
        search.csv_lines(ids, columns), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


TRAFFICKING_SORTS = {
    "deadline": "Readiness deadline, soonest first",
    "arrested": "Arrest date, oldest first",
    "-arrested": "Arrest date, newest first",
}
TRAFFICKING_SHOW = {
    "": "Every case of yours",
    "intake": "In intake (not decided yet)",
    "decided": "Decided: prosecuting with priority, or with the panel",
    "leads": "With an open trafficking lead",
}


@require_GET
@require(Action.PRIORITY_LIST)
def priority_list(request: HttpRequest) -> HttpResponse:
    """The trafficking prosecutors' queue: priority and panel cases in intake and decided, and
    cases with an open lead; arrest date, offense names, the CPL 30.30 clock; filters; sorted by
    the readiness deadline by default.

    One indexed query: membership and the deadline are kept on the case
    (``Case.trafficking_queue``, ``Case.readiness_deadline``, cases/stored_recommendation.py);
    the page's rows are checked against the permission module before they are shown."""
    from django.db.models import F

    from survivors_justice.permissions import INTAKE_STATES, open_lead_filter

    show = request.GET.get("show", "")
    show = show if show in TRAFFICKING_SHOW else ""
    sort = request.GET.get("sort", "deadline")
    sort = sort if sort in TRAFFICKING_SORTS else "deadline"
    borough = request.GET.get("borough", "")
    qs = Case.objects.filter(trafficking_queue=True)
    if show == "intake":
        qs = qs.filter(state__in=INTAKE_STATES)
    elif show == "decided":
        qs = qs.exclude(state__in=INTAKE_STATES)
    elif show == "leads":
        qs = qs.filter(open_lead_filter())
    if borough in BOROUGHS:
        qs = qs.filter(arrest__borough=borough)
    if sort == "deadline":
        ordered = qs.order_by(F("readiness_deadline").asc(nulls_last=True), "pk")
    elif sort == "arrested":
        ordered = qs.order_by("arrest__arrest_date", "pk")
    else:
        ordered = qs.order_by("-arrest__arrest_date", "-pk")
    number = _page_number(request)
    page_ids = list(
        ordered.values_list("pk", flat=True)[(number - 1) * PAGE_SIZE : number * PAGE_SIZE + 1]
    )
    has_next = len(page_ids) > PAGE_SIZE
    page_ids = page_ids[:PAGE_SIZE]
    allowed = set(visible_cases(request.user).filter(pk__in=page_ids).values_list("pk", flat=True))
    by_pk = {
        c.pk: c
        for c in paging.with_list_data(Case.objects.filter(pk__in=[p for p in page_ids
                                                                    if p in allowed]))
    }
    shown: list[dict[str, Any]] = [
        {"case": c, "clock": clock_of(c), "rec": recommendations.recommend(c)}
        for c in (by_pk[pk] for pk in page_ids if pk in by_pk)
    ]
    page = paging.Page(items=shown, number=number, has_next=has_next)
    audit_list_read(request, [r["case"] for r in shown], action="cases.priority_list.read")
    params = {k: v for k, v in {"show": show, "sort": sort, "borough": borough}.items() if v}
    return render(request, "cases/priority_list.html", {
        "page": page,
        "total": qs.count(),
        "show": show,
        "sort": sort,
        "borough": borough,
        "shows": TRAFFICKING_SHOW,
        "sorts": TRAFFICKING_SORTS,
        "boroughs": BOROUGHS,
        "previous_url": _query(params, page=number - 1) if number > 1 else "",
        "next_url": _query(params, page=number + 1) if page.has_next else "",
    })


def _back(request: HttpRequest) -> tuple[str, str]:
    """Where the breadcrumb leads: the list the person came from and may open."""
    if can(request.user, Action.INTAKE_QUEUE):
        return reverse("cases:queue"), "Intake queue"
    if can(request.user, Action.PRIORITY_LIST):
        return reverse("cases:priority_list"), "Trafficking queue"
    return reverse("accounts:home"), "Home"


def _recorded_as(case: Case) -> str:
    """The arrest's charge as recorded, with its description (the NYPD's, else the catalog's)."""
    arrest = case.arrest
    resolved = load_catalog().resolve(
        law_code=arrest.law_code, pd_cd=arrest.pd_cd or None, on=arrest.arrest_date
    )
    return recorded_as(arrest.law_code, arrest.pd_desc, resolved)


def _case_context(request: HttpRequest, case: Case, **extra: Any) -> dict[str, Any]:
    prefetch_related_objects([case.arrest], "charges")  # one query, read twice below
    rec = recommendations.recommend(case)
    history = list(case.decisions.select_related("decided_by", "reviewed_by").order_by("pk"))
    pending = next((d for d in history if d.status == DecisionStatus.PENDING), None)
    context: dict[str, Any] = {
        "case": case,
        "rec": rec,
        "rec_section": _rendered("cases/_case_rec_section.html", rec),
        "recorded_as": _recorded_as(case),
        "labels": OUTCOME_LABELS,
        "decisions": history,
        "can_decide": can(request.user, Action.DECIDE_CASE, case),
        "pending": pending,
        "can_review": pending is not None and can(request.user, Action.REVIEW_OVERRIDE, pending),
        "accept_form": AcceptForm(initial={"policy_version": rec.policy_version}),
        "review_form": ReviewForm(),
        "rechecks": recheck_services.open_for_case(case),
        "can_review_recheck": can(request.user, Action.REVIEW_RECHECK),
        "recheck_form": RecheckReviewForm(),
    }
    current = facts.current_answers(case)
    context.update(
        {
            "can_record_facts": can(request.user, Action.RECORD_FACTS, case),
            "answers": [(q, current.get(q.fact)) for q in facts.QUESTIONS],
            "facts_form": FactsForm(current=current),
            "amend_form": AmendChargeForm(),
            "can_amend": can(request.user, Action.RECORD_FACTS, case)
            and case.state == CaseState.INTAKE,
            "amendments": list(case.amendments.select_related("amended_by").order_by("pk")),
            "fact_history": list(
                case.facts.select_related("given_by").order_by("-given_at", "-pk")[:50]
            ),
            "panel_case": "panel_review" in rec.outcomes.values(),
            "can_supervisor_decide": "panel_review" in rec.outcomes.values()
            and can(request.user, Action.SUPERVISOR_DECIDE, case),
            "can_reopen": can(request.user, Action.REOPEN_DECISION, case),
            "reopen_form": ReasonForm(),
            "tasks": list(case.followups.select_related("owner").order_by("pk")),
            "back": _back(request),
            "clock": clock_of(case),
        }
    )
    context.update(extra)
    # Unbound forms are the same for every case with the same answers: drawn once per process.
    answered = tuple(sorted((k, r.answer, repr(r.value)) for k, r in current.items()))
    context["facts_fields"] = fragments.form_fields(
        "cases/_facts_fields.html", context["facts_form"], answered
    )
    context["amend_fields"] = fragments.form_fields(
        "cases/_amend_fields.html", context["amend_form"], ()
    )
    return context


@require_GET
@case_view(Action.VIEW_CASE)
def case_detail(request: HttpRequest, case: Case) -> HttpResponse:
    audit_read(request, case, action="case.read")
    return render(request, "cases/case_detail.html", _case_context(request, case))


def _stale(request: HttpRequest, pk: int) -> HttpResponse | None:
    """A decision asked of a case that left intake meanwhile (a stale tab, another person): say
    what happened, who decided it and when, instead of a bare 404. Only for a role that decides
    cases; anyone else gets what ``case_view`` gives."""
    if not can(request.user, Action.DECIDE_CASE):
        return None
    case = Case.objects.filter(pk=pk).first()
    if case is None or case.state == CaseState.INTAKE:
        return None
    messages.error(request, str(decisions.AlreadyDecided(case, decisions.in_force_decision(case))))
    if can(request.user, Action.VIEW_CASE, case):
        return redirect("cases:detail", pk=case.pk)
    return redirect("cases:queue")


def stale_guard(view: Any) -> Any:
    def inner(request: HttpRequest, pk: int, *args: Any, **kwargs: Any) -> HttpResponseBase:
        stale = _stale(request, pk)
        if stale is not None:
            if _htmx(request):
                response = HttpResponse(status=204)
                response["HX-Redirect"] = stale["Location"]
                return response
            return stale
        result: HttpResponseBase = view(request, pk, *args, **kwargs)
        return result

    inner.__name__ = getattr(view, "__name__", "view")
    return inner


@require_POST
@stale_guard
@case_view(Action.DECIDE_CASE)
def accept(request: HttpRequest, case: Case) -> HttpResponse:
    form = AcceptForm(request.POST)
    if not form.is_valid():
        return redirect("cases:detail", pk=case.pk)
    try:
        decisions.accept_recommendation(
            actor=signed_in(request),
            case_id=case.pk,
            source=source_of(request),
            policy_version=form.cleaned_data["policy_version"],
        )
    except (decisions.IntakeError, IllegalTransition) as exc:
        messages.error(request, str(exc))
        return redirect("cases:detail", pk=case.pk)
    except NotAllowed:
        return forbidden(request)
    text = f"Case {case.number}: the recommendation is recorded as decided."
    opened = case.followups.filter(state="open").count()
    if opened:
        text += f" {opened} follow-up task(s) opened for the advocates or trafficking prosecutors."
    messages.success(request, text)
    return redirect("cases:queue")


@require_http_methods(["GET", "POST"])
@stale_guard
@case_view(Action.DECIDE_CASE)
def override(request: HttpRequest, case: Case) -> HttpResponse:
    """GET: the override form (an HTMX fragment, or the full case page). POST: record it."""
    rec = recommendations.recommend(case)
    template = "cases/_override_form.html" if _htmx(request) else "cases/override.html"
    if request.method == "GET":
        form = OverrideForm(recommendation=rec)
        return render(request, template, {"case": case, "rec": rec, "form": form})
    form = OverrideForm(request.POST, recommendation=rec)
    if form.is_valid():
        try:
            decision = decisions.override_recommendation(
                actor=signed_in(request),
                case_id=case.pk,
                outcomes=form.outcomes(),
                reason_category=form.cleaned_data["reason_category"],
                reason_text=form.cleaned_data["reason_text"],
                source=source_of(request),
                policy_version=form.cleaned_data["policy_version"],
            )
        except NotAllowed:
            return forbidden(request)
        except (decisions.IntakeError, IllegalTransition) as exc:
            form.add_error(None, str(exc))
        else:
            if decision.status == DecisionStatus.PENDING:
                text = (
                    f"Case {case.number}: your override is recorded and waits for a supervisor; "
                    "nothing of it takes effect until then."
                )
            else:
                text = f"Case {case.number}: your override is recorded."
            messages.success(request, text)
            target = reverse("cases:queue")
            if _htmx(request):
                response = HttpResponse(status=204)
                response["HX-Redirect"] = target
                return response
            return redirect(target)
    # htmx swaps only 2xx answers: the fragment with its errors comes back as 200; a plain form
    # post gets 422 (Unprocessable Content), the page the same.
    status = 200 if _htmx(request) else 422
    return render(request, template, {"case": case, "rec": rec, "form": form}, status=status)


def _override_queue_page(
    request: HttpRequest, failed: ChargingDecision | None = None, form: ReviewForm | None = None
) -> HttpResponse:
    waiting = list(
        reviewable_overrides(request.user)
        .select_related("case", "case__defendant", "decided_by")
        .order_by("decided_at", "pk")[:200]
    )
    for d in waiting:
        d.rows = decisions.override_rows(d)  # type: ignore[attr-defined]  # template-only data
        d.form = (  # type: ignore[attr-defined]  # template-only data
            form if failed is not None and d.pk == failed.pk else ReviewForm()
        )
    audit_list_read(request, [d.case for d in waiting], action="cases.override_queue.read")
    return render(
        request,
        "cases/override_queue.html",
        {"decisions": waiting, "labels": OUTCOME_LABELS, "form": ReviewForm()},
        status=422 if failed is not None else 200,
    )


@require_GET
@require(Action.OVERRIDE_QUEUE)
def override_queue(request: HttpRequest) -> HttpResponse:
    return _override_queue_page(request)


@require_POST
@require(Action.REVIEW_OVERRIDE)
def review(request: HttpRequest, pk: int) -> HttpResponse:
    decision = ChargingDecision.objects.select_related("case").filter(pk=pk).first()
    if decision is not None and decision.status != DecisionStatus.PENDING:
        # a stale tab: answered meanwhile
        who = getattr(decision.reviewed_by, "email", "") or "someone"
        when = f"{decision.reviewed_at:%Y-%m-%d at %H:%M} UTC" if decision.reviewed_at else ""
        messages.error(
            request,
            f"Case {decision.case.number}: this override was already answered "
            f"({decision.get_status_display().lower()}) by {who} {when}; nothing was changed.",
        )
        return redirect("cases:overrides")
    if decision is None or not can(request.user, Action.REVIEW_OVERRIDE, decision):
        return not_found(request)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        return _override_queue_page(request, decision, form)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        decisions.review_override(
            actor=signed_in(request),
            decision_id=decision.pk,
            approve=approve,
            note=form.cleaned_data["note"],
            source=source_of(request),
        )
    except NotAllowed:
        return forbidden(request)
    except decisions.ReasonRequired as exc:
        form.add_error("note", str(exc))
        return _override_queue_page(request, decision, form)
    except (decisions.IntakeError, IllegalTransition) as exc:
        messages.error(request, str(exc))
        return redirect("cases:overrides")
    verb = "approved" if approve else "refused"
    messages.success(request, f"Case {decision.case.number}: override {verb}.")
    return redirect("cases:overrides")


@require_GET
@require(Action.COMPLIANCE)
def compliance(request: HttpRequest) -> HttpResponse:
    figures = compliance_figures_of.compliance_figures()
    return render(request, "cases/compliance.html", {"figures": figures})


@require_GET
@require(Action.RECHECKS)
def rechecks(request: HttpRequest) -> HttpResponse:
    """Decided cases whose recommendation a catalog correction changed, oldest first."""
    rows = recheck_services.listed(open_rechecks(request.user))
    audit_list_read(request, [r.case for r, _ in rows], action="cases.rechecks.read")
    return render(
        request,
        "cases/rechecks.html",
        {
            "rows": rows,
            "can_review_recheck": can(request.user, Action.REVIEW_RECHECK),
            "recheck_form": RecheckReviewForm(),
        },
    )


@require_POST
@require(Action.REVIEW_RECHECK)
def recheck_review(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one recheck reviewed with a note; back to the list (the case may leave intake's view
    once its last recheck is reviewed)."""
    recheck = CaseRecheck.objects.select_related("case").filter(pk=pk).first()
    if recheck is None or not can(request.user, Action.VIEW_CASE, recheck.case):
        return not_found(request)
    back = "cases:rechecks"
    form = RecheckReviewForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, f"Case {recheck.case.number}: write a short note to mark the recheck reviewed."
        )
        return redirect("cases:detail", pk=recheck.case_id)
    try:
        recheck_services.mark_reviewed(
            actor=signed_in(request),
            recheck_id=recheck.pk,
            note=form.cleaned_data["note"],
            source=source_of(request),
        )
    except NotAllowed:
        return forbidden(request)
    except (recheck_services.RecheckNoteRequired, recheck_services.RecheckNoteTooLong) as exc:
        messages.error(request, str(exc))
        return redirect("cases:detail", pk=recheck.case_id)
    except recheck_services.RecheckAlreadyReviewed as exc:  # answered in another tab meanwhile
        messages.error(request, str(exc))
        return redirect(back)
    messages.success(request, f"Case {recheck.case.number}: the recheck is marked reviewed.")
    return redirect(back)
