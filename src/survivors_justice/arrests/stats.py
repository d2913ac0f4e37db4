"""Counts of what the store holds: the status page and `sj status --json` show the same figures."""

from __future__ import annotations

from typing import Any

from django.db.models import Count


def store_counts() -> dict[str, Any]:
    from survivors_justice.arrests.models import Arrest, Charge
    from survivors_justice.audit.models import AuditRecord
    from survivors_justice.cases.models import Case

    by_role = {
        row["role"]: row["n"]
        for row in Charge.objects.filter(status="cataloged")
        .values("role")
        .annotate(n=Count("id"))
        .order_by("role")
    }
    return {
        "arrests": Arrest.objects.count(),
        "cases": Case.objects.count(),
        "charges": Charge.objects.count(),
        "charges_by_role": by_role,
        "prostitution_related": sum(by_role.values()),
        "unknown_charges": Charge.objects.filter(status="unknown").count(),
        "audit_records": AuditRecord.objects.count(),
    }
