"""Shared fixtures of the policy tests: the office's policy, the catalog, the real arrest files."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from survivors_justice.law import Catalog, load_catalog
from survivors_justice.policy import Policy, load_policy

DATA = Path(__file__).resolve().parents[2] / "data" / "nypd"
DECEMBER_2017 = DATA / "arrests-2017-12.csv"
PROSTITUTION_2006_2016 = DATA / "prostitution-arrests-2006-2016.csv"
# Penal Law article 230, the repealed 240.37 and labor trafficking (135.35-135.37)
RELATED = r"^PL (230|24037|13535|13536|13537)"


@pytest.fixture(scope="session")
def policy() -> Policy:
    return load_policy()


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="session")
def december() -> pl.LazyFrame:
    return pl.scan_csv(DECEMBER_2017, infer_schema=False)


@pytest.fixture(scope="session")
def history() -> pl.LazyFrame:
    return pl.scan_csv(PROSTITUTION_2006_2016, infer_schema=False)
