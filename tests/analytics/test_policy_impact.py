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
    headlines,
    policy_impact,
    prepare_arrests,
)

POLICIES = Path(__file__).resolve().parents[2] / "src" / "survivors_justice" / "policy" / \
    "documents"
PROPOSAL = POLICIES / "proposal-adult-buyers-declined.yaml"


# What each prostitution-related code of the December 2017 file gets, read from the statutes and
# the two policy documents by hand (the defendant's age matters only for 230.25(2)):
#   code         offense                              current              proposal
HAND = {
    "PL 2300000": ("decline", "decline"),  # 230.00 prostitution: selling is declined
    "PL 2300400": ("prosecute", "decline"),  # 230.04 patronizing 3rd: the proposal declines
    "PL 2302000": ("prosecute", "prosecute"),  # 230.20 promoting 4th
    "PL 2302501": ("prosecute", "prosecute"),  # 230.25(1) promoting 3rd, a business
    "PL 2303400": ("prosecute_priority", "prosecute_priority"),  # 230.34 sex trafficking
    "PL 230345A": ("prosecute_priority", "prosecute_priority"),  # 230.34(5)(a)
    "PL 2403703": ("decline", "decline"),  # 240.37(3), repealed: declined and sealed
}


def _hand_count(path: Path) -> Counter[tuple[str, str, str]]:
    """(policy, outcome, race) -> arrests, counted from the raw file with the table above."""
    counts: Counter[tuple[str, str, str]] = Counter()
    with path.open(newline="") as handle:
        for row in csv.DictReader(handle):
            code = row["LAW_CODE"]
            if not code.startswith(("PL 230", "PL 24037")):
                continue
            if code == "PL 2302502":  # 230.25(2), a person under 19
                minor = row["AGE_GROUP"] == "<18"  # a minor charged with promoting
                outcomes = ("panel_review",) * 2 if minor else ("prosecute_priority",) * 2
            else:
                outcomes = HAND[code]
            for policy, outcome in zip(("current", "proposal"), outcomes, strict=True):
                counts[(policy, outcome, "all")] += 1
                if row["PERP_RACE"] == "BLACK":
                    counts[(policy, outcome, "black")] += 1
    return counts


def test_the_reports_impact_rows_match_a_hand_count(dec2017):
    prepared = prepare_arrests(dec2017, proposal=PROPOSAL)
    options = ReportOptions(by=Dimension.OUTCOME_PROPOSAL)
    report = build_report(prepared, options)
    (section,) = [s for s in report.sections if s.key == "impact"]
    # the function the package offers is the report's own section
    assert section.table.equals(policy_impact(prepared, options))
    got = {
        (r["policy"], r["stratum"], r["group"]): r["count"]
        for r in section.table.filter(
            pl.col("group").is_in(["all", "black"]) & (pl.col("stratum") != "all")
        ).iter_rows(named=True)
    }
    expected = _hand_count(dec2017)
    assert {k: v for k, v in got.items() if v} == dict(expected)
    # by hand: 43 + 3 declined now; the proposal adds the 102 buyers of 230.04
    assert expected[("current", "decline", "all")] == 46
    assert expected[("proposal", "decline", "all")] == 148
    assert expected[("current", "prosecute", "all")] == 108
    assert expected[("current", "prosecute_priority", "all")] == 5
    assert expected[("current", "panel_review", "all")] == 1
    # the report's sentence says the same
    sentences = " ".join(headlines(report))
    assert "102 fewer of these arrests would be prosecuted (113 now, 11 under the proposal)" in (
        sentences
    )


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
