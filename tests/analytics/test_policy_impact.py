"""Policy impact: the same measures under the current policy and a proposal, and before/after."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import polars as pl

from survivors_justice.analytics.groups import Dimension
from survivors_justice.analytics.report import (
    ReportOptions,
    build_report,
    policy_impact,
    prepare_arrests,
)

POLICIES = Path(__file__).resolve().parents[2] / "src" / "survivors_justice" / "policy" / \
    "documents"
PROPOSAL = POLICIES / "proposal-adult-buyers-declined.yaml"


def test_proposal_moves_buyers_from_prosecuted_to_declined(dec2017):
    prepared = prepare_arrests(dec2017, proposal=PROPOSAL)
    impact = policy_impact(prepared)
    totals = {(r["policy"], r["stratum"]): r["count"]
              for r in impact.filter(pl.col("group") == "all").iter_rows(named=True)}
    frame = prepared.frame
    # Every arrest is counted under both policies.
    assert sum(v for (p, _), v in totals.items() if p == "current") == frame.height
    assert sum(v for (p, _), v in totals.items() if p == "proposal") == frame.height
    # What moved equals the arrests whose outcome differs, counted row by row.
    moved = frame.filter(pl.col("outcome") != pl.col("outcome_proposal"))
    assert moved.height > 0
    assert totals[("proposal", "decline")] - totals[("current", "decline")] == moved.filter(
        pl.col("outcome_proposal") == "decline").height
    # Sellers are declined under both; the proposal's change concerns buyers (its title).
    assert set(moved["role"].unique().to_list()) == {"buyer"}


def test_before_after_split_counts_every_arrest(dec2017, report_json):
    rows = report_json(str(dec2017), "--within", "period", "--effective-from", "2017-12-15",
                       "--no-screen")
    with dec2017.open(newline="") as handle:
        days = Counter(r["ARREST_DATE"] for r in csv.DictReader(handle)
                       if r["LAW_CODE"].startswith(("PL 230", "PL 24037")))
    before = sum(n for d, n in days.items() if int(d.split("/")[1]) < 15)
    got = {r["stratum"]: r["count"] for r in rows if r["group"] == "all"}
    assert got == {"before": before, "after": sum(days.values()) - before}


def test_report_has_impact_section_with_the_proposal(dec2017):
    prepared = prepare_arrests(dec2017, proposal=PROPOSAL)
    report = build_report(prepared, ReportOptions(by=Dimension.OUTCOME_PROPOSAL))
    keys = [s.key for s in report.sections]
    assert "impact" in keys and "outcome" in keys
    assert prepared.proposal_label and "proposal" in prepared.proposal_label
