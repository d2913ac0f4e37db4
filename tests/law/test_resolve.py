"""Resolution of one charge: dated meaning, PD_CD disagreements, unknown codes, the prefix trap."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from survivors_justice.law import Catalog, ChargeStatus, Role

REPEAL_2007 = date(2007, 11, 1)  # L.2007 ch.74 in force
TVPJA = date(2016, 1, 19)  # L.2015 ch.368 in force
LOITERING_REPEAL = date(2021, 2, 2)  # L.2021 ch.23


def test_the_issue_examples(catalog: Catalog) -> None:
    r = catalog.resolve(law_code="PL 2302502", pd_cd="584", on=date(2017, 12, 22))
    assert (r.status, r.section, r.subdivision, r.role, r.in_force) == (
        ChargeStatus.CATALOGED, "230.25", "2", Role.PROMOTER, True,
    )  # fmt: skip
    assert r.entry is not None and r.entry.minor
    r = catalog.resolve(law_code="PL 230345A", on=date(2017, 12, 5))
    assert (r.section, r.subdivision, r.role) == ("230.34", "5(a)", Role.TRAFFICKER)
    assert r.entry is not None and r.entry.coercion
    r = catalog.resolve(law_code="PL 2300000")
    assert (r.section, r.subdivision, r.role, r.in_force) == ("230.00", None, Role.SELLER, None)
    r = catalog.resolve(section="230.00")
    assert r.role is Role.SELLER


@pytest.mark.parametrize("code", ["PL 2403002", "PL 24030M1", "PL 2403000", "PL 2403702X"[:10]])
def test_the_prefix_trap(catalog: Catalog, code: str) -> None:
    r = catalog.resolve(law_code=code, on=date(2017, 12, 1))
    if code.startswith("PL 24030"):
        assert r.status is ChargeStatus.OUTSIDE
        assert r.section == "240.30"  # aggravated harassment, never 240.37
        assert r.entry is None and r.role is None


def test_aggravated_harassment_is_outside_even_with_a_loitering_pd(catalog: Catalog) -> None:
    r = catalog.resolve(law_code="PL 2403002", pd_cd="617", on=date(2010, 1, 1))
    assert r.status is ChargeStatus.OUTSIDE
    assert "PD_CD 617" in r.note and "read by the law code" in r.note


@pytest.mark.parametrize(
    ("code", "why"),
    [
        ("PL 2309900", "not in the charge catalog"),  # 230.99 does not exist
        # 240.37(1) defines "public place"; 240.37's subdivisions differ in role
        ("PL 2403701", "has no subdivision 1, and neither the section nor the PD_CD settles"),
        ("PL 2300100", "not an offense"),  # 230.01 affirmative defense
        ("PL 2301500", "not an offense"),  # 230.15 definitions
        ("PL 1353600", "not an offense"),  # 135.36 accomplice rule
        ("PL 230.34-b", "not in the charge catalog"),
    ],
)
def test_codes_that_look_like_ours_but_are_not_catalogued_are_unknown(
    catalog: Catalog, code: str, why: str
) -> None:
    r = catalog.resolve(law_code=code, on=date(2017, 12, 1))
    assert r.status is ChargeStatus.UNKNOWN
    assert r.entry is None and r.role is None and r.in_force is None
    assert why in r.note


@pytest.mark.parametrize("code", ["PL 1201000", "PL 2203900", "VTL0511A04", "LOC00000AM"])
def test_other_charges_are_outside(catalog: Catalog, code: str) -> None:
    r = catalog.resolve(law_code=code, on=date(2017, 12, 1))
    assert r.status is ChargeStatus.OUTSIDE and r.entry is None and r.role is None


def test_unreadable_or_missing_codes_are_unknown_unless_the_pd_code_says(catalog: Catalog) -> None:
    for code in ("garbage", None, "", "   "):
        r = catalog.resolve(law_code=code)
        assert r.status is ChargeStatus.UNKNOWN
        assert r.note
    r = catalog.resolve(law_code="PL 23?0000", pd_cd="563", on=date(2010, 5, 1))
    assert (r.status, r.section, r.role) == (ChargeStatus.CATALOGED, "230.00", Role.SELLER)
    assert "cannot be read" in r.note and "PD_CD 563" in r.note
    r = catalog.resolve(law_code=None, pd_cd=617.0, on=date(2010, 5, 1))  # type: ignore[arg-type]
    assert (r.section, r.subdivision, r.role) == ("240.37", "2", Role.SELLER)


# ---------------------------------------------------------------- dated meaning
def test_patronizing_fourth_degree_before_and_after_its_repeal(catalog: Catalog) -> None:
    before = catalog.resolve(law_code="PL 2300300", pd_cd="565", on=date(2007, 10, 31))
    assert (before.section, before.role, before.in_force) == ("230.03", Role.BUYER, True)
    assert before.entry is not None and "fourth degree" in before.entry.title
    after = catalog.resolve(law_code="PL 2300300", pd_cd="565", on=REPEAL_2007)
    assert (after.section, after.role, after.in_force) == ("230.04", Role.BUYER, True)
    assert "patronizing-4th-after-repeal" in after.note and "recorded as PL 230.03" in after.note


def test_230_03_means_prostitution_in_a_school_zone_after_2007(catalog: Catalog) -> None:
    r = catalog.resolve(law_code="PL 23003A0", pd_cd="565", on=date(2016, 2, 25))
    assert (r.section, r.role, r.in_force) == ("230.03", Role.SELLER, True)
    assert "school-zone-code-with-patronizing-pd" in r.note
    r = catalog.resolve(section="230.03", on=date(2020, 1, 1))
    assert r.role is Role.SELLER and r.note == ""


def test_patronizing_renamed_by_the_2015_act(catalog: Catalog) -> None:
    old = catalog.resolve(law_code="PL 2300400", on=TVPJA.replace(day=18))
    new = catalog.resolve(law_code="PL 2300400", on=TVPJA)
    assert old.entry is not None and new.entry is not None
    assert old.entry.title == "Patronizing a prostitute in the third degree"
    assert new.entry.title == "Patronizing a person for prostitution in the third degree"
    assert old.role is new.role is Role.BUYER


def test_the_third_degree_was_the_aggravated_form_before_2007(catalog: Catalog) -> None:
    r = catalog.resolve(law_code="PL 2300400", on=date(2006, 6, 1))
    assert r.entry is not None and r.entry.minor and r.role is Role.BUYER
    r = catalog.resolve(law_code="PL 2300400", on=date(2010, 6, 1))
    assert r.entry is not None and not r.entry.minor


def test_compelling_code_with_under_16_pd(catalog: Catalog) -> None:
    for code in ("PL 2303300", "PL 230330X"):
        for on in (date(2008, 10, 9), date(2016, 7, 30)):
            r = catalog.resolve(law_code=code, pd_cd="588", on=on)
            assert (r.section, r.role, r.in_force) == ("230.33", Role.PROMOTER, True)
            assert r.entry is not None and r.entry.minor and r.entry.coercion
            assert "compelling-code-with-under-16-pd" in r.note


def test_old_230_30_subdivisions(catalog: Catalog) -> None:
    r = catalog.resolve(law_code="PL 2303001", pd_cd="587", on=date(2010, 1, 1))
    assert r.entry is not None and r.entry.coercion and not r.entry.minor and r.note == ""
    r = catalog.resolve(law_code="PL 2303002", pd_cd="588", on=date(2010, 1, 1))
    assert r.entry is not None and r.entry.minor and "under 16" in r.entry.title
    r = catalog.resolve(law_code="PL 2303002", on=date(2017, 1, 1))
    assert r.entry is not None and "under 18" in r.entry.title
    r = catalog.resolve(law_code="PL 230302X", pd_cd="587", on=date(2010, 1, 1))
    assert (r.section, r.subdivision) == ("230.30", "2")
    assert "compulsory-pd-on-under-16-code" in r.note


def test_loitering_code_3_recorded_for_subdivision_2(catalog: Catalog) -> None:
    for pd in ("617", None):
        r = catalog.resolve(law_code="PL 2403703", pd_cd=pd, on=date(2017, 12, 15))
        assert (r.section, r.subdivision, r.role) == ("240.37", "2", Role.SELLER)
        assert "loitering-3-recorded-for-2" in r.note
    # A record whose PD_CD does not contradict the code keeps the promoting reading.
    r = catalog.resolve(law_code="PL 2403703", pd_cd="576", on=date(2017, 12, 15))
    assert (r.section, r.subdivision, r.role) == ("240.37", "3", Role.PROMOTER)
    assert "PD_CD 576" in r.note


def test_loitering_after_its_repeal(catalog: Catalog) -> None:
    before = catalog.resolve(law_code="PL 24037M2", on=LOITERING_REPEAL.replace(day=1))
    after = catalog.resolve(law_code="PL 24037M2", on=LOITERING_REPEAL)
    assert before.in_force is True
    assert after.status is ChargeStatus.CATALOGED and after.in_force is False
    assert after.role is Role.SELLER and "not in force" in after.note


def test_offenses_charged_before_they_existed_are_flagged(catalog: Catalog) -> None:
    r = catalog.resolve(law_code="PL 2303400", on=date(2006, 5, 1))
    assert r.status is ChargeStatus.CATALOGED and r.in_force is False
    r = catalog.resolve(section="230.34-a", on=date(2017, 12, 1))
    assert r.in_force is False and r.role is Role.TRAFFICKER
    r = catalog.resolve(section="230.08", on=date(2010, 1, 1))
    assert r.in_force is False and r.entry is not None and r.entry.in_force_from == TVPJA


def test_get_is_exact_and_dated(catalog: Catalog) -> None:
    assert catalog.get("230.03", None, date(2006, 1, 1)).role is Role.BUYER  # type: ignore[union-attr]
    assert catalog.get("230.03").role is Role.SELLER  # type: ignore[union-attr]
    assert catalog.get("230.08", None, date(2010, 1, 1)) is None
    assert catalog.get("240.37", "2", date(2022, 1, 1)) is None
    assert catalog.get("230.25", "7") is None


def test_a_pd_code_that_disagrees_is_noted_and_the_law_code_wins(catalog: Catalog) -> None:
    r = catalog.resolve(law_code="PL 2300000", pd_cd="565", on=date(2012, 1, 1))
    assert r.role is Role.SELLER
    assert "PD_CD 565" in r.note and "disagrees" in r.note


@given(
    code=st.one_of(st.none(), st.text(max_size=20), st.from_regex(r"PL [0-9]{5}[0-9A-Z]{2}")),
    pd=st.one_of(st.none(), st.sampled_from(["563", "565", "588", "617", "999", "", "x"])),
    on=st.one_of(st.none(), st.dates(date(1990, 1, 1), date(2030, 12, 31))),
)
def test_resolve_never_raises_and_is_consistent(
    catalog: Catalog, code: str | None, pd: str | None, on: date | None
) -> None:
    r = catalog.resolve(law_code=code, pd_cd=pd, on=on)
    if r.status is ChargeStatus.CATALOGED:
        assert r.entry is not None and r.role is r.entry.role
        assert r.in_force is (None if on is None else r.entry.in_force_on(on))
    else:
        assert r.entry is None and r.role is None and r.in_force is None


def test_readings_apply_to_nypd_records_only(catalog: Catalog) -> None:
    on = date(2010, 1, 1)
    assert catalog.resolve(law_code="PL 2403703", on=on).subdivision == "2"  # NYPD record
    assert catalog.resolve(law_code="PL 240.37(3)", on=on).subdivision == "3"  # a citation
    assert catalog.resolve(section="240.37", subdivision="3", on=on).role is Role.PROMOTER
    # the NYPD's old patronizing code with a prostitution PD code: read by the law code
    r = catalog.resolve(law_code="PL 2300300", pd_cd="563", on=date(2012, 1, 1))
    assert (r.section, r.role) == ("230.03", Role.SELLER)


def test_undocumented_nypd_letters_are_flagged(catalog: Catalog) -> None:
    r = catalog.resolve(law_code="PL 23034A0", on=date(2019, 1, 1))
    assert (r.section, r.role) == ("230.34", Role.TRAFFICKER)
    assert "letter(s) 'A'" in r.note
    assert "letter" not in catalog.resolve(law_code="PL 24037M2", on=date(2010, 1, 1)).note


def test_sections_may_be_written_as_citations(catalog: Catalog) -> None:
    r = catalog.resolve(section="PL 230.34(5)(c)", on=date(2017, 1, 1))
    assert (r.section, r.subdivision, r.role) == ("230.34", "5(c)", Role.TRAFFICKER)
    assert r.entry is not None and r.entry.citation == "PL 230.34(5)(c)"
    assert catalog.resolve(section="230.25", subdivision="2").entry.citation == "PL 230.25(2)"  # type: ignore[union-attr]
    r = catalog.resolve(section="not a section")
    assert r.status is ChargeStatus.UNKNOWN and "cannot be read" in r.note
    assert catalog.resolve(section="120.05").status is ChargeStatus.OUTSIDE


def test_undated_old_patronizing_code_is_still_patronizing(catalog: Catalog) -> None:
    r = catalog.resolve(law_code="PL 2300300", pd_cd="565")
    assert (r.section, r.role, r.in_force) == ("230.04", Role.BUYER, None)
    assert catalog.resolve(law_code="PL 2300300").role is Role.BUYER
    assert catalog.resolve(law_code="PL 2300300", pd_cd="563").role is Role.SELLER


def test_unlisted_subdivisions_and_paragraphs_are_read_with_a_note(catalog: Catalog) -> None:
    r = catalog.resolve(law_code="PL 230.34(1)(b)", on=date(2017, 1, 1))
    assert (r.section, r.subdivision, r.role) == ("230.34", "1", Role.TRAFFICKER)
    assert "paragraph 1(b) read under subdivision 1" in r.note
    r = catalog.resolve(law_code="PL 230252A", on=date(2017, 1, 1))  # 230.25(2) has no (a)
    assert (r.status, r.section, r.subdivision) == (ChargeStatus.CATALOGED, "230.25", "2")
    assert "has no subdivision 2(a) in the catalog; read under subdivision 2" in r.note
    r = catalog.resolve(law_code="PL 230.34(5)(i)")
    assert (r.status, r.section, r.subdivision) == (ChargeStatus.CATALOGED, "230.34", "5")
    for code, sub in (("PL 2302507", "7"), ("PL 2300001", "1")):  # 230.00 has none
        r = catalog.resolve(law_code=code, on=date(2017, 12, 1))
        assert (r.status, r.subdivision) == (ChargeStatus.CATALOGED, None), code
        assert f"has no subdivision {sub} in the catalog; read as the section as a whole" in r.note
