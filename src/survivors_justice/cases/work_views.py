"""Pages for the work around a decision: facts and charge amendments, a supervisor's decision of
a panel case, reopening, decided cases ("my decisions"), bulk acceptance of selling-sex declines,
and the follow-up task queues. Thin: permissions decide, one service writes, the page renders.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from survivors_justice.accounts.models import User
from survivors_justice.audit.reads import audit_list_read
from survivors_justice.cases import decisions, facts, followups, paging, recommendations
from survivors_justice.cases.flows import IllegalTransition
from survivors_justice.cases.forms import (
    AmendChargeForm,
    BulkAcceptForm,
    FactsForm,
    ReasonForm,
    SupervisorDecisionForm,
    TaskAssignForm,
    TaskCloseForm,
)
from survivors_justice.cases.models import Case, FollowUpTask
from survivors_justice.cases.views import _case_context, signed_in, source_of
from survivors_justice.permissions import (
    Action,
    NotAllowed,
    can,
    case_view,
    decided_cases,
    followup_tasks,
    forbidden,
    not_found,
    require,
    visible_cases,
)

PAGE_SIZE = 25


def _case_page(request: HttpRequest, case: Case, status: int = 200, **extra: Any) -> HttpResponse:
    return render(request, "cases/case_detail.html", _case_context(request, case, **extra),
                  status=status)


def _rescreened_message(request: HttpRequest, case: Case, result: facts.Rescreened) -> None:
    messages.success(request, f"Case {case.number}: saved and screened again. {result.summary()}")


@require_POST
@case_view(Action.RECORD_FACTS)
def record_facts(request: HttpRequest, case: Case) -> HttpResponse:
    form = FactsForm(request.POST, current=facts.current_answers(case))
    if form.is_valid():
        try:
            result = facts.record_facts(
                actor=signed_in(request),
                case=case,
                answers=form.answers(),
                source=form.cleaned_data["source"],
                note=form.cleaned_data["note"],
                origin=source_of(request),
            )
        except NotAllowed:
            return forbidden(request)
        except facts.FactError as exc:
            form.add_error(None, str(exc))
        else:
            _rescreened_message(request, case, result)
            return redirect(reverse("cases:detail", args=[case.pk]) + "#facts-h")
    return _case_page(request, case, status=422, facts_form=form)


@require_POST
@case_view(Action.RECORD_FACTS)
def amend_charge(request: HttpRequest, case: Case) -> HttpResponse:
    form = AmendChargeForm(request.POST)
    if form.is_valid():
        try:
            result = facts.amend_charge(
                actor=signed_in(request),
                case=case,
                action=form.cleaned_data["action"],
                position=form.cleaned_data["position"],
                law_code=form.cleaned_data["law_code"] or "",
                reason=form.cleaned_data["reason"],
                origin=source_of(request),
            )
        except NotAllowed:
            return forbidden(request)
        except facts.FactError as exc:
            form.add_error(None, str(exc))
        else:
            _rescreened_message(request, case, result)
            return redirect(reverse("cases:detail", args=[case.pk]) + "#charges-h")
    return _case_page(request, case, status=422, amend_form=form)


@require_http_methods(["GET", "POST"])
@case_view(Action.SUPERVISOR_DECIDE)
def supervisor_decision(request: HttpRequest, case: Case) -> HttpResponse:
    """A supervisor decides a case the policy sends to the review panel, with a written reason."""
    rec = recommendations.recommend(case)
    form = SupervisorDecisionForm(request.POST or None, recommendation=rec)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                decisions.supervisor_decide(
                    actor=signed_in(request),
                    case_id=case.pk,
                    outcomes=form.outcomes(),
                    reason_text=form.cleaned_data["reason_text"],
                    source=source_of(request),
                    policy_version=form.cleaned_data["policy_version"],
                )
            except NotAllowed:
                return forbidden(request)
            except (decisions.IntakeError, IllegalTransition) as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"Case {case.number}: your decision is recorded.")
                return redirect("cases:detail", pk=case.pk)
    return render(request, "cases/supervisor_decision.html",
                  {"case": case, "rec": rec, "form": form}, status=status)


@require_POST
@case_view(Action.REOPEN_DECISION)
def reopen(request: HttpRequest, case: Case) -> HttpResponse:
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            decisions.reopen_decision(
                actor=signed_in(request), case_id=case.pk, reason=form.cleaned_data["reason"],
                source=source_of(request),
            )
        except NotAllowed:
            return forbidden(request)
        except (decisions.IntakeError, IllegalTransition) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Case {case.number} is back in intake.")
            return redirect("cases:detail", pk=case.pk)
    return _case_page(request, case, status=422, reopen_form=form)


@require_GET
@require(Action.DECIDED_CASES)
def decided(request: HttpRequest) -> HttpResponse:
    """My decisions (decided or reviewed); a supervisor may list every decision (?all=1)."""
    everyone = request.GET.get("all") == "1" and can(request.user, Action.REOPEN_DECISION)
    qs = (
        decided_cases(request.user, mine=not everyone)
        .select_related("case", "case__arrest", "decided_by", "reviewed_by")
        .order_by("-decided_at", "-pk")
    )
    try:
        number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        number = 1
    page = paging.page_of(qs, number, PAGE_SIZE)
    audit_list_read(request, [d.case for d in page.items], action="cases.decided.read")
    return render(request, "cases/decided.html", {"page": page, "everyone": everyone})


@require_http_methods(["GET", "POST"])
@require(Action.BULK_ACCEPT)
def bulk_accept(request: HttpRequest) -> HttpResponse:
    """Selling-sex declines in intake with no unknown fact that could change them; a supervisor
    accepts the recommendation for the ones ticked, one audited decision per case."""
    from survivors_justice.cases.search import CaseFilter, matching_ids

    borough = request.GET.get("borough", "")
    wanted = CaseFilter(outcome="decline", role="seller", borough=borough)
    ids = matching_ids(request.user, wanted, limit=500)
    rows: list[dict[str, Any]] = []
    for case in paging.with_list_data(Case.objects.filter(pk__in=ids).order_by("pk")):
        rec = recommendations.recommend(case)
        if decisions.bulk_acceptable(case, rec) is None:
            rows.append({"case": case, "rec": rec})
    form = BulkAcceptForm(request.POST or None, case_ids=[r["case"].pk for r in rows])
    if request.method == "POST" and form.is_valid():
        try:
            made = decisions.bulk_accept(
                actor=signed_in(request), case_ids=form.cleaned_data["cases"],
                source=source_of(request),
            )
        except NotAllowed:
            return forbidden(request)
        except (decisions.IntakeError, IllegalTransition) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"{len(made)} case(s) declined as the policy recommends.")
            return redirect("cases:bulk_accept")
    audit_list_read(request, [r["case"] for r in rows], action="cases.bulk_accept.read")
    status = 422 if request.method == "POST" else 200
    return render(request, "cases/bulk_accept.html",
                  {"rows": rows, "form": form, "borough": borough}, status=status)


# --- follow-up tasks -----------------------------------------------------------------------------


@require_GET
@require(Action.FOLLOWUP_QUEUE)
def followup_queue(request: HttpRequest) -> HttpResponse:
    show = request.GET.get("show", "open")
    if show not in ("open", "mine", "closed"):
        show = "open"
    qs = followups.queue(signed_in(request), show=show)
    try:
        number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        number = 1
    page = paging.page_of(qs, number, PAGE_SIZE)
    audit_list_read(request, [t.case for t in page.items], action="cases.followups.read")
    return render(request, "cases/followups.html", {
        "page": page, "show": show, "close_form": TaskCloseForm(), "assign_form": TaskAssignForm(),
        "can_open_cases": can(request.user, Action.VIEW_CASE),
        "visible": set(visible_cases(request.user).filter(
            pk__in=[t.case_id for t in page.items]).values_list("pk", flat=True)),
    })


def _task(request: HttpRequest, pk: int) -> FollowUpTask | None:
    task = followup_tasks(request.user).filter(pk=pk).select_related("case").first()
    return task


def _task_action(request: HttpRequest, pk: int, run: Any, done: str) -> HttpResponse:
    task = _task(request, pk)
    if task is None:
        return not_found(request)
    try:
        run(task)
    except NotAllowed:
        return forbidden(request)
    except followups.FollowUpError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Case {task.case.number}: {done}.")
    return redirect(request.POST.get("next") or reverse("cases:followups"))


@require_POST
@require(Action.WORK_FOLLOWUP)
def task_take(request: HttpRequest, pk: int) -> HttpResponse:
    return _task_action(
        request, pk,
        lambda t: followups.take(actor=signed_in(request), task_id=t.pk,
                                 source=source_of(request)),
        "the task is yours",
    )


@require_POST
@require(Action.WORK_FOLLOWUP)
def task_assign(request: HttpRequest, pk: int) -> HttpResponse:
    form = TaskAssignForm(request.POST)
    to = None
    if form.is_valid():
        to = User.objects.filter(email=form.cleaned_data["to"].lower()).first()
    if to is None:
        messages.error(request, "No account with that email; check it and try again.")
        return redirect("cases:followups")
    return _task_action(
        request, pk,
        lambda t: followups.assign(actor=signed_in(request), task_id=t.pk, to=to,
                                   source=source_of(request)),
        f"the task is now {to.email}'s",
    )


@require_POST
@require(Action.WORK_FOLLOWUP)
def task_close(request: HttpRequest, pk: int) -> HttpResponse:
    form = TaskCloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose Done or Not needed to close the task.")
        return redirect("cases:followups")
    done = form.cleaned_data["outcome"] == "done"
    return _task_action(
        request, pk,
        lambda t: followups.close(actor=signed_in(request), task_id=t.pk, done=done,
                                  note=form.cleaned_data["note"], source=source_of(request)),
        "the task is closed" if done else "the task is cancelled",
    )
