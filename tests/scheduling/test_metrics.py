"""Hand-worked metrics, encounter counting included (the "same hearing" exception)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from survivors_justice.scheduling import Hearing, compute_metrics, parse_docket

MON, TUE, WED = date(2027, 1, 4), date(2027, 1, 5), date(2027, 1, 6)


def docket(**over: Any) -> Any:
    raw = {
        "start_date": "2027-01-04",
        "horizon_days": 14,
        "parts": [
            {"id": "A", "slots_per_session": 2, "sessions": ["am", "pm"]},
            {"id": "B", "slots_per_session": 1, "sessions": ["am"]},
        ],
        "cases": [
            {"id": "C1", "parts": ["A", "B"], "filed": "2026-12-01", "hearings": 2,
             "min_gap_days": 1, "ready_by": "2027-01-08", "attend": {"S1": "all", "D1": "all"}},
            {"id": "C2", "parts": ["A", "B"], "filed": "2026-12-02", "hearings": 1,
             "ready_by": "2027-01-30", "attend": {"D1": "all"}},
            {"id": "C3", "parts": ["A"], "filed": "2026-12-03", "hearings": 1,
             "ready_by": "2027-01-30", "attend": {"D2": "all", "S1": [1]}},
        ],
        "keep_apart": [["S1", "D1"], ["S1", "D2"]],
    }
    raw.update(over)
    return parse_docket(raw)


def h(day: date, session: str, part: str, case: str, number: int, slot: int = 1) -> Hearing:
    return Hearing(day, session, part, slot, case, number)


def test_both_there_only_for_the_same_hearing_is_no_encounter() -> None:
    plan = [h(MON, "am", "A", "C1", 1), h(WED, "am", "A", "C1", 2)]
    assert compute_metrics(docket(), plan).encounters == 0


def test_offender_there_for_another_case_in_the_same_session_is_an_encounter() -> None:
    plan = [h(MON, "am", "A", "C1", 1), h(MON, "am", "A", "C2", 1, slot=2),
            h(WED, "am", "A", "C1", 2)]
    assert compute_metrics(docket(), plan).encounters == 1


def test_one_waiting_area_per_session_across_parts() -> None:
    plan = [h(MON, "am", "A", "C1", 1), h(MON, "am", "B", "C2", 1), h(WED, "am", "A", "C1", 2)]
    assert compute_metrics(docket(), plan).encounters == 1


def test_other_session_of_the_same_day_is_no_encounter() -> None:
    plan = [h(MON, "am", "A", "C1", 1), h(MON, "pm", "A", "C2", 1), h(WED, "am", "A", "C1", 2)]
    assert compute_metrics(docket(), plan).encounters == 0


def test_survivor_there_for_a_hearing_the_other_does_not_attend_is_an_encounter() -> None:
    # S1 attends C1 (with D1) and C3 (with D2) in the same session: S1 is there for C3, which
    # D1 does not attend (S1-D1 meet), and for C1, which D2 does not attend (S1-D2 meet).
    plan = [h(MON, "am", "A", "C1", 1), h(MON, "am", "A", "C3", 1, slot=2),
            h(WED, "am", "A", "C1", 2)]
    assert compute_metrics(docket(), plan).encounters == 2


def test_counted_once_per_pair_and_session() -> None:
    # D1 is there for C1 and C2; S1 for C1 and C3: one meeting of S1-D1, one of S1-D2, both
    # counted once although several hearings bring them there.
    plan = [h(MON, "am", "A", "C1", 1), h(MON, "am", "A", "C3", 1, slot=2),
            h(MON, "am", "B", "C2", 1), h(WED, "am", "A", "C1", 2)]
    assert compute_metrics(docket(), plan).encounters == 2


def test_full_metrics_by_hand() -> None:
    # C1 (survivor case) ends Wed = day 2; C3 (survivor case) ends Tue = day 1; C2 unscheduled.
    plan = [h(MON, "am", "A", "C1", 1), h(WED, "am", "A", "C1", 2), h(TUE, "pm", "A", "C3", 1)]
    m = compute_metrics(docket(), plan)
    assert m.survivor_days_mean == pytest.approx(1.5)
    assert m.survivor_days_p90 == 2.0  # nearest rank: ceil(0.9 * 2) = 2nd of [1, 2]
    assert m.all_days_mean == pytest.approx(1.5)
    assert m.unscheduled_hearings == 1
    assert m.deadline_violations == 0
    assert m.capacity_violations == 0
    assert m.survivor_sessions == 3  # S1: Mon am, Wed am, Tue pm
    assert m.encounters == 0


def test_deadline_and_capacity_violations_by_hand() -> None:
    # C1's second hearing on Mon 11 Jan is after its ready-by date (Fri 8 Jan); part B holds
    # one hearing per session and gets two; a hearing on a Saturday sits in no session.
    plan = [h(MON, "am", "B", "C1", 1), h(MON, "am", "B", "C2", 1, slot=2),
            h(date(2027, 1, 11), "am", "A", "C1", 2), h(date(2027, 1, 9), "am", "A", "C3", 1)]
    m = compute_metrics(docket(), plan)
    assert m.deadline_violations == 1
    assert m.capacity_violations == 2
    assert m.unscheduled_hearings == 0
    assert m.all_days_mean == pytest.approx((7 + 0 + 5) / 3)
