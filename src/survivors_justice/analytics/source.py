"""Arrest sources: an NYPD arrests CSV, or any Polars frame with the same fields (the store).

:func:`clean_arrests` is the one entry point: it takes NYPD column names (``ARREST_DATE``,
``PERP_RACE`` ...) or the store's names (``arrest_date``, ``race`` ...) and returns the normalised
lazy frame every measure reads:

``arrest_date`` (Date), ``law_code``, ``pd_cd``, ``precinct`` (Int32),
``borough`` (name), ``age_group``, ``sex`` (F/M/U), ``race_group`` (see ``groups.RACE_MAP``),
``lat``, ``lon`` (WGS84, null when not recorded) and, when given, ``outcome``,
``sexual_orientation`` and ``gender_identity`` (self-reported; empty becomes ``not_recorded``,
never imputed).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import polars as pl

from survivors_justice.analytics.errors import (
    MissingColumnError,
    SourceColumnsError,
    SourceShapeError,
)
from survivors_justice.analytics.groups import RACE_MAP, SOGI_NOT_RECORDED
from survivors_justice.analytics.reference import BORO_LETTERS, precinct_boroughs

AGE_VALUES = ("<18", "18-24", "25-44", "45-64", "65+")
# The NYPD columns a report reads (the bench reads exactly these for its baseline).
NYPD_COLUMNS: tuple[str, ...] = (
    "ARREST_DATE", "PD_CD", "LAW_CODE", "ARREST_BORO", "ARREST_PRECINCT", "AGE_GROUP",
    "PERP_SEX", "PERP_RACE", "Latitude", "Longitude",
)
# store / normalised name -> NYPD name
_ALIASES: dict[str, tuple[str, ...]] = {
    "ARREST_DATE": ("arrest_date",),
    "PD_CD": ("pd_cd",),
    "LAW_CODE": ("law_code",),
    "ARREST_BORO": ("borough",),
    "ARREST_PRECINCT": ("precinct",),
    "AGE_GROUP": ("age_group",),
    "PERP_SEX": ("sex_recorded", "sex"),
    "PERP_RACE": ("race_recorded", "race"),
    "Latitude": ("latitude", "lat"),
    "Longitude": ("longitude", "lon"),
}
_OPTIONAL = ("outcome", "sexual_orientation", "gender_identity")


def scan_arrests_csv(path: str | Path) -> pl.LazyFrame:
    """Lazily read an NYPD arrests CSV (historic or year-to-date extract): the report's columns,
    text except precinct (integer) and latitude/longitude (floats)."""
    path = Path(path)
    if not path.is_file():
        raise SourceColumnsError(f"arrest file {path} does not exist; give the path of an NYPD "
                                 "arrests CSV (NYC Open Data 8h9b-rp9u or uip8-fykc)")
    header = check_csv_shape(path)
    missing = [c for c in NYPD_COLUMNS if c not in header]
    if missing:
        raise SourceColumnsError(f"{path} lacks the NYPD columns {missing}; the report needs "
                                 f"{list(NYPD_COLUMNS)}")
    # Low-cardinality labels are read as categoricals: each distinct label is stored and
    # normalised once, rows hold small integer codes.
    labels = {c: pl.Categorical() for c in ("ARREST_DATE", "ARREST_BORO", "AGE_GROUP",
                                           "PERP_SEX", "PERP_RACE")}
    return pl.scan_csv(path, infer_schema=False, schema_overrides={
        "ARREST_PRECINCT": pl.Int32, "Latitude": pl.Float64, "Longitude": pl.Float64, **labels,
    }).select(NYPD_COLUMNS)


_FIX = "fix or remove it, or download the file again from NYC Open Data"


def check_csv_shape(path: Path) -> list[str]:
    """The header of an arrests CSV, after checking that the file has one, has at least one
    row, and that every row has as many fields as the header (else :class:`SourceShapeError`
    naming the file and the first bad line). Quoted fields may hold commas; a field may not
    span lines (NYPD files never do)."""
    try:
        with path.open("rb") as f:
            first = f.readline()
    except OSError as exc:
        raise SourceShapeError(f"cannot read {path}: {exc.strerror}") from None
    if not first.strip():
        raise SourceShapeError(f"{path} is empty: it has no header row; give an NYPD arrests CSV")
    try:
        lines = pl.read_csv(
            path, has_header=False, separator="\x1f", quote_char=None, infer_schema=False,
            new_columns=["line"], encoding="utf8-lossy",
        )["line"]
    except pl.exceptions.PolarsError as exc:
        raise SourceShapeError(f"{path} cannot be read as a CSV file ({exc}); {_FIX}") from None
    blank = lines.str.strip_chars().fill_null("").str.len_chars() == 0
    fields = lines.str.replace_all(r'"[^"]*"', "", literal=False).str.count_matches(",") + 1
    expected = int(fields[0])
    rows = int((~blank).sum()) - 1
    if rows == 0:
        raise SourceShapeError(f"{path} has a header but no arrests; give a file with rows")
    bad = ((fields != expected) & ~blank).arg_true()
    if bad.len():
        line = int(bad[0]) + 1
        raise SourceShapeError(
            f"{path}, line {line}: {int(fields[line - 1])} fields where the header has "
            f"{expected} ({bad.len():,} such line(s)); {_FIX}"
        )
    return pl.read_csv(path, n_rows=0).columns


def _resolve_names(columns: list[str]) -> dict[str, str]:
    """Map each NYPD name to the column that holds it in ``columns``."""
    found: dict[str, str] = {}
    for nypd, aliases in _ALIASES.items():
        for name in (nypd, *aliases):
            if name in columns:
                found[nypd] = name
                break
    missing = [n for n in _ALIASES if n not in found]
    if missing:
        raise SourceColumnsError(
            f"the arrest frame lacks {missing} (or their store names "
            f"{[_ALIASES[m][0] for m in missing]}); it has {columns}")
    return found


def _text(name: str) -> pl.Expr:
    return pl.col(name).cast(pl.Utf8).str.strip_chars()


def _by_uniques(frame: pl.DataFrame, column: str, fn: Callable[[str], str | date | None],
                dtype: pl.DataType) -> pl.Expr:
    """Map a low-cardinality text column through ``fn`` once per distinct value (fast on
    millions of rows: a hash lookup per row instead of string work per row)."""
    series = frame.get_column(column)
    if series.dtype == pl.Categorical:
        values = series.unique().cast(pl.Utf8).to_list()  # on the codes: cheap
        source = pl.col(column)
    else:
        values = series.cast(pl.Utf8).unique().to_list()
        source = pl.col(column).cast(pl.Utf8)
    mapping = {v: fn("" if v is None else v) for v in values}
    empty = fn("")
    mapped = source.replace_strict(mapping, default=empty, return_dtype=dtype)
    return mapped if empty is None else mapped.fill_null(pl.lit(empty, dtype))


def _parse_date(text: str) -> date | None:
    text = text.strip()
    for fmt in ("%m/%d/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text[:10], fmt).date()  # noqa: DTZ007 (a calendar date)
        except ValueError:
            continue
    return None


def _age(text: str) -> str:
    value = text.strip()
    return value if value in AGE_VALUES else "unknown"


def _sex(text: str) -> str:
    value = text.strip().upper()
    return value if value in ("F", "M") else "U"


def _race(text: str) -> str:
    return RACE_MAP.get(text.strip().upper(), "unknown")


def _boro(text: str) -> str | None:
    return BORO_LETTERS.get(text.strip().upper())


def clean_arrests(frame: pl.LazyFrame | pl.DataFrame, *, keep_order: bool = True
                  ) -> pl.LazyFrame:
    """Normalise NYPD or store arrest rows into the frame every measure reads (see module doc).

    A lazy input is collected first: the labels are normalised once per distinct value. With
    ``keep_order`` (the default) rows stay in input order; aggregates do not need it.
    """
    data = frame.collect() if isinstance(frame, pl.LazyFrame) else frame
    columns = data.columns
    names = _resolve_names(columns)
    schema = data.schema

    date_col = names["ARREST_DATE"]
    if schema[date_col] == pl.Date or isinstance(schema[date_col], pl.Datetime):
        arrest_date = pl.col(date_col).cast(pl.Date)
    else:
        arrest_date = _by_uniques(data, date_col, _parse_date, pl.Date())
    lat = pl.col(names["Latitude"]).cast(pl.Float64, strict=False)
    lon = pl.col(names["Longitude"]).cast(pl.Float64, strict=False)
    # Coordinates outside the New York area are recording errors (e.g. 0, 0): treat as missing.
    ok = lat.is_between(40.0, 41.5) & lon.is_between(-75.0, -73.0)
    precinct = pl.col(names["ARREST_PRECINCT"])
    if schema[names["ARREST_PRECINCT"]] == pl.Utf8:
        precinct = precinct.str.strip_chars().cast(pl.Float64, strict=False)
    exprs: list[pl.Expr] = [
        arrest_date.alias("arrest_date"),
        pl.col(names["LAW_CODE"]).cast(pl.Utf8).fill_null("").alias("law_code"),
        pl.col(names["PD_CD"]).cast(pl.Utf8).alias("pd_cd"),
        precinct.cast(pl.Int32, strict=False).alias("precinct"),
        _by_uniques(data, names["ARREST_BORO"], _boro, pl.Utf8()).alias("_boro_recorded"),
        _by_uniques(data, names["AGE_GROUP"], _age, pl.Utf8()).alias("age_group"),
        _by_uniques(data, names["PERP_SEX"], _sex, pl.Utf8()).alias("sex"),
        _by_uniques(data, names["PERP_RACE"], _race, pl.Utf8()).alias("race_group"),
        pl.when(ok).then(lat).alias("lat"),
        pl.when(ok).then(lon).alias("lon"),
    ]
    for name in ("outcome", "outcome_proposal"):
        if name in columns:
            exprs.append(_text(name).fill_null("not_screened").alias(name))
    for name in ("sexual_orientation", "gender_identity"):
        if name in columns:
            value = _text(name).fill_null("")
            exprs.append(pl.when(value == "").then(pl.lit(SOGI_NOT_RECORDED)).otherwise(value)
                         .alias(name))
    boroughs = precinct_boroughs().lazy()
    return (
        data.lazy().select(exprs)
        .join(boroughs, on="precinct", how="left",
              maintain_order="left" if keep_order else "none")
        .with_columns(borough=pl.coalesce("borough", "_boro_recorded"))
        .drop("_boro_recorded")
    )


def read_arrests_csv(path: str | Path) -> pl.DataFrame:
    """Read an NYPD arrests CSV eagerly (the same columns and types as :func:`scan_arrests_csv`;
    the eager reader is the faster one for a whole file)."""
    lazy = scan_arrests_csv(path)  # checks the file and its header
    schema = lazy.collect_schema()
    return pl.read_csv(path, columns=list(NYPD_COLUMNS), infer_schema=False,
                       schema_overrides=dict(schema))


def require_column(frame: pl.LazyFrame, column: str, hint: str) -> None:
    """Raise :class:`MissingColumnError` when ``column`` is absent, with what to do."""
    if column not in frame.collect_schema().names():
        raise MissingColumnError(f"the arrests carry no {column!r} column; {hint}")
