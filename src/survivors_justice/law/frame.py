"""Vectorised catalog resolution for Polars frames of arrest records.

The catalog's reading of a row depends only on its law code, its PD_CD and which interval
between the catalog's breakpoint dates (:meth:`Catalog.breakpoints`) its date falls in. So each
distinct (law code, PD_CD, interval) key is resolved once in Python and the answers are joined
back; no Python code runs per row.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

import polars as pl

from survivors_justice.law.model import FrameColumnError

if TYPE_CHECKING:
    from survivors_justice.law.catalog import Catalog

OUTPUT_COLUMNS: dict[str, pl.DataType] = {
    "section": pl.String(),
    "subdivision": pl.String(),
    "charge_status": pl.String(),
    "role": pl.String(),
    "family": pl.String(),
    "minor": pl.Boolean(),
    "coercion": pl.Boolean(),
    "in_force": pl.Boolean(),
    "offense_class": pl.String(),
    "charge_note": pl.String(),
}
_LC, _PD, _EPOCH = "__sj_law_code", "__sj_pd_cd", "__sj_epoch"


def _representative(breaks: tuple[date, ...], epoch: int | None) -> date | None:
    """A date inside interval ``epoch`` (dates d with exactly ``epoch`` breakpoints <= d)."""
    if epoch is None:
        return None
    if epoch == 0:
        return (breaks[0] - timedelta(days=1)) if breaks else date(2000, 1, 1)
    return breaks[epoch - 1]


def _pd_expr(column: str | None, schema: pl.Schema) -> pl.Expr:
    """The PD_CD column as text, untouched otherwise (normalised per distinct value later)."""
    if column is None:
        return pl.lit(None, dtype=pl.String)
    if schema[column] == pl.String:
        return pl.col(column)
    return pl.col(column).cast(pl.String)


def resolve_frame(
    catalog: Catalog,
    frame: pl.LazyFrame,
    *,
    law_code: str = "LAW_CODE",
    pd_cd: str | None = "PD_CD",
    on: str | None = "arrest_date",
) -> pl.LazyFrame:
    """Add the columns of :data:`OUTPUT_COLUMNS` to ``frame``.

    ``law_code`` names the LAW_CODE column, ``pd_cd`` the PD_CD column (``None``: the frame has
    none) and ``on`` a ``pl.Date`` column (a Datetime is truncated to its date; ``None``: resolve
    without a date, ``in_force`` null). Every row gets what :meth:`Catalog.resolve` gives for it:
    ``section``/``subdivision`` are the code as read (also for OUTSIDE and UNKNOWN charges),
    ``role``, ``family``, ``minor``, ``coercion``, ``offense_class`` are null unless CATALOGED,
    ``charge_note`` is null when there is nothing to say. The distinct keys are collected once, so
    the input is scanned twice.
    """
    schema = frame.collect_schema()
    for argument, column in (("law_code", law_code), ("pd_cd", pd_cd), ("on", on)):
        if column is not None and column not in schema:
            raise FrameColumnError(
                f"the frame has no column {column!r} (columns: {list(schema)}); pass "
                f"{argument}= the name of that column"
                + ("" if argument == "law_code" else f", or {argument}=None if it has none")
            )
    clashes = [c for c in [*OUTPUT_COLUMNS, _LC, _PD, _EPOCH] if c in schema]
    if clashes:
        raise FrameColumnError(
            f"the frame already has the output column(s) {clashes}; drop or rename them first"
        )
    breaks = catalog.breakpoints()
    if on is not None:
        dtype = schema[on]
        if dtype == pl.Datetime or isinstance(dtype, pl.Datetime):
            day = pl.col(on).dt.date()
        elif dtype == pl.Date:
            day = pl.col(on)
        else:
            raise FrameColumnError(
                f"column {on!r} is {dtype}, not a date; parse it first, e.g. "
                f"pl.col({on!r}).str.strptime(pl.Date, '%m/%d/%Y')"
            )
        count = pl.sum_horizontal([(day >= pl.lit(b)).cast(pl.Int16) for b in breaks])
        epoch = pl.when(day.is_null()).then(None).otherwise(count).cast(pl.Int16)
    else:
        epoch = pl.lit(None, dtype=pl.Int16)

    keyed = frame.with_columns(
        (
            pl.col(law_code) if schema[law_code] == pl.String else pl.col(law_code).cast(pl.String)
        ).alias(_LC),
        _pd_expr(pd_cd, schema).alias(_PD),
        epoch.alias(_EPOCH),
    )
    keys = keyed.select(_LC, _PD, _EPOCH).unique().collect()
    rows: dict[str, list[object]] = {name: [] for name in (_LC, _PD, _EPOCH, *OUTPUT_COLUMNS)}
    for code, pd, ep in keys.iter_rows():
        res = catalog.resolve(law_code=code, pd_cd=pd, on=_representative(breaks, ep))
        entry = res.entry
        values: tuple[object, ...] = (
            code,
            pd,
            ep,
            res.section,
            res.subdivision,
            res.status.value,
            None if res.role is None else res.role.value,
            None if entry is None else entry.family.value,
            None if entry is None else entry.minor,
            None if entry is None else entry.coercion,
            res.in_force,
            None if entry is None else entry.offense_class,
            res.note or None,
        )
        for name, value in zip(rows, values, strict=True):
            rows[name].append(value)
    lookup = pl.DataFrame(
        rows,
        schema={_LC: pl.String, _PD: pl.String, _EPOCH: pl.Int16, **OUTPUT_COLUMNS},
    )
    return keyed.join(
        lookup.lazy(),
        on=[_LC, _PD, _EPOCH],
        how="left",
        nulls_equal=True,
        maintain_order="left",
    ).drop(_LC, _PD, _EPOCH)
