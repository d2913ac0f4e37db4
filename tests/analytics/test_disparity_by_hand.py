"""The command's rates and rate ratios against the same figures computed by hand.

The hand computation reads the real files with the csv module only: it shares no code with the
analytics package (its own race mapping, its own prostitution filter by Penal Law section, its own
census sums).
"""

from __future__ import annotations

import csv
import math
from collections import Counter
from pathlib import Path

import pytest

HAND_RACE = {  # the mapping, written out again on purpose
    "WHITE HISPANIC": "hispanic", "BLACK HISPANIC": "hispanic", "BLACK": "black",
    "WHITE": "white", "ASIAN/PAC.ISL": "asian_pacific_islander",
    "ASIAN / PACIFIC ISLANDER": "asian_pacific_islander",
    "AMER IND": "american_indian_alaska_native",
    "AMERICAN INDIAN/ALASKAN NATIVE": "american_indian_alaska_native",
}
HAND_CENSUS = {"hispanic": ["P2_002N"], "black": ["P2_006N"], "white": ["P2_005N"],
               "asian_pacific_islander": ["P2_008N", "P2_009N"],
               "american_indian_alaska_native": ["P2_007N"]}


def _arrests(path: Path, prostitution: bool) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    if prostitution:  # Penal Law article 230 and 240.37, read off LAW_CODE
        rows = [r for r in rows if r["LAW_CODE"].startswith(("PL 230", "PL 24037"))]
    return rows


def _population(reference: Path, precincts: set[str] | None = None) -> dict[str, int]:
    with (reference / "precinct-population-2020.csv").open(newline="") as handle:
        rows = [r for r in csv.DictReader(handle)
                if precincts is None or r["precinct"] in precincts]
    pop = {"all": sum(int(r["P2_001N"]) for r in rows)}
    for group, cols in HAND_CENSUS.items():
        pop[group] = sum(int(r[c]) for r in rows for c in cols)
    return pop


def _by_group(rows: list[dict[str, str]], geo: str, group: str) -> dict[str, dict[str, object]]:
    return {r["group"]: r for r in rows if r["geo"] == geo and r["stratum"] == "all"}


@pytest.mark.parametrize("offenses", ["prostitution", "all"])
def test_citywide_rate_and_rri_match_hand_computation(dec2017, reference_dir, report_json,
                                                      offenses):
    arrests = _arrests(dec2017, offenses == "prostitution")
    counts = Counter(HAND_RACE.get(r["PERP_RACE"], "unknown") for r in arrests)
    pop = _population(reference_dir)
    rows = report_json(str(dec2017), "--geo", "city", "--by", "race", "--offenses", offenses,
                       "--no-screen")
    got = _by_group(rows, "New York City", "all")

    # citywide rate per 100,000
    assert got["all"]["count"] == len(arrests)
    assert got["all"]["population"] == pop["all"]
    assert got["all"]["rate_per_100k"] == pytest.approx(len(arrests) / pop["all"] * 100_000,
                                                        rel=1e-12)
    white_rate = counts["white"] / pop["white"] * 100_000
    for group in ("black", "hispanic", "asian_pacific_islander"):
        rate = counts[group] / pop[group] * 100_000
        rri = rate / white_rate
        se = math.sqrt(1 / counts[group] + 1 / counts["white"])
        row = got[group]
        assert row["count"] == counts[group]
        assert row["rate_per_100k"] == pytest.approx(rate, rel=1e-12)
        assert row["rri"] == pytest.approx(rri, rel=1e-12)
        assert row["rri_ci_low"] == pytest.approx(rri * math.exp(-1.959963984540054 * se),
                                                  rel=1e-9)
        assert row["rri_ci_high"] == pytest.approx(rri * math.exp(1.959963984540054 * se),
                                                   rel=1e-9)
        assert row["unstable"] == (counts[group] < 20 or counts["white"] < 20)
    # Unknown race is counted and reported, never given a rate.
    assert got["unknown"]["count"] == counts["unknown"]
    assert got["unknown"]["rate_per_100k"] is None


def test_borough_rates_match_hand_computation(dec2017, reference_dir, report_json):
    with (reference_dir / "precinct-borough.csv").open(newline="") as handle:
        queens = {r["Precinct"] for r in csv.DictReader(handle) if r["BoroCode"] == "4"}
    arrests = [r for r in _arrests(dec2017, prostitution=False)
               if r["ARREST_PRECINCT"] in queens]
    counts = Counter(HAND_RACE.get(r["PERP_RACE"], "unknown") for r in arrests)
    pop = _population(reference_dir, queens)
    rows = report_json(str(dec2017), "--geo", "borough", "--offenses", "all", "--no-screen",
                       "--reference", "black")
    got = _by_group(rows, "Queens", "all")
    assert got["all"]["count"] == len(arrests)
    assert got["all"]["rate_per_100k"] == pytest.approx(len(arrests) / pop["all"] * 1e5)
    rri = (counts["hispanic"] / pop["hispanic"]) / (counts["black"] / pop["black"])
    assert got["hispanic"]["rri"] == pytest.approx(rri, rel=1e-12)
    assert got["black"]["rri"] == pytest.approx(1.0)
    assert got["black"]["rri_ci_low"] is None  # the reference has no interval against itself


def test_json_rows_have_the_documented_fields(dec2017, report_json):
    rows = report_json(str(dec2017), "--geo", "precinct", "--no-screen")
    required = {"geo", "group", "count", "population", "rate_per_100k", "rri", "rri_ci_low",
                "rri_ci_high", "unstable"}
    assert rows and all(required <= set(r) for r in rows)
    # every precinct of the census file has its rows, arrests or not
    assert len({r["geo"] for r in rows}) == 77
    assert sum(r["count"] for r in rows if r["group"] == "all") == 160
