"""The audit administration page: list and filter the log, run the chain verification.

Administrators only (DESIGN.md > Users: "audit verification"). The log holds no personal data by
design (record_event's contract), so the page shows every field.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from survivors_justice import limits
from survivors_justice.accounts.roles import Role
from survivors_justice.audit.models import AuditRecord
from survivors_justice.audit.services import OUTCOMES, record_event, verify

PAGE_SIZE = 50


def _deny_unless_admin(request: HttpRequest) -> HttpResponse | None:
    if getattr(request.user, "role", None) != Role.ADMIN:
        return render(request, "403.html",
                      {"reason": "Only administrators can read the audit log."}, status=403)
    return None


def _date(value: str) -> datetime | None:
    try:
        day = datetime.strptime(value, "%Y-%m-%d").date()  # noqa: DTZ007 (a date; zone added below)
    except ValueError:
        return None
    if not limits.MIN_DATE <= day <= limits.MAX_DATE:
        return None  # shown as an error; 9999-12-31 + 1 day would overflow
    return timezone.make_aware(datetime.combine(day, time.min))


def filtered(params: Any) -> tuple[QuerySet[AuditRecord], dict[str, str], list[str]]:
    """The records matching the filter form, the cleaned filter values, and any input errors."""
    qs = AuditRecord.objects.all()
    values = {k: str(params.get(k, "")).strip() for k in
              ("actor", "action", "outcome", "object_type", "object_id", "source", "since",
               "until")}
    errors = []
    if values["actor"]:
        qs = qs.filter(actor__icontains=values["actor"])
    if values["action"]:
        qs = qs.filter(Q(action=values["action"]) | Q(action__startswith=values["action"] + "."))
    if values["outcome"]:
        if values["outcome"] in OUTCOMES:
            qs = qs.filter(outcome=values["outcome"])
        else:
            errors.append(f"Outcome {values['outcome']!r} is not one of {', '.join(OUTCOMES)}.")
    if values["object_type"]:
        qs = qs.filter(object_type=values["object_type"])
    if values["object_id"]:
        qs = qs.filter(object_id=values["object_id"])
    if values["source"]:
        qs = qs.filter(source__startswith=values["source"])
    for key, op in (("since", "gte"), ("until", "lt")):
        if values[key]:
            start = _date(values[key])
            if start is None:
                errors.append(
                    f"{values[key]!r} is not a date like 2026-11-28 between "
                    f"{limits.MIN_DATE:%Y-%m-%d} and {limits.MAX_DATE:%Y-%m-%d}."
                )
                continue
            qs = qs.filter(**{f"at__{op}": start if op == "gte" else start + timedelta(days=1)})
    return qs.order_by("-seq"), values, errors


def _page(value: str | None) -> int:
    """The page asked for (Paginator.get_page shows the last page for one past the end)."""
    try:
        number = int(value or "1")
    except ValueError:
        return 1
    return limits.check_page(max(1, number))


@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    denied = _deny_unless_admin(request)
    if denied is not None:
        return denied
    qs, values, errors = filtered(request.GET)
    page = Paginator(qs, PAGE_SIZE).get_page(_page(request.GET.get("page")))
    query = urlencode({k: v for k, v in values.items() if v})
    context = {
        "page": page,
        "filters": values,
        "errors": errors,
        "outcomes": OUTCOMES,
        "actions": list(
            AuditRecord.objects.order_by("action").values_list("action", flat=True).distinct()
        ),
        "query": query,
    }
    template = "audit/_table.html" if getattr(request, "htmx", False) else "audit/log.html"
    return render(request, template, context)


@require_POST
def run_verification(request: HttpRequest) -> HttpResponse:
    denied = _deny_unless_admin(request)
    if denied is not None:
        return denied
    result = verify()
    record_event(
        actor=request.user.get_username(), action="audit.verify",
        source=str(request.META.get("REMOTE_ADDR", "")),
        outcome="success" if result.ok else "failed",
        details={"checked": result.checked, "head_seq": result.head_seq},
    )
    context: dict[str, Any] = {"result": result}
    if getattr(request, "htmx", False):
        return render(request, "audit/_verify_result.html", context)
    qs, values, errors = filtered({})
    page = Paginator(qs, PAGE_SIZE).get_page(1)
    context.update({"page": page, "filters": values, "errors": errors, "outcomes": OUTCOMES,
                    "actions": list(AuditRecord.objects.order_by("action")
                                    .values_list("action", flat=True).distinct()),
                    "query": ""})
    return render(request, "audit/log.html", context)
