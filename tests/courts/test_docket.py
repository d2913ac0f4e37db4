"""`sj court docket --from-db`: open cases become a docket the planner accepts."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from tests.cases.factories import BUYING, make_case, real_row
from typer.testing import CliRunner

from survivors_justice.cases.flows import CaseState
from survivors_justice.scheduling import parse_docket

pytestmark = pytest.mark.django_db


def test_open_cases_become_a_docket_with_their_cpl_3030_dates(tmp_path: Path) -> None:
    from survivors_justice.courts.cli import app

    buyer = make_case(BUYING, state=CaseState.PROSECUTING)
    make_case(BUYING, index=1, state=CaseState.INTAKE)  # not open in court: left out
    out = tmp_path / "docket.json"
    result = CliRunner().invoke(app, ["docket", "--from-db", "--out", str(out),
                                      "--start", "2018-01-08"])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert [c["id"] for c in data["cases"]] == [buyer.number]
    case = data["cases"][0]
    # PL 230.04 (patronizing, 3rd degree) is a class A misdemeanor: 90 days from the arrest.
    row = real_row(BUYING)
    month, day, year = (int(x) for x in row["ARREST_DATE"].split("/"))
    arrested = date(year, month, day)
    assert case["filed"] == arrested.isoformat()
    assert (date.fromisoformat(case["ready_by"]) - arrested).days == 90
    assert case["hearings"] == 2
    # the person bought is the survivor: named by the case, kept apart from the defendant
    survivor, defendant = f"V-{buyer.number}", f"D-{buyer.defendant_id}"
    assert case["attend"] == {defendant: "all", survivor: [2]}
    assert data["keep_apart"] == [[survivor, defendant]]
    assert "Ysolde" not in out.read_text()  # no names leave the store
    parse_docket(data)  # the planner reads it


def test_without_from_db_says_what_to_do() -> None:
    from survivors_justice.courts.cli import app

    result = CliRunner().invoke(app, ["docket"])
    assert result.exit_code == 2
    assert "--from-db" in result.output


def test_a_survivor_linked_to_two_cases_is_one_person_kept_apart_from_both() -> None:
    from tests.survivors.factories import make_survivor

    from survivors_justice.courts.docket import docket_from_db
    from survivors_justice.survivors.models import CaseLink

    first = make_case(BUYING, state=CaseState.PROSECUTING)
    second = make_case(BUYING, index=1, state=CaseState.PROSECUTING)
    survivor = make_survivor()
    for case in (first, second):
        CaseLink.objects.create(survivor=survivor, case=case, relation="victim")
    data = docket_from_db(start=date(2018, 1, 8))
    person = f"S-{survivor.pk}"
    by_id = {c["id"]: c for c in data["cases"]}
    for case in (first, second):
        # the linked survivor replaces the placeholder; a buyer's case has 2 hearings
        assert by_id[case.number]["attend"] == {f"D-{case.defendant_id}": "all", person: [2]}
    assert sorted(data["keep_apart"]) == sorted(
        [[person, f"D-{first.defendant_id}"], [person, f"D-{second.defendant_id}"]])
    parse_docket(data)
