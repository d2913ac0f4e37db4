"""The store's arrests as a Polars frame, for the analytics package (`sj report disparities --db`).

Only the columns a disparity report counts by leave the database: no arrest key, no name, no
contact detail. Sexual orientation and gender identity come from the case's defendant where the
person reported them; arrests without a case, or people who were not asked, are "not_recorded".
"""

from __future__ import annotations

import polars as pl

from survivors_justice.django_setup import setup

COLUMNS = (
    "arrest_date",
    "law_code",
    "pd_cd",
    "borough",
    "precinct",
    "age_group",
    "sex_recorded",
    "race",
    "latitude",
    "longitude",
    "sexual_orientation",
    "gender_identity",
)
_SCHEMA = {
    "arrest_date": pl.Date,
    "law_code": pl.String,
    "pd_cd": pl.String,
    "borough": pl.String,
    "precinct": pl.Int64,
    "age_group": pl.String,
    "sex_recorded": pl.String,
    "race": pl.String,
    "latitude": pl.Float64,
    "longitude": pl.Float64,
    "sexual_orientation": pl.String,
    "gender_identity": pl.String,
}
NOT_RECORDED = "not_recorded"


def store_frame(chunk_size: int = 50_000) -> pl.DataFrame:
    """Every stored arrest, one row each, with the defendant's self-reported SOGI where known."""
    setup()
    from survivors_justice.arrests.models import Arrest

    rows = (
        Arrest.objects.order_by("pk")
        .values_list(
            "arrest_date",
            "law_code",
            "pd_cd",
            "borough",
            "precinct",
            "age_group",
            "sex_recorded",
            "race",
            "latitude",
            "longitude",
            "case__defendant__sexual_orientation",
            "case__defendant__gender_identity",
        )
        .iterator(chunk_size=chunk_size)
    )
    frame = pl.DataFrame(list(rows), schema=_SCHEMA, orient="row")
    return frame.with_columns(
        pl.col("sexual_orientation").fill_null(NOT_RECORDED),
        pl.col("gender_identity").fill_null(NOT_RECORDED),
    )
