"""Training records (supervisors and administrators record them) and the supervisor's
dashboard of decisions per prosecutor."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from survivors_justice.accounts.models import User
from survivors_justice.permissions import TRAINED_WORK, Action, require, why_not
from survivors_justice.training import dashboard as dash
from survivors_justice.training.models import Course, TrainingRecord
from survivors_justice.training.services import TrainingError, record_training


@require_GET
@require(Action.RECORD_TRAINING)
def training_page(request: HttpRequest) -> HttpResponse:
    staff = []
    for user in User.objects.filter(is_active=True).order_by("email"):
        status = []
        for action in TRAINED_WORK:
            reason = why_not(user, action)
            if reason is not None and reason.startswith("the role"):
                continue  # not work this role does
            status.append((action.label if hasattr(action, "label") else action.value, reason))
        staff.append((user, status))
    return render(request, "training/records.html", {
        "staff": staff, "courses": Course.choices,
        "records": TrainingRecord.objects.select_related("user", "recorded_by")[:200],
        "today": timezone.localdate(),
        "next_year": timezone.localdate() + timedelta(days=365),
    })


@require_POST
@require(Action.RECORD_TRAINING)
def record(request: HttpRequest) -> HttpResponse:
    post = request.POST
    user = User.objects.filter(pk=post.get("user") or 0, is_active=True).first()
    if user is None:
        messages.error(request, "Choose the member of staff who completed the training.")
        return redirect("training:records")
    try:
        record_training(actor=request.user, user=user, course=post.get("course", ""),
                        completed_on=date.fromisoformat(post.get("completed_on", "")),
                        expires_on=date.fromisoformat(post.get("expires_on", "")),
                        note=post.get("note", "")[:300])
    except ValueError as exc:  # TrainingError and malformed dates
        text = str(exc) if isinstance(exc, TrainingError) else "Write dates as YYYY-MM-DD."
        messages.error(request, f"Not recorded: {text}")
        return redirect("training:records")
    messages.success(request, f"Training recorded for {user.email}.")
    return redirect("training:records")


@require_GET
@require(Action.STAFF_DASHBOARD)
def dashboard(request: HttpRequest) -> HttpResponse:
    people, months = dash.summarise(dash.decision_rows(), dash.open_recheck_counts())
    return render(request, "training/dashboard.html", {"people": people, "months": months})
