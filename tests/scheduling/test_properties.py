"""Property tests on random small dockets: the plan keeps every rule, never brings a survivor
and a person kept apart together, and is as good as an exhaustive search on tiny dockets."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from tests.scheduling.checks import (
    best_by_enumeration,
    independent_metrics,
    lexicographic_key,
    meetings,
    rule_breaches,
)
from tests.scheduling.strategies import dockets

from survivors_justice.scheduling import compute_metrics, fifo_plan, parse_docket, solve

SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(dockets(max_cases=6, max_hearings=3, max_days=14))
def test_every_plan_keeps_the_rules(raw: dict[str, Any]) -> None:
    docket = parse_docket(raw)
    result = solve(docket, time_limit=10)
    assert result.status == "OPTIMAL"
    breaches = rule_breaches(docket, result.hearings)
    assert breaches == {"capacity": 0, "gaps": 0, "unavailability": 0, "deadlines": 0,
                        "parts": 0, "order": 0}
    assert meetings(docket, result.hearings) == 0
    # where the baseline proves a full, on-time, encounter-free calendar exists, the plan is full
    fifo = fifo_plan(docket)
    fifo_breaches = rule_breaches(docket, fifo)
    assert fifo_breaches["capacity"] == fifo_breaches["gaps"] == 0
    assert fifo_breaches["unavailability"] == 0
    fifo_metrics = independent_metrics(docket, fifo)
    if (fifo_metrics["unscheduled_hearings"] == 0 and fifo_metrics["deadline_violations"] == 0
            and fifo_metrics["encounters"] == 0):
        assert result.metrics.unscheduled_hearings == 0
        assert lexicographic_key(docket, result.hearings) <= lexicographic_key(docket, fifo)


@SETTINGS
@given(dockets(max_cases=6, max_hearings=3, max_days=14))
def test_reported_metrics_equal_recomputed_metrics(raw: dict[str, Any]) -> None:
    docket = parse_docket(raw)
    result = solve(docket, time_limit=10)
    assert result.metrics.to_json() == independent_metrics(docket, result.hearings)
    fifo = fifo_plan(docket)
    assert compute_metrics(docket, fifo).to_json() == independent_metrics(docket, fifo)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dockets(max_cases=3, max_hearings=2, max_days=4, max_total_hearings=4, tiny=True))
def test_plan_matches_exhaustive_search_on_tiny_dockets(raw: dict[str, Any]) -> None:
    """No encounter whenever an encounter-free calendar exists (always: the empty one), and
    among those the fewest unscheduled hearings, then survivors' days, then everyone's."""
    docket = parse_docket(raw)
    result = solve(docket, time_limit=10)
    assert result.status == "OPTIMAL"
    assert meetings(docket, result.hearings) == 0
    assert lexicographic_key(docket, result.hearings) == best_by_enumeration(docket)
