"""A recorded charge is described in words, even when the NYPD gives no description."""

from __future__ import annotations

from datetime import date

from survivors_justice.law import Catalog
from survivors_justice.law.describe import recorded_as


def test_the_nypd_description_comes_first(catalog: Catalog) -> None:
    r = catalog.resolve(law_code="PL 2300000", pd_cd="563", on=date(2017, 12, 22))
    assert recorded_as("PL 2300000", " PROSTITUTION ", r) == "PROSTITUTION (PL 2300000)"


def test_without_a_description_the_catalog_reading_is_given(catalog: Catalog) -> None:
    r = catalog.resolve(law_code="PL 230345A", pd_cd="586", on=date(2017, 12, 5))
    assert recorded_as("PL 230345A", None, r) == (
        "PL 230345A: PL 230.34(5)(a) Sex trafficking (fear of physical injury, serious physical "
        "injury or death) (the NYPD record gives no offense description)"
    )
    assert "—" not in recorded_as("PL 230345A", "", r)


def test_an_uncatalogued_code_without_a_description(catalog: Catalog) -> None:
    r = catalog.resolve(law_code="PL 1200500", on=date(2017, 12, 5))
    assert recorded_as("PL 1200500", None, r) == (
        "PL 1200500 (the NYPD record gives no offense description)"
    )
    assert (
        recorded_as(None, None, r) == "no law code (the NYPD record gives no offense description)"
    )
