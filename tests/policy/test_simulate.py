"""What-if simulation: counts that add up, and a proposal that changes exactly what it says."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import date

import polars as pl

from survivors_justice.law import Catalog
from survivors_justice.policy import Policy, load_policy
from survivors_justice.policy.loader import DOCUMENTS_DIR
from survivors_justice.policy.simulate import simulate

from .conftest import DECEMBER_2017

DECIDED = date(2026, 11, 28)


BOROUGHS = {"B": "Bronx", "K": "Brooklyn", "M": "Manhattan", "Q": "Queens", "S": "Staten Island"}


def _label(dimension: str, value: str) -> str:
    return BOROUGHS[value] if dimension == "borough" else value


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
    # By hand from the raw file: the proposal declines buyers with no sign of coercion or of a
    # minor; the file's only buying charge is PL 2300400 (230.04, patronizing in the third
    # degree), prosecuted under the office's policy. Every such row changes, nothing else does.
    with DECEMBER_2017.open(newline="") as handle:
        buyers = [r for r in csv.DictReader(handle) if r["LAW_CODE"] == "PL 2300400"]
    assert len(buyers) == 102  # 16 aged 18-24, 50 aged 25-44, 35 aged 45-64, 1 under 18
    assert result.changed == 102
    moved = result.transitions.filter(pl.col("from") != pl.col("to"))
    assert moved.rows(named=True) == [{"from": "prosecute", "to": "decline", "arrests": 102}]
    dims = (
        ("race", "PERP_RACE"),
        ("sex", "PERP_SEX"),
        ("borough", "ARREST_BORO"),
        ("age_group", "AGE_GROUP"),
    )
    for dim, column in dims:
        part = result.breakdown.filter(pl.col("dimension") == dim)
        hand = Counter(r[column] for r in buyers)
        assert part["arrests"].sum() == 102
        assert dict(zip(part["value"], part["arrests"], strict=True)) == {
            _label(dim, k): v for k, v in hand.items()
        }, dim
    assert result.to_dict()["proposal"]["version"] == proposal.version
