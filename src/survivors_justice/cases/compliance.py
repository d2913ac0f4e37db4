"""The compliance page's figures: how the office's decisions followed the policy, and by whom."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Q

from survivors_justice.cases.models import ChargingDecision, DecisionKind, DecisionStatus


@dataclass(frozen=True)
class DepartureRow:
    """One decision other than the recommendation, as the compliance page lists it."""

    case_id: int
    case_number: str
    month: str  # "2026-11"
    kind: str
    status: str
    roles: str  # the charge roles the departure changed, "buyer, seller"
    recommended: str
    decided: str
    decided_by: str
    reviewed_by: str
    reason: str
    panel: str = ""  # the review panel's finding the decision departs from ("" if none)


def _panel_finding(decision: ChargingDecision) -> str:
    """The review panel's finding the recommendation answered (read from the facts it read)."""
    for charge in (decision.recommendation or {}).get("charges") or []:
        finding = (charge.get("facts") or {}).get("panel.determination")
        if finding and finding != "none":
            return str(finding).replace("_", " ")
    return ""


def _departure_roles(decision: ChargingDecision) -> list[str]:
    """The role of each charge whose decided outcome is not the recommended one."""
    charges = (decision.recommendation or {}).get("charges") or []
    positions = sorted(decision.outcomes, key=int)
    roles = []
    for i, position in enumerate(positions):
        charge = charges[i] if i < len(charges) else {}
        if charge.get("outcome") != decision.outcomes[position]:
            roles.append(str(charge.get("role") or "not catalogued"))
    return roles or ["not catalogued"]


def departure_figures(limit: int = 500) -> dict[str, object]:
    """Every departure: overrides (any outcome other than the recommendation) and decisions of a
    panel case by a supervisor, newest first, and counts by month, prosecutor and charge role."""
    from survivors_justice.cases.recommendations import OUTCOME_LABELS

    qs = (
        ChargingDecision.objects.filter(kind__in=(DecisionKind.OVERRIDE, DecisionKind.SUPERVISOR))
        .select_related("case", "decided_by", "reviewed_by")
        .order_by("-decided_at", "-pk")
    )
    rows: list[DepartureRow] = []
    months: Counter[str] = Counter()
    people: dict[str, Counter[str]] = {}
    roles: Counter[str] = Counter()
    pending = total = 0
    for d in qs.iterator(chunk_size=500):
        if d.status == DecisionStatus.PENDING:
            pending += 1
        else:
            total += 1
        month = f"{d.decided_at:%Y-%m}"
        months[month] += 1
        who = d.decided_by.email
        people.setdefault(who, Counter())[d.status] += 1
        changed = _departure_roles(d)
        roles.update(set(changed))
        if len(rows) < limit:
            rec = [str(c.get("outcome", "")) for c in (d.recommendation or {}).get("charges") or []]
            rows.append(
                DepartureRow(
                    case_id=d.case_id,
                    case_number=d.case.number,
                    month=month,
                    kind=d.get_kind_display(),
                    status=d.get_status_display(),
                    roles=", ".join(sorted(set(changed))),
                    recommended="; ".join(OUTCOME_LABELS.get(o, o) for o in rec),
                    decided="; ".join(
                        OUTCOME_LABELS.get(d.outcomes[p], d.outcomes[p])
                        for p in sorted(d.outcomes, key=int)
                    ),
                    decided_by=who,
                    reviewed_by=d.reviewed_by.email if d.reviewed_by else "",
                    reason=d.reason_text,
                    panel=_panel_finding(d),
                )
            )
    by_person = [
        PersonFigures(
            email=email,
            overrides=sum(c.values()),
            approved=c[DecisionStatus.APPROVED],
            refused=c[DecisionStatus.REFUSED],
            pending=c[DecisionStatus.PENDING],
        )
        for email, c in sorted(people.items())
    ]
    return {
        "departures": total,
        "departures_pending": pending,
        "departure_rows": rows,
        "departures_by_month": sorted(months.items(), reverse=True),
        "departures_by_prosecutor": by_person,
        "departures_by_role": sorted(roles.items()),
    }


@dataclass(frozen=True)
class PersonFigures:
    email: str
    declined: int = 0  # selling-sex cases decided as the policy recommends
    overrides: int = 0  # overrides of a decline asked for
    approved: int = 0
    refused: int = 0
    pending: int = 0


@dataclass(frozen=True)
class Compliance:
    seller_cases: int
    declined_as_recommended: int
    overrides_requested: int
    overrides_pending: int
    overrides_approved: int
    overrides_refused: int
    by_prosecutor: list[PersonFigures]
    by_supervisor: list[PersonFigures]
    # Every departure from the policy (any decision other than the recommendation)
    departures: int = 0  # in force or refused: reviewed, or decided by a supervisor
    departures_pending: int = 0
    departure_rows: list[DepartureRow] = field(default_factory=list)
    departures_by_month: list[tuple[str, int]] = field(default_factory=list)
    departures_by_prosecutor: list[PersonFigures] = field(default_factory=list)
    departures_by_role: list[tuple[str, int]] = field(default_factory=list)


def compliance_figures() -> Compliance:
    """Selling-sex cases (the policy declined a charge): declined, overridden, and by whom."""
    sellers = ChargingDecision.objects.filter(seller_case=True)
    overridden = Q(declines_overridden=True)
    totals = sellers.aggregate(
        seller_cases=Count("pk"),
        declined=Count("pk", filter=~overridden),
        requested=Count("pk", filter=overridden),
        pending=Count("pk", filter=overridden & Q(status=DecisionStatus.PENDING)),
        approved=Count("pk", filter=overridden & Q(status=DecisionStatus.APPROVED)),
        refused=Count("pk", filter=overridden & Q(status=DecisionStatus.REFUSED)),
    )
    by_prosecutor = [
        PersonFigures(
            email=row["decided_by__email"],
            declined=row["declined"],
            overrides=row["overrides"],
            approved=row["approved"],
            refused=row["refused"],
            pending=row["pending"],
        )
        for row in sellers.values("decided_by__email")
        .annotate(
            declined=Count("pk", filter=~overridden),
            overrides=Count("pk", filter=overridden),
            approved=Count("pk", filter=overridden & Q(status=DecisionStatus.APPROVED)),
            refused=Count("pk", filter=overridden & Q(status=DecisionStatus.REFUSED)),
            pending=Count("pk", filter=overridden & Q(status=DecisionStatus.PENDING)),
        )
        .order_by("decided_by__email")
    ]
    by_supervisor = [
        PersonFigures(
            email=row["reviewed_by__email"], approved=row["approved"], refused=row["refused"]
        )
        for row in sellers.filter(overridden, reviewed_by__isnull=False)
        .values("reviewed_by__email")
        .annotate(
            approved=Count("pk", filter=Q(status=DecisionStatus.APPROVED)),
            refused=Count("pk", filter=Q(status=DecisionStatus.REFUSED)),
        )
        .order_by("reviewed_by__email")
    ]
    return Compliance(
        seller_cases=totals["seller_cases"],
        declined_as_recommended=totals["declined"],
        overrides_requested=totals["requested"],
        overrides_pending=totals["pending"],
        overrides_approved=totals["approved"],
        overrides_refused=totals["refused"],
        by_prosecutor=by_prosecutor,
        by_supervisor=by_supervisor,
        **departure_figures(),  # type: ignore[arg-type]  # the keys are the fields above
    )
