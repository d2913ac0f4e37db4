"""Parsing of NYPD LAW_CODE values and citations."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from survivors_justice.law import LawCode, LawCodeError, parse_law_code


@pytest.mark.parametrize(
    ("raw", "section", "subdivision", "qualifier"),
    [
        ("PL 2302502", "230.25", "2", None),
        ("PL 230345A", "230.34", "5(a)", None),
        ("PL 230345C", "230.34", "5(c)", None),
        ("PL 2300000", "230.00", None, None),
        ("PL 2403703", "240.37", "3", None),
        ("PL 24037M2", "240.37", "2", "M"),
        ("PL 24037V2", "240.37", "2", "V"),
        ("PL 230302X", "230.30", "2", "X"),
        ("PL 230301X", "230.30", "1", "X"),
        ("PL 230300X", "230.30", None, "X"),
        ("PL 230320X", "230.32", None, "X"),
        ("PL 230330X", "230.33", None, "X"),
        ("PL 23003A0", "230.03", None, "A"),
        ("PL 2303400", "230.34", None, None),
        ("PL 2403002", "240.30", "2", None),
        ("PL 1353500", "135.35", None, None),
        ("pl 2302502", "230.25", "2", None),
        ("PL2302502", "230.25", "2", None),
        ("  PL  2302502 ", "230.25", "2", None),
    ],
)
def test_nypd_codes(raw: str, section: str, subdivision: str | None, qualifier: str | None) -> None:
    code = parse_law_code(raw)
    assert (code.chapter, code.section, code.subdivision, code.qualifier) == (
        "PL",
        section,
        subdivision,
        qualifier,
    )
    assert code.raw == raw


@pytest.mark.parametrize(
    ("raw", "section", "subdivision"),
    [
        ("PL 230.25(2)", "230.25", "2"),
        ("230.34(5)(a)", "230.34", "5(a)"),
        ("PL 230.34-a", "230.34-a", None),
        ("§ 240.37(2)", "240.37", "2"),
        ("PL 230.00", "230.00", None),
    ],
)
def test_citations(raw: str, section: str, subdivision: str | None) -> None:
    code = parse_law_code(raw)
    assert (code.chapter, code.section, code.subdivision) == ("PL", section, subdivision)
    assert not code.nypd


def test_other_chapters_are_kept_uninterpreted() -> None:
    assert parse_law_code("VTL0511A04") == LawCode("VTL0511A04", "VTL", "0511A04", None, nypd=True)
    assert parse_law_code("AM 0353B00").chapter == "AM"


@pytest.mark.parametrize("raw", ["", "   ", "garbage", "PL 23", "PL ABCDEFG", "230", "PL 230.34()"])
def test_garbage_raises_with_the_value_named(raw: str) -> None:
    with pytest.raises(LawCodeError) as err:
        parse_law_code(raw)
    assert repr(raw) in str(err.value)
    assert "expected" in str(err.value) or "needs" in str(err.value)


@given(st.text(max_size=60))
def test_parser_never_crashes(raw: str) -> None:
    try:
        code = parse_law_code(raw)
    except LawCodeError:
        return
    assert code.raw == raw
    assert code.chapter


@given(st.from_regex(r"PL [0-9]{5}[0-9A-Z]{2}", fullmatch=True))
def test_every_nypd_shaped_pl_code_parses(raw: str) -> None:
    code = parse_law_code(raw)
    assert code.section == f"{raw[3:6]}.{raw[6:8]}"
