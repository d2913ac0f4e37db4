"""The de-identified packet a panel member reads, and the narrative the coordinator confirms.

A packet carries no name, date of birth, address, phone, e-mail, case number, arrest key, exact
date (months only) or precinct (boroughs only); ages are bands. It holds the charges, the policy's
reasons and missing facts, the facts known so far (without who gave them: a member needs what is
known, not who said it) and the narrative as the coordinator confirmed it after redaction.

The packet is built from an allow-list: only the keys written below ever reach it, so a field added
to a model later cannot leak into it by accident.
"""

from __future__ import annotations

from typing import Any

from survivors_justice.cases.models import Case, Person
from survivors_justice.review.models import DocketEntry
from survivors_justice.review.redaction import Redaction, age_band, borough_name, month_of, redact
from survivors_justice.screening.models import PolicyDecision
from survivors_justice.screening.services import latest_decision

_PACKETS: dict[tuple[Any, ...], dict[str, Any]] = {}
_PACKETS_LIMIT = 4096

_CHARGE_KEYS = ("law_code", "section", "title", "role", "outcome", "reason", "missing_facts")
_FACT_PREFIXES = ("indicators.", "defendant.victim_indicators", "co_defendants_sold_together",
                  "victims.", "panel.")  # fmt: skip


def personal_values(case: Case) -> dict[str, list[str]]:
    """Every personal value of the case's people, by kind, for redaction."""
    people: list[Person] = [case.defendant]
    values: dict[str, list[str]] = {
        "name": [],
        "date_of_birth": [],
        "address": [],
        "phone": [],
        "email": [],
        "case_number": [case.number],
        "arrest_key": [case.arrest.arrest_key],
    }
    for p in people:
        values["name"].extend(
            v for v in (f"{p.given_name} {p.family_name}", p.given_name, p.family_name) if v.strip()
        )
        values["date_of_birth"].append(p.date_of_birth)
        values["address"].append(p.address)
        values["phone"].append(p.phone)
        values["email"].append(p.email)
    return values


def propose_redaction(case: Case) -> Redaction:
    """The defendant's narrative with every personal value removed, for the coordinator to check."""
    return redact(case.defendant.narrative or "", personal_values(case))


def _known_facts(screening: PolicyDecision | None) -> dict[str, Any]:
    if screening is None:
        return {}
    facts: dict[str, Any] = {}
    for charge in screening.decision.get("charges", []):
        for name, value in (charge.get("facts") or {}).items():
            # Yes/no and named values only: an exact age would say more than a band.
            if name.startswith(_FACT_PREFIXES) and (value is None or isinstance(value, bool | str)):
                facts[name] = value
    return dict(sorted(facts.items()))


def _narrative(case: Case, entry: DocketEntry | None) -> str:
    if entry is None:
        return propose_redaction(case).text
    return entry.redacted_narrative if entry.redaction_confirmed_at else ""


def build_packet(case: Case, entry: DocketEntry | None = None) -> dict[str, Any]:
    """The packet of a case (on a docket: ``entry``), as plain JSON-ready data.

    Off a docket the narrative is the automatic redaction, marked as not yet confirmed.
    """
    arrest = case.arrest
    screening = latest_decision(case)
    charges = []
    if screening is not None:
        for c in screening.decision.get("charges", []):
            charges.append({k: c.get(k) for k in _CHARGE_KEYS})
    return {
        "packet": (
            f"Session {entry.session_id}, item {entry.position}" if entry else "Not on a docket"
        ),
        "arrest_month": month_of(arrest.arrest_date),
        "borough": borough_name(arrest.borough),
        "age_band": age_band(age_group=arrest.age_group),
        "readiness_month": month_of(entry.readiness_deadline if entry else None),
        "case_priority": screening.case_priority if screening is not None else "not screened",
        "missing_facts": list(screening.missing_facts) if screening is not None else [],
        "charges": charges,
        "facts": _known_facts(screening),
        "narrative": _narrative(case, entry),
        "narrative_confirmed": bool(entry and entry.redaction_confirmed_at),
        "policy": (
            {"id": screening.policy_id, "version": screening.policy_version}
            if screening is not None
            else None
        ),
    }


def docket_packet(entry: DocketEntry) -> dict[str, Any]:
    """:func:`build_packet` for a docket entry, kept per process while nothing it reads changes.

    A packet is a pure function of the entry's confirmed narrative and the case's latest stored
    screening (a new answer or a determination stores a new one); the key holds both, so a read
    costs one small query instead of loading and reshaping the screening every time. Shared
    between requests: treat it as read-only.
    """
    latest = (
        PolicyDecision.objects.filter(case_id=entry.case_id)
        .order_by("-screened_at", "-pk")
        .values_list("pk", flat=True)
        .first()
    )
    confirmed = entry.redaction_confirmed_at
    key = (entry.pk, entry.session_id, entry.position, latest,
           confirmed.isoformat() if confirmed else None)  # fmt: skip
    packet = _PACKETS.get(key)
    if packet is None:
        packet = build_packet(entry.case, entry)
        if len(_PACKETS) >= _PACKETS_LIMIT:
            _PACKETS.clear()
        _PACKETS[key] = packet
    return packet
