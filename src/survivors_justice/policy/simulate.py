"""What-if: screen the same arrests under two policies and count what changes, and for whom."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from survivors_justice.law import Catalog, load_catalog
from survivors_justice.policy.batch import NYPD_FACTS, _table, nypd_facts
from survivors_justice.policy.model import Policy

DIMENSIONS = {
    "race": "PERP_RACE",
    "sex": "PERP_SEX",
    "age_group": "AGE_GROUP",
    "borough": "ARREST_BORO",
}
BOROUGHS = {"B": "Bronx", "K": "Brooklyn", "M": "Manhattan", "Q": "Queens", "S": "Staten Island"}


@dataclass(frozen=True)
class Simulation:
    base: Policy
    proposal: Policy
    rows: int
    changed: int
    transitions: pl.DataFrame  # from, to, arrests (every pair, changed or not)
    breakdown: pl.DataFrame  # dimension, value, from, to, arrests (changed arrests only)

    def to_dict(self) -> dict[str, Any]:
        return {
            "base": {"id": self.base.id, "version": self.base.version},
            "proposal": {"id": self.proposal.id, "version": self.proposal.version},
            "arrests": self.rows,
            "changed": self.changed,
            "transitions": self.transitions.to_dicts(),
            "breakdown": self.breakdown.to_dicts(),
        }

    def write_csv(self, path: Path) -> None:
        """One long table: dimension ``all`` holds the transitions, then each breakdown."""
        overall = self.transitions.filter(pl.col("from") != pl.col("to")).select(
            pl.lit("all").alias("dimension"), pl.lit("all").alias("value"), "from", "to", "arrests"
        )
        pl.concat([overall, self.breakdown]).write_csv(path)

    def write_json(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_dict(), indent=2), encoding="utf-8")


def simulate(
    base: Policy,
    proposal: Policy,
    lf: pl.LazyFrame,
    *,
    catalog: Catalog | None = None,
    decision_date: date | None = None,
) -> Simulation:
    """Screen ``lf`` (NYPD-shaped) under both policies in one pass and compare outcomes."""
    cat = catalog if catalog is not None else load_catalog()
    schema = lf.collect_schema()
    dims = {name: col for name, col in DIMENSIONS.items() if col in schema}
    facts = nypd_facts(lf, catalog=cat, decision_date=decision_date)
    keys = list(NYPD_FACTS)
    a = _table(base).select(*keys, pl.col("outcome").alias("from"))
    b = _table(proposal).select(*keys, pl.col("outcome").alias("to"))
    joined = facts.join(a.lazy(), on=keys, how="left", nulls_equal=True).join(
        b.lazy(), on=keys, how="left", nulls_equal=True
    )
    cube = (
        joined.with_columns(
            [
                pl.col(col).cast(pl.String).fill_null("(not recorded)").alias(name)
                for name, col in dims.items()
            ]
        )
        .group_by(*dims, "from", "to")
        .len("arrests")
        .collect()
    )
    if "borough" in cube.columns:
        cube = cube.with_columns(pl.col("borough").replace(BOROUGHS))
    transitions = (
        cube.group_by("from", "to").agg(pl.col("arrests").sum()).sort("arrests", descending=True)
    )
    changes = cube.filter(pl.col("from") != pl.col("to"))
    parts = [
        changes.group_by(name, "from", "to")
        .agg(pl.col("arrests").sum())
        .select(
            pl.lit(name).alias("dimension"), pl.col(name).alias("value"), "from", "to", "arrests"
        )
        for name in dims
    ]
    breakdown = (
        pl.concat(parts).sort("dimension", "arrests", descending=[False, True])
        if parts
        else pl.DataFrame(
            schema={
                "dimension": pl.String,
                "value": pl.String,
                "from": pl.String,
                "to": pl.String,
                "arrests": pl.UInt32,
            }
        )
    )
    rows = int(cube["arrests"].sum())
    changed = int(changes["arrests"].sum()) if changes.height else 0
    return Simulation(base, proposal, rows, changed, transitions, breakdown)
