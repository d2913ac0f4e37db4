"""``sj law``: the catalog from the command line."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from survivors_justice.law.cli import app

runner = CliRunner()


def test_resolve_prints_the_reading_and_its_reason() -> None:
    result = runner.invoke(app, ["resolve", "PL 2403703", "--pd", "617", "--on", "2010-05-01"])
    assert result.exit_code == 0, result.output
    assert "PL 240.37(2)" in result.output and "seller" in result.output
    assert "loitering-3-recorded-for-2" in result.output


def test_resolve_json() -> None:
    result = runner.invoke(app, ["resolve", "PL 230345A", "--on", "2017-12-05", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["status"] == "cataloged" and data["role"] == "trafficker"
    assert data["entry"]["citation"] == "PL 230.34(5)(a)" and data["in_force"] is True


def test_a_bad_date_is_refused_with_the_value_named() -> None:
    result = runner.invoke(app, ["resolve", "PL 2300000", "--on", "12/05/2017"])
    assert result.exit_code == 2
    assert "12/05/2017" in result.output and "YYYY-MM-DD" in result.output


def test_catalog_on_a_date_lists_only_versions_then_in_force() -> None:
    result = runner.invoke(app, ["catalog", "--on", "2010-01-01", "--json"])
    assert result.exit_code == 0, result.output
    cites = {e["citation"] for e in json.loads(result.output)}
    assert "PL 240.37(2)" in cites and "PL 230.08" not in cites and "PL 230.34-a" not in cites
    today = json.loads(runner.invoke(app, ["catalog", "--on", "2026-11-28", "--json"]).output)
    titles = {e["title"] for e in today}
    assert "Sex trafficking of a child" in titles
    assert not any(e["section"] == "240.37" for e in today)


def test_resolve_without_a_date_says_the_date_was_not_checked() -> None:
    result = runner.invoke(app, ["resolve", "PL 2302502"])
    assert result.exit_code == 0, result.output
    assert "None" not in result.output
    assert (
        "role: promoter; family: prostitution; minor: yes; coercion: no; in force on the arrest "
        "date: not checked (no arrest date; give --on YYYY-MM-DD)"
    ) in result.output


def test_resolve_takes_the_date_as_on_or_date() -> None:
    for option in ("--on", "--date"):
        result = runner.invoke(app, ["resolve", "PL 2302502", option, "2017-12-01"])
        assert result.exit_code == 0, result.output
        assert "in force on the arrest date: yes (on 2017-12-01)" in result.output
    result = runner.invoke(app, ["resolve", "PL 2303400", "--date", "2007-01-01"])
    assert "in force on the arrest date: no (on 2007-01-01)" in result.output
