"""The supervisor's dashboard: decisions per prosecutor beside their peers, and the policy's
compliance measures by month. Reads only."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from statistics import median
from typing import Any


@dataclass
class ProsecutorRow:
    email: str
    decisions: int = 0
    departures: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    days: list[int] = field(default_factory=list)
    open_rechecks: int = 0
    peer_departure_rate: float | None = None
    peer_median_days: float | None = None

    @property
    def departure_rate(self) -> float | None:
        return self.departures / self.decisions if self.decisions else None

    @property
    def median_days(self) -> float | None:
        return float(median(self.days)) if self.days else None

    @property
    def reason_list(self) -> list[tuple[str, int]]:
        return sorted(self.reasons.items())


@dataclass
class MonthRow:
    month: str
    decisions: int = 0
    departures: int = 0
    seller_cases: int = 0
    seller_declined: int = 0
    pending: int = 0

    @property
    def departure_rate(self) -> float | None:
        return self.departures / self.decisions if self.decisions else None

    @property
    def seller_declined_rate(self) -> float | None:
        return self.seller_declined / self.seller_cases if self.seller_cases else None


def decision_rows() -> list[dict[str, Any]]:
    from survivors_justice.cases.models import ChargingDecision

    return [dict(r) for r in ChargingDecision.objects.values(
        "pk", "kind", "status", "reason_category", "seller_case", "declines_overridden",
        "decided_at", "decided_by__email", "case__arrest__arrest_date")]


def open_recheck_counts() -> Counter[str]:
    from survivors_justice.cases.models import CaseRecheck

    return Counter(CaseRecheck.objects.filter(reviewed_at__isnull=True)
                   .values_list("decision__decided_by__email", flat=True))


def summarise(rows: list[dict[str, Any]], rechecks: Counter[str]
              ) -> tuple[list[ProsecutorRow], list[MonthRow]]:
    people: dict[str, ProsecutorRow] = {}
    months: dict[str, MonthRow] = defaultdict(lambda: MonthRow(""))
    for r in rows:
        who = r["decided_by__email"]
        p = people.setdefault(who, ProsecutorRow(who))
        p.decisions += 1
        departed = r["kind"] == "override"
        if departed:
            p.departures += 1
            p.reasons[r["reason_category"] or "other"] += 1
        arrested = r["case__arrest__arrest_date"]
        if arrested is not None:
            p.days.append((r["decided_at"].date() - arrested).days)
        key = r["decided_at"].strftime("%Y-%m")
        m = months[key]
        m.month = key
        m.decisions += 1
        m.departures += departed
        if r["seller_case"]:
            m.seller_cases += 1
            m.seller_declined += not r["declines_overridden"] or r["status"] == "refused"
        m.pending += r["status"] == "pending"
    for who, n in rechecks.items():
        if who in people:
            people[who].open_rechecks = n
    for p in people.values():
        peers = [q for q in people.values() if q.email != p.email]
        total = sum(q.decisions for q in peers)
        p.peer_departure_rate = sum(q.departures for q in peers) / total if total else None
        days = [d for q in peers for d in q.days]
        p.peer_median_days = float(median(days)) if days else None
    return (sorted(people.values(), key=lambda p: p.email),
            sorted(months.values(), key=lambda m: m.month))
