"""``resolve_frame`` agrees with ``resolve`` row by row, on the real files and on random frames."""

from __future__ import annotations

from datetime import date, datetime

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from survivors_justice.law import Catalog, FrameColumnError, ResolvedCharge
from survivors_justice.law.frame import OUTPUT_COLUMNS


def expected_row(r: ResolvedCharge) -> dict[str, object]:
    e = r.entry
    return {
        "section": r.section,
        "subdivision": r.subdivision,
        "charge_status": r.status.value,
        "role": None if r.role is None else r.role.value,
        "family": None if e is None else e.family.value,
        "minor": None if e is None else e.minor,
        "coercion": None if e is None else e.coercion,
        "in_force": r.in_force,
        "offense_class": None if e is None else e.offense_class,
        "charge_note": r.note or None,
    }


def assert_agrees(catalog: Catalog, frame: pl.DataFrame, *, on: str | None = "arrest_date") -> None:
    pd = "PD_CD" if "PD_CD" in frame.columns else None
    out = catalog.resolve_frame(frame.lazy(), pd_cd=pd, on=on).collect()
    assert out.height == frame.height
    assert out.columns == [*frame.columns, *OUTPUT_COLUMNS]
    names = list(OUTPUT_COLUMNS)
    assert out.select(frame.columns).equals(frame)  # input untouched, order kept
    for dtype, name in zip(out.select(names).dtypes, names, strict=True):
        assert dtype == OUTPUT_COLUMNS[name]
    pd_col = "PD_CD" if "PD_CD" in frame.columns else None
    for row in out.iter_rows(named=True):
        day = row[on] if on else None
        if isinstance(day, datetime):
            day = day.date()
        r = catalog.resolve(law_code=row["LAW_CODE"], pd_cd=row[pd_col] if pd_col else None, on=day)
        got = {name: row[name] for name in OUTPUT_COLUMNS}
        assert got == expected_row(r), (row["LAW_CODE"], row.get("PD_CD"), day)


def test_agrees_with_resolve_on_december_2017(
    catalog: Catalog, december_2017: pl.DataFrame
) -> None:
    assert_agrees(catalog, december_2017)


def test_agrees_with_resolve_on_2006_2016(catalog: Catalog, historic: pl.DataFrame) -> None:
    assert_agrees(catalog, historic)


def test_counts_on_december_2017(catalog: Catalog, december_2017: pl.DataFrame) -> None:
    out = catalog.resolve_frame(december_2017.lazy()).collect()
    counts = dict(out.group_by("charge_status").len().iter_rows())
    assert counts == {"cataloged": 160, "outside": 19_292}
    assert out.filter(pl.col("role").is_not_null()).height == 160


def test_integer_pd_codes_datetimes_and_no_date(catalog: Catalog, historic: pl.DataFrame) -> None:
    sample = historic.head(3000).select("LAW_CODE", "PD_CD", "arrest_date")
    as_int = sample.with_columns(pl.col("PD_CD").cast(pl.Int64))
    a = catalog.resolve_frame(sample.lazy()).collect().drop("PD_CD")
    b = catalog.resolve_frame(as_int.lazy()).collect().drop("PD_CD")
    assert a.equals(b)
    as_dt = sample.with_columns(pl.col("arrest_date").cast(pl.Datetime("us")))
    c = catalog.resolve_frame(as_dt.lazy()).collect().drop("arrest_date")
    assert a.drop("arrest_date").equals(c.drop("PD_CD"))
    undated = catalog.resolve_frame(sample.drop("arrest_date").lazy(), on=None).collect()
    assert undated["in_force"].null_count() == undated.height
    assert_agrees(catalog, sample.drop("arrest_date"), on=None)


def test_missing_and_clashing_columns_are_refused(catalog: Catalog) -> None:
    frame = pl.LazyFrame(
        {"LAW_CODE": ["PL 2300000"], "PD_CD": ["563"], "arrest_date": [date(2010, 1, 1)]}
    )
    with pytest.raises(FrameColumnError, match="no column 'law_code'"):
        catalog.resolve_frame(frame, law_code="law_code")
    with pytest.raises(FrameColumnError, match=r"no column 'arrest_dt'.*on=None"):
        catalog.resolve_frame(frame, on="arrest_dt")
    with pytest.raises(FrameColumnError, match="already has the output"):
        catalog.resolve_frame(frame.with_columns(role=pl.lit("x")))
    with pytest.raises(FrameColumnError, match="not a date"):
        catalog.resolve_frame(frame.with_columns(pl.col("arrest_date").cast(pl.String)))
    with pytest.raises(FrameColumnError, match="no column 'PD_CD'"):
        catalog.resolve_frame(frame.drop("PD_CD"))
    out = catalog.resolve_frame(frame.drop("PD_CD"), pd_cd=None).collect()
    assert out["role"].to_list() == ["seller"]


CODES = [
    "PL 2300000", "PL 2300300", "PL 23003A0", "PL 2300400", "PL 2302502", "PL 2303300",
    "PL 230302X", "PL 2403703", "PL 24037M2", "PL 2403002", "PL 2309900", "PL 2300100",
    "VTL0511A04", "garbage", " PL 2300000 ", "PL 230.34-a",
]  # fmt: skip
PDS = ["563", "565", "588", "587", "617", "999", None, " 565 ", "565.0"]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.one_of(st.none(), st.sampled_from(CODES)),
            st.sampled_from(PDS),
            st.one_of(st.none(), st.dates(date(2000, 1, 1), date(2025, 12, 31))),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_agrees_with_resolve_on_random_frames(
    catalog: Catalog, rows: list[tuple[str | None, str | None, date | None]]
) -> None:
    frame = pl.DataFrame(
        rows,
        schema={"LAW_CODE": pl.String, "PD_CD": pl.String, "arrest_date": pl.Date},
        orient="row",
    )
    assert_agrees(catalog, frame)
