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
