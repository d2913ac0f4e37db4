"""A docket too large to prove: survivors' cases end no later than the survivor-first calendar
ends them, and every rule still holds (the large-docket settings forced on small dockets)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from tests.scheduling.checks import meetings, rule_breaches
from tests.scheduling.strategies import dockets

from survivors_justice.scheduling import model, parse_docket, solve
from survivors_justice.scheduling.docket import Docket
from survivors_justice.scheduling.greedy import greedy_plan
from survivors_justice.scheduling.metrics import Hearing


def _ends(docket: Docket, hearings: list[Hearing]) -> dict[str, date]:
    """The day each fully held case ends (read from the hearings list, not the model)."""
    held: dict[str, list[date]] = defaultdict(list)
    for h in hearings:
        held[h.case].append(h.date)
    return {c.id: max(held[c.id]) for c in docket.cases if len(held[c.id]) == c.hearings}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dockets(max_cases=6, max_hearings=3, max_days=14))
def test_large_docket_keeps_survivors_no_later_than_survivor_first(raw: dict[str, Any]) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(model, "LARGE_MODEL", 0)  # every docket counts as large
        _check_large(parse_docket(raw))


def _check_large(docket: Docket) -> None:
    assert model.build(docket, survivor_first=greedy_plan(docket)).large
    result = solve(docket, time_limit=5, explain=False)
    assert set(rule_breaches(docket, result.hearings).values()) == {0}
    assert meetings(docket, result.hearings) == 0
    first = _ends(docket, greedy_plan(docket))
    plan = _ends(docket, result.hearings)
    for case in docket.cases:
        if docket.is_survivor_case(case) and case.id in first and case.id in plan:
            assert plan[case.id] <= first[case.id], case.id
    # it never holds fewer hearings than the survivor-first calendar it starts from
    assert len(result.hearings) >= len(greedy_plan(docket))


def test_small_dockets_are_not_large() -> None:
    raw = {"start_date": "2027-01-04", "horizon_days": 5, "holidays": [],
           "parts": [{"id": "P", "slots_per_session": 1, "sessions": ["am"],
                      "weekdays": [0, 1, 2, 3, 4]}],
           "cases": [{"id": "A", "parts": ["P"], "filed": "2026-12-01", "hearings": 1,
                      "min_gap_days": 1, "ready_by": "2027-01-08",
                      "attend": {"D1": "all", "S1": "all"}}],
           "keep_apart": [["S1", "D2"]], "unavailable": {}}
    docket = parse_docket(raw)
    assert not model.build(docket, survivor_first=greedy_plan(docket)).large
    assert solve(docket, time_limit=5).status == "OPTIMAL"
