"""Every prostitution-related law code in the real NYPD files, read against the catalog."""

from __future__ import annotations

from collections import Counter
from datetime import date

import polars as pl

from survivors_justice.law import Catalog, ChargeStatus, LawCodeError, Role, parse_law_code

REPEAL_2007 = date(2007, 11, 1)
FAMILY_CODE = r"^PL (230|24037|1353[5-7])"

# What each code found in the real files means, by era: (section, subdivision, role). This is the
# specification the catalog is checked against; a code not listed here fails the test, so a new
# code in a new file gets a deliberate decision.
EXPECTED: dict[str, dict[str, tuple[str, str | None, Role]]] = {
    "PL 2300000": {"*": ("230.00", None, Role.SELLER)},
    "PL 2300300": {
        "before 2007-11-01": ("230.03", None, Role.BUYER),
        "from 2007-11-01": ("230.04", None, Role.BUYER),
    },
    "PL 23003A0": {"*": ("230.03", None, Role.SELLER)},
    "PL 2300400": {"*": ("230.04", None, Role.BUYER)},
    "PL 2300500": {"*": ("230.05", None, Role.BUYER)},
    "PL 2300600": {"*": ("230.06", None, Role.BUYER)},
    "PL 2302000": {"*": ("230.20", None, Role.PROMOTER)},
    "PL 2302501": {"*": ("230.25", "1", Role.PROMOTER)},
    "PL 2302502": {"*": ("230.25", "2", Role.PROMOTER)},
    "PL 2303001": {"*": ("230.30", "1", Role.PROMOTER)},
    "PL 230301X": {"*": ("230.30", "1", Role.PROMOTER)},
    "PL 230300X": {"*": ("230.30", None, Role.PROMOTER)},
    "PL 2303002": {"*": ("230.30", "2", Role.PROMOTER)},
    "PL 230302X": {"*": ("230.30", "2", Role.PROMOTER)},
    "PL 2303200": {"*": ("230.32", None, Role.PROMOTER)},
    "PL 230320X": {"*": ("230.32", None, Role.PROMOTER)},
    "PL 2303300": {"*": ("230.33", None, Role.PROMOTER)},
    "PL 230330X": {"*": ("230.33", None, Role.PROMOTER)},
    "PL 2303400": {"*": ("230.34", None, Role.TRAFFICKER)},
    "PL 230345A": {"*": ("230.34", "5(a)", Role.TRAFFICKER)},
    "PL 2304000": {"*": ("230.40", None, Role.PREMISES)},
    "PL 2403703": {"*": ("240.37", "2", Role.SELLER)},
    "PL 24037M2": {"*": ("240.37", "2", Role.SELLER)},
    "PL 24037V2": {"*": ("240.37", "2", Role.SELLER)},
}


def expected(code: str, on: date) -> tuple[str, str | None, Role]:
    eras = EXPECTED[code]
    if "*" in eras:
        return eras["*"]
    return eras["before 2007-11-01" if on < REPEAL_2007 else "from 2007-11-01"]


