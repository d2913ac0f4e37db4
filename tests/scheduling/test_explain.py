"""Dockets that cannot be planned in full get a plain explanation naming the rules."""

from __future__ import annotations

from typing import Any

from survivors_justice.scheduling import parse_docket, solve


def base(cases: list[dict[str, Any]], **over: Any) -> Any:
    raw = {"start_date": "2027-01-04", "horizon_days": 30,
           "parts": [{"id": "A", "slots_per_session": 1, "sessions": ["am"]}],
           "cases": cases}
    raw.update(over)
    return parse_docket(raw)


def test_a_case_that_cannot_meet_its_deadline_alone_is_named_with_the_dates() -> None:
    docket = base([{"id": "C-9", "parts": ["A"], "filed": "2026-12-01", "hearings": 3,
                    "min_gap_days": 14, "ready_by": "2027-01-14", "attend": {"D1": "all"}}])
    result = solve(docket, time_limit=5)
    assert result.metrics.unscheduled_hearings == 2  # only Mon 4th comes before the 14th
    assert result.metrics.deadline_violations == 0
    text = " ".join(result.explanation)
    assert "C-9" in text and "2027-01-14" in text and "ready-by" in text
    assert "2027-02-01" in text  # earliest day for the third hearing: 4 Jan + 14 + 14 days


def test_competing_cases_name_capacity_and_deadlines() -> None:
    docket = base([
        {"id": f"C{i}", "parts": ["A"], "filed": "2026-12-01", "hearings": 1,
         "ready_by": "2027-01-04", "attend": {f"D{i}": "all"}} for i in (1, 2)
    ])
    result = solve(docket, time_limit=5)
    assert result.metrics.unscheduled_hearings == 1
    text = " ".join(result.explanation)
    assert "slots of each session" in text and "ready-by dates" in text
    assert "keeping survivors apart" not in text


def test_keeping_apart_that_costs_a_hearing_is_named() -> None:
    docket = base(
        [{"id": "C1", "parts": ["A"], "filed": "2026-12-01", "hearings": 1,
          "ready_by": "2027-01-04", "attend": {"S1": "all"}},
         {"id": "C2", "parts": ["A"], "filed": "2026-12-01", "hearings": 1,
          "ready_by": "2027-01-04", "attend": {"D1": "all"}}],
        parts=[{"id": "A", "slots_per_session": 2, "sessions": ["am"]}],
        keep_apart=[["S1", "D1"]],
    )
    result = solve(docket, time_limit=5)
    assert result.metrics.encounters == 0
    assert result.metrics.unscheduled_hearings == 1
    text = " ".join(result.explanation)
    assert "keeping survivors apart" in text and "ready-by dates" in text
    assert "slots of each session" not in text
