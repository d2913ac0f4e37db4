"""Real NYPD files for the charge-catalog tests (read once per session)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from survivors_justice.law import Catalog, load_catalog

NYPD = Path(__file__).resolve().parents[2] / "data" / "nypd"
DECEMBER_2017 = NYPD / "arrests-2017-12.csv"
HISTORIC_2006_2016 = NYPD / "prostitution-arrests-2006-2016.csv"


def read_arrests(path: Path) -> pl.DataFrame:
    """The file as text columns, plus ``arrest_date`` (pl.Date) and the row number."""
    return (
        pl.read_csv(path, infer_schema_length=0)
        .with_columns(pl.col("ARREST_DATE").str.strptime(pl.Date, "%m/%d/%Y").alias("arrest_date"))
        .with_row_index("row")
    )


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="session")
def december_2017() -> pl.DataFrame:
    return read_arrests(DECEMBER_2017)


@pytest.fixture(scope="session")
def historic() -> pl.DataFrame:
    return read_arrests(HISTORIC_2006_2016)


@pytest.fixture(scope="session")
def both_files(december_2017: pl.DataFrame, historic: pl.DataFrame) -> pl.DataFrame:
    return pl.concat([december_2017, historic.drop("Lon_Lat")], how="vertical")