def prostitution_related(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.filter(
        pl.col("LAW_CODE").str.contains(FAMILY_CODE)
        | (pl.col("OFNS_DESC") == "PROSTITUTION & RELATED OFFENSES")
    )


def test_every_law_code_in_the_real_files_parses(both_files: pl.DataFrame) -> None:
    codes = both_files["LAW_CODE"].drop_nulls().unique().to_list()
    assert len(codes) > 500
    for code in codes:
        try:
            parsed = parse_law_code(code)
        except LawCodeError as exc:  # pragma: no cover - the failure message is the point
            raise AssertionError(f"{code!r} from the real files does not parse: {exc}") from exc
        assert parsed.nypd and parsed.raw == code


def test_every_prostitution_related_row_resolves_to_its_expected_role(
    catalog: Catalog, both_files: pl.DataFrame
) -> None:
    rows = prostitution_related(both_files)
    assert rows.height == 41_701 + 160
    unexpected = sorted(set(rows["LAW_CODE"].to_list()) - set(EXPECTED))
    assert not unexpected, f"codes without an expected reading: {unexpected}"
    seen: Counter[tuple[str, str]] = Counter()
    for code, pd, on in rows.select("LAW_CODE", "PD_CD", "arrest_date").iter_rows():
        r = catalog.resolve(law_code=code, pd_cd=pd, on=on)
        assert r.status is ChargeStatus.CATALOGED, (code, pd, on, r.note)
        assert (r.section, r.subdivision, r.role) == expected(code, on), (code, pd, on, r.note)
        assert r.in_force is True, (code, on, r.note)  # the NYPD charged laws then in force
        seen[(code, str(r.role))] += 1
    assert {code for code, _ in seen} == set(EXPECTED)


def test_december_2017_counts_by_role(catalog: Catalog, december_2017: pl.DataFrame) -> None:
    by_role: Counter[Role] = Counter()
    by_status: Counter[ChargeStatus] = Counter()
    for code, pd, on in december_2017.select("LAW_CODE", "PD_CD", "arrest_date").iter_rows():
        r = catalog.resolve(law_code=code, pd_cd=pd, on=on)
        by_status[r.status] += 1
        if r.role is not None:
            by_role[r.role] += 1
    related = prostitution_related(december_2017)
    assert related.height == 160  # the source notes' published count
    assert by_status[ChargeStatus.CATALOGED] == 160
    assert by_status[ChargeStatus.UNKNOWN] == 0
    assert by_status[ChargeStatus.OUTSIDE] == december_2017.height - 160 == 19_292
    want: Counter[Role] = Counter()
    for code, on in related.select("LAW_CODE", "arrest_date").iter_rows():
        want[expected(code, on)[2]] += 1
    assert by_role == want
    assert sum(by_role.values()) == 160
    assert by_role[Role.BUYER] == related.filter(pl.col("PD_CD") == "565").height


def test_no_row_of_the_real_files_is_unknown(catalog: Catalog, both_files: pl.DataFrame) -> None:
    for code in both_files["LAW_CODE"].unique().to_list():
        r = catalog.resolve(law_code=code)
        assert r.status is not ChargeStatus.UNKNOWN, (code, r.note)
        looks_like_ours = code is not None and pl.Series([code]).str.contains(FAMILY_CODE)[0]
        assert (r.status is ChargeStatus.CATALOGED) == looks_like_ours, code


def test_the_prefix_trap_on_real_rows(catalog: Catalog, december_2017: pl.DataFrame) -> None:
    harassment = december_2017.filter(pl.col("LAW_CODE").str.starts_with("PL 24030"))
    assert harassment.height > 0
    for code, pd, on in harassment.select("LAW_CODE", "PD_CD", "arrest_date").iter_rows():
        r = catalog.resolve(law_code=code, pd_cd=pd, on=on)
        assert r.status is ChargeStatus.OUTSIDE and r.section == "240.30"


def test_the_dated_facts_of_the_real_files(historic: pl.DataFrame) -> None:
    """The facts the readings rest on, recomputed from the data (docs/decisions.md)."""
    h = historic
    old = h.filter(pl.col("LAW_CODE") == "PL 2300300")
    assert old["arrest_date"].min() == date(2006, 1, 4)
    assert old["arrest_date"].max() == date(2008, 7, 18)
    assert old["PD_CD"].unique().to_list() == ["565"]
    new = h.filter(pl.col("LAW_CODE") == "PL 2300400")
    assert new.filter(pl.col("arrest_date") < REPEAL_2007).height == 10
    loiter = h.filter(pl.col("LAW_CODE") == "PL 2403703")
    assert loiter["PD_CD"].unique().to_list() == ["617"]
    women = (loiter["PERP_SEX"] == "F").mean()
    promoting = h.filter(pl.col("LAW_CODE").is_in(["PL 2302000", "PL 2302501", "PL 2302502"]))
    assert women is not None and women > 0.85
    assert (promoting["PERP_SEX"] == "F").mean() < 0.35  # type: ignore[operator]
    compelling = h.filter(pl.col("LAW_CODE").is_in(["PL 2303300", "PL 230330X"]))
    assert compelling["PD_CD"].unique().to_list() == ["588"]
    assert compelling["arrest_date"].min() == date(2008, 10, 9)
