"""Hypothesis strategies for random dockets (JSON values, parsed by the tests)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import strategies as st

START = date(2027, 1, 4)  # a Monday


@st.composite
def dockets(draw: st.DrawFn, *, max_cases: int, max_hearings: int, max_days: int,
            max_total_hearings: int | None = None, tiny: bool = False) -> dict[str, Any]:
    horizon = draw(st.integers(2, max_days))
    days = [START + timedelta(days=i) for i in range(horizon)]
    if tiny:
        layout = draw(st.sampled_from([(1, ["am", "pm"]), (2, ["am"]), (1, ["am"])]))
    else:
        layout = draw(st.sampled_from([(1, ["am", "pm"]), (2, ["am", "pm"]), (3, ["am"])]))
    parts = [
        {"id": f"P{i + 1}", "slots_per_session": draw(st.integers(1, 2)),
         "sessions": layout[1], "weekdays": [0, 1, 2, 3, 4]}
        for i in range(layout[0])
    ]
    holidays = draw(st.lists(st.sampled_from(days), max_size=1, unique=True))
    n_cases = draw(st.integers(1, max_cases))
    defendants = [f"D{i}" for i in range(1, 4)]
    survivors = [f"S{i}" for i in range(1, 3)]
    cases = []
    total = 0
    for n in range(n_cases):
        room = max_hearings if max_total_hearings is None else min(
            max_hearings, max_total_hearings - total - (n_cases - n - 1))
        hearings = draw(st.integers(1, max(1, room)))
        total += hearings
        attend: dict[str, Any] = {draw(st.sampled_from(defendants)): "all"}
        if draw(st.booleans()):
            who = draw(st.sampled_from(survivors))
            numbers = draw(st.lists(st.integers(1, hearings), min_size=1, unique=True))
            attend[who] = sorted(numbers)
        case_parts = draw(st.lists(st.sampled_from([p["id"] for p in parts]), min_size=1,
                                   unique=True))
        cases.append({
            "id": f"C{n + 1}",
            "parts": case_parts,
            "filed": (START - timedelta(days=draw(st.integers(1, 30)))).isoformat(),
            "hearings": hearings,
            "min_gap_days": draw(st.integers(0, 3)),
            "ready_by": (START + timedelta(days=draw(st.integers(0, horizon + 2)))).isoformat(),
            "attend": attend,
        })
    pairs = draw(st.lists(st.tuples(st.sampled_from(survivors), st.sampled_from(defendants)),
                          max_size=4, unique=True))
    away = draw(st.dictionaries(st.sampled_from(defendants + survivors),
                                st.lists(st.sampled_from(days), max_size=2, unique=True),
                                max_size=2))
    return {
        "start_date": START.isoformat(),
        "horizon_days": horizon,
        "holidays": [d.isoformat() for d in holidays],
        "parts": parts,
        "cases": cases,
        "keep_apart": [list(p) for p in pairs],
        "unavailable": {p: [d.isoformat() for d in ds] for p, ds in away.items()},
    }
