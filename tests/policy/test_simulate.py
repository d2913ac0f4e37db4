"""What-if simulation: counts that add up, and a proposal that changes exactly what it says."""

from __future__ import annotations

from datetime import date

import polars as pl

from survivors_justice.law import Catalog
from survivors_justice.policy import Policy, load_policy, screen_frame
from survivors_justice.policy.loader import DOCUMENTS_DIR
from survivors_justice.policy.simulate import simulate

DECIDED = date(2026, 11, 28)


def test_a_policy_against_itself_changes_nothing(
    policy: Policy, catalog: Catalog, december: pl.LazyFrame
) -> None:
    result = simulate(policy, policy, december, catalog=catalog, decision_date=DECIDED)
    assert result.rows == 19_452
    assert result.changed == 0 and result.breakdown.height == 0


def test_the_proposal_changes_exactly_the_buyers_it_stops_prosecuting(
    policy: Policy, catalog: Catalog, december: pl.LazyFrame
) -> None:
    proposal = load_policy(DOCUMENTS_DIR / "proposal-adult-buyers-declined.yaml")
    result = simulate(policy, proposal, december, catalog=catalog, decision_date=DECIDED)
    base = screen_frame(policy, december, catalog=catalog, decision_date=DECIDED).collect()
    new = screen_frame(proposal, december, catalog=catalog, decision_date=DECIDED).collect()
    changed = base.filter(base["outcome"] != new["outcome"])
    assert result.changed == changed.height > 0
    assert set(changed["role"]) == {"buyer"}
    assert (
        result.transitions.filter((pl.col("from") == "prosecute") & (pl.col("to") == "decline"))[
            "arrests"
        ].sum()
        == changed.height
    )
    for dim, column in (("race", "PERP_RACE"), ("sex", "PERP_SEX"), ("borough", "ARREST_BORO")):
        part = result.breakdown.filter(pl.col("dimension") == dim)
        assert part["arrests"].sum() == changed.height
        assert part.height == changed[column].n_unique()
    assert result.to_dict()["proposal"]["version"] == proposal.version
