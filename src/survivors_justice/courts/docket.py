"""A docket file from the office's open cases (``sj court docket --from-db``).

Open cases are those being prosecuted. Each case's CPL 30.30 date (``law.speedy_trial``) comes
from its top charge's class (the charge catalog's class for prostitution and trafficking charges,
else the NYPD's F/M/V category, M read as a class A misdemeanor) counted from the arrest date.
People appear only as ids: ``D-<person id>`` for the defendant, ``V-<case number>`` for the
person bought or sold in a buyer's, promoter's or trafficker's case, whom the NYPD record does
not name; that survivor attends the case's last hearing and is kept apart from the defendant.
When the survivor services record links survivors to a case as its victims, they stand in for
that placeholder as ``S-<survivor id>``: one person across all their cases, so the planner keeps
them apart from every defendant of those cases.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from survivors_justice.cases.flows import CaseState
from survivors_justice.cases.models import Case
from survivors_justice.law.catalog import load_catalog
from survivors_justice.law.speedy_trial import top_class
from survivors_justice.scheduling.deadlines import class_group, ready_by
from survivors_justice.survivors.models import CaseLink, CaseRelation

SURVIVOR_ROLES = frozenset({"buyer", "promoter", "trafficker", "premises"})
HEARINGS = {"felony": 3, "A misdemeanor": 2}


def next_monday(today: date) -> date:
    return today + timedelta(days=(7 - today.weekday()) % 7 or 7)


def docket_from_db(*, start: date, horizon_days: int = 60, parts: int = 6,
                   slots_per_session: int = 2, min_gap_days: int = 14) -> dict[str, Any]:
    """The docket (its JSON value) of every case being prosecuted."""
    catalog = load_catalog()
    part_ids = [f"Q-{i + 1}" for i in range(parts)]
    felony_parts = part_ids[: max(1, parts // 2)]
    other_parts = part_ids[parts // 2:] or part_ids
    cases: list[dict[str, Any]] = []
    keep_apart: list[list[str]] = []
    open_cases = (
        Case.objects.filter(state=CaseState.PROSECUTING)
        .select_related("arrest")
        .prefetch_related("arrest__charges")
        .order_by("opened_at", "number")
    )
    linked: dict[int, list[str]] = {}
    for case_id, survivor_id in (
        CaseLink.objects.filter(case__in=open_cases, relation=CaseRelation.VICTIM)
        .order_by("survivor_id").values_list("case_id", "survivor_id")
    ):
        linked.setdefault(case_id, []).append(f"S-{survivor_id}")
    for case in open_cases:
        arrest = case.arrest
        classes: list[str] = []
        roles: set[str] = set()
        for charge in arrest.charges.all():
            entry = (catalog.get(charge.section, charge.subdivision or None, on=arrest.arrest_date)
                     if charge.section else None)
            if entry is not None:
                classes.append(entry.offense_class)
                roles.add(str(entry.role))
            elif charge.role:
                roles.add(charge.role)
        category = {"F": "felony", "M": "A misdemeanor", "V": "violation", "I": "violation"}
        if not classes and arrest.law_cat_cd.upper() in category:
            classes.append(category[arrest.law_cat_cd.upper()])
        cls = class_group(top_class(classes) or "A misdemeanor", arrest.arrest_date)
        hearings = HEARINGS.get(cls, 1)
        defendant = f"D-{case.defendant_id}"
        attend: dict[str, Any] = {defendant: "all"}
        survivors = linked.get(case.pk) or (
            [f"V-{case.number}"] if roles & SURVIVOR_ROLES else [])
        for survivor in survivors:
            attend[survivor] = [hearings]
            if [survivor, defendant] not in keep_apart:
                keep_apart.append([survivor, defendant])
        cases.append({
            "id": case.number,
            "parts": felony_parts if cls == "felony" else other_parts,
            "filed": arrest.arrest_date.isoformat(),
            "hearings": hearings,
            "min_gap_days": min_gap_days,
            "ready_by": ready_by(cls, arrest.arrest_date).isoformat(),
            "attend": attend,
        })
    return {
        "start_date": start.isoformat(),
        "horizon_days": horizon_days,
        "holidays": [],
        "parts": [{"id": p, "slots_per_session": slots_per_session, "sessions": ["am", "pm"],
                   "weekdays": [0, 1, 2, 3, 4]} for p in part_ids],
        "cases": cases,
        "keep_apart": keep_apart,
        "unavailable": {},
    }
