"""Meta-tests of catalog.yaml: every entry is sourced, dated and typed; the article is covered."""

from __future__ import annotations

from datetime import date
from importlib import resources
from typing import Any

import pytest
import yaml

from survivors_justice.law import Catalog, CatalogError, ChargeStatus, Family, Role
from survivors_justice.law.catalog import catalog_from_mapping

# Every section of Penal Law article 230 in the current official table of sections, with
# whether it defines an offense (definitions, defenses and accomplice rules do not).
ARTICLE_230_TODAY = {
    "230.00": True, "230.01": False, "230.02": False, "230.03": True, "230.04": True,
    "230.05": True, "230.06": True, "230.07": False, "230.08": True, "230.10": False,
    "230.11": True, "230.12": True, "230.13": True, "230.15": False, "230.19": True,
    "230.20": True, "230.25": True, "230.30": True, "230.32": True, "230.33": True,
    "230.34": True, "230.34-a": True, "230.35": False, "230.36": False, "230.40": True,
}  # fmt: skip
TODAY = date(2026, 11, 28)


def raw_catalog() -> dict[str, Any]:
    text = resources.files("survivors_justice.law").joinpath("catalog.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    assert isinstance(data, dict)
    return data


def test_every_entry_has_a_source_valid_dates_and_a_known_role(catalog: Catalog) -> None:
    assert len(catalog.entries) >= len([s for s, offense in ARTICLE_230_TODAY.items() if offense])
    for entry in catalog.entries:
        assert entry.source_url.startswith("https://www.nysenate.gov/legislation/laws/PEN/")
        assert entry.source_url.upper().endswith(entry.section.upper())
        assert isinstance(entry.role, Role)
        assert isinstance(entry.family, Family)
        assert entry.title.strip()
        assert entry.offense_class in {
            "violation", "B misdemeanor", "A misdemeanor",
            "E felony", "D felony", "C felony", "B felony",
        }  # fmt: skip
        if entry.in_force_from and entry.in_force_to:
            assert entry.in_force_from <= entry.in_force_to
        for when in (entry.in_force_from, entry.in_force_to):
            assert when is None or date(1965, 1, 1) <= when <= TODAY
    for provision in catalog.provisions:
        assert provision.source_url.startswith("https://www.nysenate.gov/legislation/laws/PEN/")


def test_versions_of_one_offense_never_overlap(catalog: Catalog) -> None:
    keys = {(e.section, e.subdivision) for e in catalog.entries}
    for key in keys:
        versions = catalog.versions(*key)
        for day in (date(2006, 1, 1), date(2007, 11, 1), date(2016, 1, 19), TODAY):
            assert sum(v.in_force_on(day) for v in versions) <= 1, (key, day)


def test_every_section_of_article_230_in_force_today_is_covered(catalog: Catalog) -> None:
    provisions = {p.section for p in catalog.provisions}
    for section, offense in ARTICLE_230_TODAY.items():
        if offense:
            entry = catalog.get(section, None, TODAY)
            assert entry is not None, f"{section} has no version in force today"
            assert section not in provisions
        else:
            assert section in provisions, f"{section} is not catalogued"
            assert catalog.get(section) is None, f"{section} must not be a chargeable entry"
            resolved = catalog.resolve(section=section, on=TODAY)
            assert resolved.status is ChargeStatus.UNKNOWN
            assert resolved.role is None
            assert "not an offense" in resolved.note


def test_roles_and_families_follow_the_law(catalog: Catalog) -> None:
    for entry in catalog.entries:
        if entry.section in {"230.34", "230.34-a"}:
            assert (entry.role, entry.family) == (Role.TRAFFICKER, Family.SEX_TRAFFICKING)
        elif entry.section in {"135.35", "135.37"}:
            assert (entry.role, entry.family) == (Role.TRAFFICKER, Family.LABOR_TRAFFICKING)
            assert entry.coercion
        elif entry.section == "240.37":
            assert entry.family is Family.LOITERING
            assert entry.in_force_to == date(2021, 2, 1)  # repealed 2021-02-02 (L.2021 ch.23)
        else:
            assert entry.section.startswith("230.")
            assert entry.family is Family.PROSTITUTION
    assert catalog.get("230.40").role is Role.PREMISES  # type: ignore[union-attr]
    assert catalog.get("230.00").role is Role.SELLER  # type: ignore[union-attr]
    assert catalog.get("230.25", "2").minor  # type: ignore[union-attr]
    assert catalog.get("240.37", "3").role is Role.PROMOTER  # type: ignore[union-attr]
    for entry in catalog.versions("230.34", "5"):
        assert entry.coercion
    for letter in "abcdefgh":
        entry = catalog.get("230.34", f"5({letter})", TODAY)
        assert entry is not None and entry.coercion and entry.role is Role.TRAFFICKER


def test_every_reading_and_pd_code_points_at_catalogued_offenses(catalog: Catalog) -> None:
    for reading in catalog.readings:
        assert catalog.versions(reading.read_section, reading.read_subdivision), reading.id
        assert reading.note
    for pd in catalog.pd_codes.values():
        assert catalog.versions(pd.fallback_section, pd.fallback_subdivision), pd.pd_cd


def _bad(mutate: Any) -> dict[str, Any]:
    data = raw_catalog()
    mutate(data)
    return data


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["entries"][0].update(role="pimp"), "roles are"),
        (lambda d: d["entries"][0].pop("source_url"), "'source_url' is missing"),
        (lambda d: d["entries"][0].update(minor="yes"), "'minor' must be true or false"),
        (lambda d: d["entries"][0].update(in_force_from="2020-13-01"), "is not a date"),
        (
            lambda d: d["entries"][0].update(in_force_from="2020-01-01", in_force_to="2019-01-01"),
            "before in_force_from",
        ),
        (lambda d: d["entries"].append(dict(d["entries"][0])), "overlap"),
        (lambda d: d.update(entries=[]), "non-empty 'entries'"),
    ],
)
def test_a_malformed_catalog_is_refused_with_the_field_named(mutate: Any, message: str) -> None:
    with pytest.raises(CatalogError, match=message):
        catalog_from_mapping(_bad(mutate))


def test_the_packaged_catalog_round_trips() -> None:
    rebuilt = catalog_from_mapping(raw_catalog())
    from survivors_justice.law import load_catalog

    assert rebuilt.entries == load_catalog().entries
    assert load_catalog() is load_catalog()  # cached
