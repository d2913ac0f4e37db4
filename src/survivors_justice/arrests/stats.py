"""Counts of what the store holds: the status page and `sj status --json` show the same figures."""

from __future__ import annotations

from typing import Any

from django.db.models import Count


def store_counts() -> dict[str, Any]:
    from survivors_justice.arrests.catalogs import known_version_id, shipped_digest
    from survivors_justice.arrests.models import Arrest, Charge
    from survivors_justice.audit.models import AuditRecord
    from survivors_justice.cases.models import Case, CaseRecheck

    by_role = {
        row["role"]: row["n"]
        for row in Charge.objects.filter(status="cataloged")
        .values("role")
        .annotate(n=Count("id"))
        .order_by("role")
    }
    digest = shipped_digest()
    current = known_version_id(digest)
    # Charges read by another catalog than the one in force, or before catalogs were recorded.
    other = Charge.objects.all() if current is None else Charge.objects.exclude(catalog_id=current)
    return {
        "arrests": Arrest.objects.count(),
        "cases": Case.objects.count(),
        "charges": Charge.objects.count(),
        "charges_by_role": by_role,
        "prostitution_related": sum(by_role.values()),
        "unknown_charges": Charge.objects.filter(status="unknown").count(),
        "catalog": digest,
        "charges_other_catalog": other.count(),
        # Open rechecks only: one marked reviewed (cases.rechecks.mark_reviewed) is done with.
        "cases_to_recheck": CaseRecheck.objects.filter(reviewed_at__isnull=True)
        .values("case")
        .distinct()
        .count(),
        "audit_records": AuditRecord.objects.count(),
    }
