"""Counts of what the store holds: the status page and `sj status --json` show the same figures."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, OuterRef, Q

from survivors_justice.arrests.scope import office_scope


def store_counts() -> dict[str, Any]:
    from survivors_justice.arrests.catalogs import known_version_id, shipped_digest
    from survivors_justice.arrests.models import Arrest, Charge
    from survivors_justice.audit.models import AuditRecord
    from survivors_justice.audit.runs import unfinished_runs
    from survivors_justice.cases.models import Case, CaseRecheck

    by_role = {
        row["role"]: row["n"]
        for row in Charge.objects.filter(status="cataloged")
        .values("role")
        .annotate(n=Count("id"))
        .order_by("role")
    }
    # as arrests.reader.opens_case decides; a semi-join (EXISTS), not a join made distinct, which
    # PostgreSQL answered by sorting every column of every arrest
    opens = Q(status="cataloged") | Q(status="unknown", section__isnull=False)
    related = Arrest.objects.filter(
        Exists(Charge.objects.filter(opens, arrest_id=OuterRef("pk")))
    )
    scope = office_scope()
    # The four counts of related arrests in one pass: each EXISTS test is the page's costliest
    # part (about 100 ms over 200,000 arrests on PostgreSQL), so it is made once, not four times.
    everywhere = Q(pk__isnull=False)
    in_county = everywhere if scope.county == "all" else Q(borough=scope.county)
    before_start = (
        Q(pk__isnull=True) if scope.start is None else Q(arrest_date__lt=scope.start)
    )
    figures = related.aggregate(
        total=Count("pk"),
        in_scope=Count("pk", filter=scope.q() or everywhere),
        in_county=Count("pk", filter=in_county),
        before_start=Count("pk", filter=in_county & before_start),
    )
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
        # Prostitution-related arrests in and outside the office's scope (arrests.scope).
        "office": {
            "county": scope.county,
            "intake_start": None if scope.start is None else scope.start.isoformat(),
            "scope": scope.describe(),
        },
        "related_arrests": figures["total"],
        "related_arrests_in_scope": figures["in_scope"],
        "related_arrests_other_counties": figures["total"] - figures["in_county"],
        "related_arrests_before_start": figures["before_start"],
        # Imports killed part-way (their committed chunks stay) that no later run finished.
        "interrupted_imports": [
            r.as_dict()
            for r in unfinished_runs(include_finished=False, actions=["arrests.import"])
        ],
    }
