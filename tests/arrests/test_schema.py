"""Header checks and row validation of the NYPD Arrests Data schema (no database)."""

from __future__ import annotations

from datetime import date

import pytest
from tests.arrests.helpers import DEC_2017, HISTORIC, read_rows

from survivors_justice.arrests.schema import (
    REQUIRED_COLUMNS,
    NotArrestsFileError,
    ParsedArrest,
    Problem,
    RowParser,
    parse_date,
    read_header,
)

TODAY = date(2026, 11, 28)


def _parser(header: list[str]) -> RowParser:
    return RowParser(read_header("f.csv", header), today=TODAY)


def test_both_bundled_headers_are_accepted() -> None:
    dec_header, _ = read_rows(DEC_2017, 1)
    hist_header, _ = read_rows(HISTORIC, 1)
    assert read_header("a", dec_header).extra == ()
    assert read_header("b", hist_header).extra == ("Lon_Lat",)


def test_year_to_date_extra_column_and_any_order_are_accepted() -> None:
    header, rows = read_rows(DEC_2017, 3)
    shuffled = [*reversed(header), "New Georeferenced Column"]
    layout = read_header("ytd.csv", shuffled)
    assert layout.extra == ("New Georeferenced Column",)
    parser = _parser(shuffled)
    for row in rows:
        moved = [*reversed(row), "POINT (-73.8 40.8)"]
        parsed = parser.parse(moved)
        assert isinstance(parsed, ParsedArrest)
        same = _parser(header).parse(row)
        assert isinstance(same, ParsedArrest)
        assert parsed == same  # same values, same content hash, whatever the column order


def test_missing_columns_are_named() -> None:
    with pytest.raises(NotArrestsFileError) as info:
        read_header("census.csv", ["precinct", "P2_001N", "ARREST_KEY"])
    assert info.value.missing == tuple(c for c in REQUIRED_COLUMNS if c != "ARREST_KEY")
    assert "ARREST_DATE" in str(info.value) and "census.csv" in str(info.value)
    with pytest.raises(NotArrestsFileError, match="empty"):
        read_header("empty.csv", None)


def test_a_duplicated_required_column_is_refused() -> None:
    header, _ = read_rows(DEC_2017, 1)
    with pytest.raises(NotArrestsFileError, match="LAW_CODE appears twice"):
        read_header("dup.csv", [*header, "law_code"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [("12/26/2017", date(2017, 12, 26)), ("2017-12-26", date(2017, 12, 26)),
     ("2017-12-26T00:00:00.000", date(2017, 12, 26))],
)
def test_dates(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["02/30/2017", "13/01/2017", "12/26/17", "yesterday", ""])
def test_impossible_dates(text: str) -> None:
    with pytest.raises(ValueError):
        parse_date(text)


def _bad(column: str, value: str) -> list[Problem]:
    header, rows = read_rows(DEC_2017, 1)
    row = list(rows[0])
    row[header.index(column)] = value
    result = _parser(header).parse(row)
    assert isinstance(result, list), f"{column}={value!r} was accepted"
    return result


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("ARREST_KEY", "", "missing ARREST_KEY"),
        ("ARREST_KEY", "17A95", "not a whole number"),
        ("ARREST_DATE", "02/30/2017", "impossible"),
        ("ARREST_DATE", "12/26/2099", "future"),
        ("ARREST_BORO", "Z", "unknown borough"),
        ("ARREST_PRECINCT", "4X", "precinct is not a number"),
        ("ARREST_PRECINCT", "", "missing precinct"),
        ("JURISDICTION_CODE", "NYPD", "jurisdiction"),
        ("X_COORD_CD", "1032140,5", "coordinate"),
        ("Latitude", "40.8.1", "coordinate"),
        ("Longitude", "nan", "coordinate"),
        ("Latitude", "140.5", "coordinate"),
        ("PERP_RACE", "MARTIAN", "RACE_LABELS"),
        ("PERP_SEX", "X", "not F, M or U"),
        ("PD_DESC", "x" * 101, "longer than 100"),
        ("LAW_CODE", "PL\x002300000", "NUL"),
    ],
)
def test_bad_values_name_column_and_reason(column: str, value: str, reason: str) -> None:
    problems = _bad(column, value)
    assert any(p.column == column.upper() and reason in p.reason for p in problems), problems


def test_truncated_and_overlong_rows() -> None:
    header, rows = read_rows(DEC_2017, 2)
    parser = _parser(header)
    short = parser.parse(rows[0][:9])
    assert isinstance(short, list)
    assert short[0].column == header[9] and "truncated row: 9 of 18" in short[0].reason
    long = parser.parse([*rows[1], "extra"])
    assert isinstance(long, list) and "19 fields" in long[0].reason


def test_duplicate_key_in_the_file() -> None:
    header, rows = read_rows(DEC_2017, 2)
    parser = _parser(header)
    assert isinstance(parser.parse(rows[0]), ParsedArrest)
    again = parser.parse(rows[0])
    assert isinstance(again, list) and "duplicate ARREST_KEY" in again[0].reason


def test_historic_coordinates_written_as_floats_parse() -> None:
    header, rows = read_rows(HISTORIC, 1)
    parsed = _parser(header).parse(rows[0])
    assert isinstance(parsed, ParsedArrest)
    assert parsed.x_coord == float(rows[0][header.index("X_COORD_CD")]) == 980596.0
    assert parsed.race == "white_hispanic" and parsed.sex == "F"
