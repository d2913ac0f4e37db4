"""Synthetic dockets resampled from real Queens arrests, for benchmarks and demonstrations.

Each case is a real Queens arrest record drawn with replacement from the NYPD files in
``data/nypd/``: survivor cases from the buyer, promoter and trafficker charges of the 2006-2016
prostitution file (someone was bought or sold, so there is a survivor), the other cases from the
December 2017 file of all arrests. The record gives the offense class (the charge catalog's class
for prostitution and trafficking charges, else the NYPD's F/M/V category, M read as a class A
misdemeanor) and so the CPL 30.30 period. What the records do not hold is drawn at random with a
seed and stated here: the filing day (so that the case is open at ``start_date`` with time left for
its hearings), the number of hearings and their gap, the parts, who attends which hearing, people
in more than one case, and unavailable days.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from survivors_justice.scheduling.deadlines import ready_by

ARRESTS_ALL = "arrests-2017-12.csv"
ARRESTS_PROSTITUTION = "prostitution-arrests-2006-2016.csv"
SURVIVOR_ROLES = frozenset({"buyer", "promoter", "trafficker", "premises"})
DEFAULT_START = date(2027, 1, 4)
# New York court holidays in the default horizon: Martin Luther King Jr. Day, Lincoln's
# Birthday, Washington's Birthday.
DEFAULT_HOLIDAYS = (date(2027, 1, 18), date(2027, 2, 12), date(2027, 2, 15))


@dataclass(frozen=True, slots=True)
class ArrestRecord:
    key: str
    offense_class: str
    law_code: str


def _class_of(row: dict[str, str], catalog: Any) -> tuple[str | None, str | None]:
    """(offense class, catalog role) of an NYPD row."""
    law_code = (row.get("LAW_CODE") or "").strip()
    try:
        on = date(int(row["ARREST_DATE"][6:10]), int(row["ARREST_DATE"][0:2]),
                  int(row["ARREST_DATE"][3:5]))
    except (KeyError, ValueError):
        on = None
    resolved = catalog.resolve(law_code=law_code or None, pd_cd=row.get("PD_CD"), on=on)
    if resolved.entry is not None:
        return resolved.entry.offense_class, None if resolved.role is None else str(resolved.role)
    category = (row.get("LAW_CAT_CD") or "").strip().upper()
    return {"F": "felony", "M": "A misdemeanor", "V": "violation", "I": "violation"}.get(
        category
    ), None


def load_queens(data_dir: Path) -> tuple[list[ArrestRecord], list[ArrestRecord]]:
    """(survivor-case records, other records) of Queens arrests in ``data_dir``."""
    from survivors_justice.law.catalog import load_catalog

    catalog = load_catalog()
    survivor: list[ArrestRecord] = []
    other: list[ArrestRecord] = []
    for name, bucket in ((ARRESTS_PROSTITUTION, survivor), (ARRESTS_ALL, other)):
        with (data_dir / name).open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                if row.get("ARREST_BORO") != "Q":
                    continue
                cls, role = _class_of(row, catalog)
                if cls is None:
                    continue
                if bucket is survivor and role not in SURVIVOR_ROLES:
                    continue
                bucket.append(ArrestRecord(row["ARREST_KEY"], cls, row.get("LAW_CODE") or ""))
    if not survivor or not other:
        raise ValueError(f"no Queens arrests found in {data_dir}; point --data at data/nypd")
    return survivor, other


def _hearings_and_gap(cls: str, rng: random.Random) -> tuple[int, int]:
    if "felony" in cls:
        hearings = rng.choice([2, 3, 3, 4])
    elif "misdemeanor" in cls:
        hearings = rng.choice([1, 2, 2, 3])
    else:
        hearings = rng.choice([1, 1, 2])
    gap = rng.choice([7, 14, 21])
    while hearings > 1 and (hearings - 1) * gap > 35:
        gap -= 7
    return hearings, max(gap, 7)


def synthetic_docket(
    n_cases: int,
    *,
    data_dir: Path,
    slots_per_session: int = 2,
    parts: int = 6,
    horizon_days: int = 60,
    start: date = DEFAULT_START,
    survivor_share: float = 1 / 3,
    seed: int = 1,
) -> dict[str, Any]:
    """A docket (its JSON value) of ``n_cases`` cases resampled from Queens arrests."""
    rng = random.Random(seed)  # noqa: S311 (sampling a benchmark, not a secret)
    survivor_rows, other_rows = load_queens(data_dir)
    part_ids = [f"Q-{i + 1}" for i in range(parts)]
    end = start + timedelta(days=horizon_days - 1)
    weekdays = [
        start + timedelta(days=i)
        for i in range(horizon_days)
        if (start + timedelta(days=i)).weekday() < 5
    ]
    cases: list[dict[str, Any]] = []
    defendants: list[str] = []
    survivors: list[str] = []
    keep_apart: list[list[str]] = []
    unavailable: dict[str, list[str]] = {}
    n_survivor = round(n_cases * survivor_share)
    for n in range(n_cases):
        with_survivor = n < n_survivor
        record = rng.choice(survivor_rows if with_survivor else other_rows)
        hearings, gap = _hearings_and_gap(record.offense_class, rng)
        need = (hearings - 1) * gap + 5
        period = (ready_by(record.offense_class, start) - start).days
        filed = start - timedelta(days=rng.randint(1, max(1, min(45, period - need - 7))))
        if defendants and rng.random() < 0.1:
            defendant = rng.choice(defendants)
        else:
            defendant = f"D-{len(defendants) + 1}"
            defendants.append(defendant)
            if rng.random() < 0.1:
                unavailable[defendant] = [rng.choice(weekdays).isoformat()]
        attend: dict[str, Any] = {defendant: "all"}
        if with_survivor:
            if survivors and rng.random() < 0.15:
                survivor = rng.choice(survivors)
            else:
                survivor = f"S-{len(survivors) + 1}"
                survivors.append(survivor)
                away = rng.sample(weekdays, rng.randint(0, 3))
                if away:
                    unavailable[survivor] = sorted(d.isoformat() for d in away)
            numbers = [k for k in range(1, hearings) if rng.random() < 0.3] + [hearings]
            attend[survivor] = numbers
            if [survivor, defendant] not in keep_apart:
                keep_apart.append([survivor, defendant])
        home = rng.randrange(parts)
        case_parts = [part_ids[home]]
        if rng.random() < 0.5:
            case_parts.append(part_ids[(home + 1) % parts])
        cases.append({
            "id": f"Q{record.key}-{n + 1}",
            "parts": case_parts,
            "filed": filed.isoformat(),
            "hearings": hearings,
            "min_gap_days": gap,
            "ready_by": ready_by(record.offense_class, filed).isoformat(),
            "attend": attend,
            "offense_class": record.offense_class,
            "law_code": record.law_code,
        })
    # Some survivors are also named against a defendant of another case (a trafficker charged
    # separately): they must not meet in the waiting area either.
    for survivor in survivors:
        if rng.random() < 0.3:
            other = rng.choice(defendants)
            if [survivor, other] not in keep_apart:
                keep_apart.append([survivor, other])
    return {
        "start_date": start.isoformat(),
        "horizon_days": horizon_days,
        "holidays": [d.isoformat() for d in DEFAULT_HOLIDAYS if start <= d <= end],
        "parts": [
            {"id": p, "slots_per_session": slots_per_session, "sessions": ["am", "pm"],
             "weekdays": [0, 1, 2, 3, 4]}
            for p in part_ids
        ],
        "cases": cases,
        "keep_apart": keep_apart,
        "unavailable": unavailable,
    }
