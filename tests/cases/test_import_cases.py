"""Cases opened by the arrest import: one per prostitution-related arrest, never twice."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from tests.arrests.helpers import DEC_2017, read_rows, run_import, write_rows

from survivors_justice.arrests.importer import ImportSummary
from survivors_justice.cases.flows import CaseState
from survivors_justice.cases.models import Case, Person
from survivors_justice.fields import personal_fields

pytestmark = pytest.mark.django_db
__all__ = ["run_import"]  # the fixture, shared with tests/arrests


def test_each_prostitution_related_arrest_opens_one_case(
    tmp_path: Path, run_import: Callable[..., ImportSummary]
) -> None:
    header, rows = read_rows(DEC_2017)
    law = header.index("LAW_CODE")
    related = [r for r in rows if r[law].startswith(("PL 230", "PL 24037"))][:20]
    other = [r for r in rows if not r[law].startswith(("PL 230", "PL 24037"))][:30]
    path = write_rows(tmp_path / "mixed.csv", header, related + other)
    summary = run_import(path)
    assert summary.cases_opened == 20
    cases = Case.objects.select_related("arrest", "defendant").order_by("number")
    assert {c.arrest.arrest_key for c in cases} == {r[0] for r in related}
    for case in cases:
        assert case.number == f"NYPD-{case.arrest.arrest_key}"
        assert case.state == CaseState.INTAKE
        # NYPD data names no one: the defendant is a blank person until intake fills it in.
        assert all(getattr(case.defendant, f) == "" for f in personal_fields(Person))
    assert len({c.defendant_id for c in cases}) == 20
    run_import(path)
    assert Case.objects.count() == Person.objects.count() == 20


def test_person_personal_fields_are_marked() -> None:
    assert set(personal_fields(Person)) >= {
        "given_name", "family_name", "date_of_birth", "address", "phone", "email", "narrative"
    }
