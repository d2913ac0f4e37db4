"""The store's arrests as a Polars frame, for the analytics package (`sj report disparities --db`).

Only the columns a disparity report counts by leave the database: no arrest key, no name, no
contact detail. Sexual orientation and gender identity come from the case's defendant where the
person reported them; arrests without a case, or people who were not asked, are "not_recorded".
"""

from __future__ import annotations

import polars as pl

from survivors_justice.django_setup import setup

# report column -> (the stored field it comes from, its Polars type)
_FIELDS: dict[str, tuple[str, type[pl.DataType]]] = {
    "arrest_date": ("arrest_date", pl.Date),
    "law_code": ("law_code", pl.String),
    "pd_cd": ("pd_cd", pl.String),
    "borough": ("borough", pl.String),
    "precinct": ("precinct", pl.Int64),
    "age_group": ("age_group", pl.String),
    "sex_recorded": ("sex_recorded", pl.String),
    "race": ("race", pl.String),
    "latitude": ("latitude", pl.Float64),
    "longitude": ("longitude", pl.Float64),
    "sexual_orientation": ("case__defendant__sexual_orientation", pl.String),
    "gender_identity": ("case__defendant__gender_identity", pl.String),
}
COLUMNS = tuple(_FIELDS)
NOT_RECORDED = "not_recorded"


def store_frame(chunk_size: int = 50_000) -> pl.DataFrame:
    """Every stored arrest, one row each, with the defendant's self-reported SOGI where known."""
    setup()
    from survivors_justice.arrests.models import Arrest
    from survivors_justice.cases.models import Person
    from survivors_justice.fields import unseal_value

    rows = (
        Arrest.objects.order_by("pk")
        .values_list(*(path for path, _ in _FIELDS.values()), "case__defendant_id")
        .iterator(chunk_size=chunk_size)
    )
    def opened(row: tuple[object, ...]) -> tuple[object, ...]:
        """The two SOGI columns (the last of _FIELDS) are encrypted for the person's row."""
        *plain, orientation, identity, person = row
        if not orientation and not identity:
            return (*plain, None, None)
        return (*plain,
                unseal_value(Person, "sexual_orientation", orientation, person) or None,
                unseal_value(Person, "gender_identity", identity, person) or None)

    frame = pl.DataFrame(
        [opened(r) for r in rows],
        schema={name: kind for name, (_, kind) in _FIELDS.items()}, orient="row",
    )
    return frame.with_columns(
        pl.col("sexual_orientation").fill_null(NOT_RECORDED),
        pl.col("gender_identity").fill_null(NOT_RECORDED),
    )
