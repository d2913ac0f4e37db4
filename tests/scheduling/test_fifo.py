"""The first-come-first-served baseline, worked by hand."""

from __future__ import annotations

from datetime import date

from survivors_justice.scheduling import Hearing, fifo_plan, parse_docket


def test_cases_in_filed_order_each_hearing_in_the_earliest_slot() -> None:
    docket = parse_docket({
        "start_date": "2027-01-04", "horizon_days": 14, "holidays": ["2027-01-05"],
        "parts": [{"id": "A", "slots_per_session": 1, "sessions": ["am", "pm"]}],
        "cases": [
            # filed later: placed second although listed first
            {"id": "late", "parts": ["A"], "filed": "2026-12-10", "hearings": 1,
             "ready_by": "2027-03-01", "attend": {"D2": "all"}},
            {"id": "early", "parts": ["A"], "filed": "2026-12-01", "hearings": 2,
             "min_gap_days": 2, "ready_by": "2027-03-01", "attend": {"D1": "all", "S1": [2]}},
        ],
        "keep_apart": [["S1", "D2"]],
        "unavailable": {"S1": ["2027-01-06"]},
    })
    plan = fifo_plan(docket)
    # early#1: Mon am. early#2: 2 days later is Wed, but S1 is away Wed, so Thu am.
    # late#1: Mon am is full, Mon pm is free. (Tue is a holiday.)
    assert plan == sorted([
        Hearing(date(2027, 1, 4), "am", "A", 1, "early", 1),
        Hearing(date(2027, 1, 7), "am", "A", 1, "early", 2),
        Hearing(date(2027, 1, 4), "pm", "A", 1, "late", 1),
    ])


def test_a_hearing_that_does_not_fit_leaves_the_rest_of_the_case_unscheduled() -> None:
    docket = parse_docket({
        "start_date": "2027-01-04", "horizon_days": 3,
        "parts": [{"id": "A", "slots_per_session": 1, "sessions": ["am"]}],
        "cases": [{"id": "C", "parts": ["A"], "filed": "2026-12-01", "hearings": 3,
                   "min_gap_days": 2, "ready_by": "2027-01-05", "attend": {}}],
    })
    # Mon, then Wed (2 days later, after ready_by: the baseline ignores deadlines); no third.
    assert [(x.date, x.hearing) for x in fifo_plan(docket)] == [
        (date(2027, 1, 4), 1), (date(2027, 1, 6), 2)]
