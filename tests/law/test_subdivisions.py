"""Every NYPD code form of every catalogued section's subdivisions resolves; none falls to
"unrecognised" when the section (or the section with the record's PD_CD) settles its role."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest
import typer
from tests.law.conftest import DECEMBER_2017, HISTORIC_2006_2016
from typer.testing import CliRunner

from survivors_justice.law import Catalog, ChargeStatus, parse_law_code
from survivors_justice.policy.cli import screen

# Written from the statutes, not from the catalog: role and class of each section as a whole.
SETTLED_BY_SECTION = {
    "230.00": ("seller", "B misdemeanor"),
    "230.03": ("seller", "A misdemeanor"),  # on 2017-12-01 (the school-zone offense)
    "230.04": ("buyer", "A misdemeanor"),
    "230.05": ("buyer", "E felony"),
    "230.06": ("buyer", "D felony"),
    "230.08": ("buyer", "E felony"),
    "230.11": ("buyer", "E felony"),
    "230.12": ("buyer", "D felony"),
    "230.13": ("buyer", "B felony"),
    "230.19": ("promoter", "E felony"),
    "230.20": ("promoter", "A misdemeanor"),
    "230.25": ("promoter", "D felony"),
    "230.30": ("promoter", "C felony"),
    "230.32": ("promoter", "B felony"),
    "230.33": ("promoter", "B felony"),
    "230.34": ("trafficker", "B felony"),
    "230.40": ("premises", "B misdemeanor"),
    "135.35": ("trafficker", "D felony"),
    "135.37": ("trafficker", "C felony"),
}
ON = date(2017, 12, 1)
NEW_ONLY = {"230.08", "230.11", "230.12", "230.13", "135.37"}  # in force from 2016-01-19


def code_forms(section: str, subdivision: str) -> list[str]:
    """Every NYPD LAW_CODE form of one subdivision (``5`` or ``5(a)``) of a section."""
    body = section.replace(".", "")
    head, _, para = subdivision.partition("(")
    if para:
        letter = para.rstrip(")").upper()
        return [f"PL {body}{head}{letter}"]
    forms = [f"PL {body}{int(head):02d}"]
    if len(head) == 1:
        forms += [f"PL {body}{q}{head}" for q in "FMV"] + [f"PL {body}{head}X"]
    return forms


def every_subdivision(catalog: Catalog, section: str) -> list[str]:
    listed = {s for e in catalog.entries if e.section == section for s in e.subdivisions}
    subs = {str(n) for n in range(1, 10)} | {"11", "12"} | listed
    subs |= {f"{n}({p})" for n in range(1, 6) for p in "abz"}
    return sorted(subs)


@pytest.mark.parametrize("section", sorted(SETTLED_BY_SECTION))
def test_every_code_form_of_a_settled_section_is_read_as_that_section(
    catalog: Catalog, section: str
) -> None:
    on = date(2017, 12, 1)
    listed = {s for e in catalog.entries if e.section == section for s in e.subdivisions}
    role, offense_class = SETTLED_BY_SECTION[section]
    for sub in every_subdivision(catalog, section):
        for code in code_forms(section, sub):
            parsed = parse_law_code(code)
            assert parsed.section == section, code
            r = catalog.resolve(law_code=code, on=on)
            assert r.status is ChargeStatus.CATALOGED, (code, r.note)
            assert r.entry is not None and r.section == section, code
            assert (r.entry.role.value, r.entry.offense_class) == (role, offense_class), code
            if (
                parsed.subdivision not in listed
                and catalog.versions(section, parsed.subdivision) == ()
            ):
                assert f"has no subdivision {parsed.subdivision} in the catalog" in r.note, code


def test_the_notes_say_how_an_unlisted_subdivision_was_read(catalog: Catalog) -> None:
    r = catalog.resolve(law_code="PL 2302503", on=ON)
    assert (r.section, r.subdivision, r.entry and r.entry.minor) == ("230.25", None, False)
    assert r.note == (
        "PL 230.25 (Promoting prostitution in the third degree) has no subdivision 3 in the "
        "catalog; read as the section as a whole, since every part of it has the same role "
        "(promoter) and class (D felony)"
    )
    r = catalog.resolve(law_code="PL 230345Z", on=ON)
    assert (r.section, r.subdivision) == ("230.34", "5")
    assert r.note == (
        "PL 230.34 (Sex trafficking) has no subdivision 5(z) in the catalog; read under "
        "subdivision 5"
    )


def test_loitering_needs_the_pd_code_to_settle_an_unlisted_subdivision(catalog: Catalog) -> None:
    """240.37(2) targets sellers (a violation), 240.37(3) promoters (a misdemeanor): the section
    alone does not settle an unlisted subdivision; the NYPD's PD_CD 617/618 does."""
    for code in ("PL 2403705", "PL 24037M4", "PL 24037V1"):
        alone = catalog.resolve(law_code=code, on=date(2015, 6, 1))
        assert alone.status is ChargeStatus.UNKNOWN
        assert "neither the section nor the PD_CD settles its role and class" in alone.note
        for pd in ("617", "618"):
            r = catalog.resolve(law_code=code, pd_cd=pd, on=date(2015, 6, 1))
            assert r.status is ChargeStatus.CATALOGED, code
            assert (r.section, r.subdivision, r.role and r.role.value) == ("240.37", "2", "seller")
            assert f"read as PL 240.37(2) by PD_CD {pd}" in r.note


def _screen_app() -> typer.Typer:
    root = typer.Typer()
    root.command("screen")(screen)
    root.command("noop")(lambda: None)
    return root


def _unrecognised_catalogued(path: Path, tmp_path: Path, catalog: Catalog) -> pl.DataFrame:
    out = tmp_path / f"{path.stem}-screened.csv"
    result = CliRunner().invoke(
        _screen_app(), ["screen", str(path), "-o", str(out), "--decision-date", "2026-11-28"]
    )
    assert result.exit_code == 0, result.output
    rows = pl.read_csv(out, infer_schema=False)
    sections = sorted({e.section for e in catalog.entries})
    return rows.filter(
        (pl.col("rule_id") == "unrecognised-charge") & pl.col("section").is_in(sections)
    )


@pytest.mark.parametrize("path", [DECEMBER_2017, HISTORIC_2006_2016], ids=lambda p: p.stem)
def test_screen_leaves_no_catalogued_section_unrecognised_in_the_bundled_files(
    path: Path, tmp_path: Path, catalog: Catalog
) -> None:
    assert _unrecognised_catalogued(path, tmp_path, catalog).height == 0


def test_screen_reads_unlisted_suffixes_in_an_nypd_file(tmp_path: Path, catalog: Catalog) -> None:
    """The December file with its prostitution codes given every suffix form the NYPD uses."""
    rows = pl.read_csv(DECEMBER_2017, infer_schema=False)
    related = rows.filter(pl.col("LAW_CODE").str.contains(r"^PL (230|13535|13537)")).head(40)
    assert related.height == 40
    codes = [
        form
        for section in sorted(SETTLED_BY_SECTION)
        for sub in ("3", "7", "9", "1(z)", "12")
        for form in code_forms(section, sub)
    ]
    variants = pl.concat(
        [
            related.with_columns(pl.lit(code).alias("LAW_CODE"), pl.lit(None).alias("PD_CD"))
            for code in codes
        ],
        how="vertical_relaxed",
    ).with_columns(pl.lit("12/22/2017").alias("ARREST_DATE"))
    assert variants.height == 40 * len(codes)
    path = tmp_path / "suffixes.csv"
    variants.write_csv(path)
    assert _unrecognised_catalogued(path, tmp_path, catalog).height == 0
