"""``sj policy ...`` and ``sj screen``, driven through Typer's test runner."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest
import typer
from typer.testing import CliRunner

from survivors_justice.policy import cli as policy_cli
from survivors_justice.policy.cli import app, screen
from survivors_justice.policy.loader import DOCUMENTS_DIR

from .conftest import DECEMBER_2017, RELATED

runner = CliRunner()
OFFICE = DOCUMENTS_DIR / "survivors-justice.yaml"
PROPOSAL = DOCUMENTS_DIR / "proposal-adult-buyers-declined.yaml"

FACTS = {
    "decision_date": "2026-11-28",
    "charges": [
        {"law_code": "PL 2300000", "pd_cd": "563", "arrest_date": "2017-12-22"},
        {"law_code": "PL 1200500", "arrest_date": "2017-12-22"},
    ],
    "defendant": {"age_group": "25-44"},
}


def _screen_app() -> typer.Typer:
    root = typer.Typer()
    root.command("screen")(screen)
    root.command("noop")(lambda: None)  # two commands, so `screen` stays a sub-command
    return root


def test_evaluate_prints_the_decision_as_json(tmp_path: Path) -> None:
    facts = tmp_path / "facts.json"
    facts.write_text(json.dumps(FACTS))
    result = runner.invoke(app, ["evaluate", "--facts", str(facts)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["policy"]["id"] == "survivors-justice"
    assert [c["outcome"] for c in data["charges"]] == ["decline", "outside_policy"]
    assert data["case_priority"] == "outside_policy"
    assert data["missing_facts"] == []


def test_evaluate_reads_stdin_and_defaults_the_decision_date(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("survivors_justice.policy.cli.today", lambda: date(2026, 11, 30))
    facts = {k: v for k, v in FACTS.items() if k != "decision_date"}
    result = runner.invoke(app, ["evaluate", "--facts", "-"], input=json.dumps(facts))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["decision_date"] == "2026-11-30"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"charges": [{"section": "230.00"}], "defendant": {"age": "old"}}', "defendant.age"),
        ('{"charges": [{"section": "230.00"}], "suspect": {}}', "unknown key 'suspect'"),
        ('{"charges": [', "not JSON"),
        ("[1, 2]", "JSON object"),
    ],
)
def test_bad_facts_exit_with_code_2(text: str, message: str) -> None:
    result = runner.invoke(app, ["evaluate", "--facts", "-"], input=text)
    assert result.exit_code == 2
    assert message in " ".join(result.stderr.split())


def test_a_bad_policy_document_exits_with_code_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(OFFICE.read_text().replace("outcome: decline", "outcome: acquit", 1))
    result = runner.invoke(
        app, ["evaluate", "--facts", "-", "--policy", str(bad)], input=json.dumps(FACTS)
    )
    assert result.exit_code == 2
    assert "acquit" in result.stderr


def test_explain_speaks_plain_english() -> None:
    result = runner.invoke(app, ["explain", "--facts", "-"], input=json.dumps(FACTS))
    assert result.exit_code == 0, result.output
    assert "decline to prosecute" in result.stdout
    assert "does not prosecute people who sell sex" in result.stdout


def test_show_lists_the_rules_in_precedence_order() -> None:
    result = runner.invoke(app, ["show"])
    assert result.exit_code == 0, result.output
    assert result.stdout.index("outside-policy") < result.stdout.index("selling-declined")


def test_policy_test_runs_the_scenarios() -> None:
    result = runner.invoke(app, ["test"])
    assert result.exit_code == 0, result.output
    assert "scenarios pass" in result.stdout and "FAIL" not in result.stdout


def test_policy_test_exits_1_when_a_scenario_fails() -> None:
    result = runner.invoke(app, ["test", "--policy", str(PROPOSAL)])
    assert result.exit_code == 1
    assert "FAIL" in result.stdout


def test_screen_writes_one_row_per_arrest(tmp_path: Path) -> None:
    out = tmp_path / "screened.csv"
    result = runner.invoke(
        _screen_app(),
        ["screen", str(DECEMBER_2017), "-o", str(out), "--decision-date", "2026-11-28"],
    )
    assert result.exit_code == 0, result.output
    rows = pl.read_csv(out, infer_schema=False)
    assert rows.columns[:9] == [
        "arrest_key",
        "law_code",
        "section",
        "subdivision",
        "role",
        "outcome",
        "rule_id",
        "policy_version",
        "missing_facts",
    ]
    assert rows.height == 19_452
    related = rows.filter(pl.col("law_code").str.contains(RELATED))
    assert related.height == 160 and related["rule_id"].null_count() == 0
    assert "outcomes by role" in result.stdout and "seller" in result.stdout


def test_screen_refuses_a_file_without_nypd_columns(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    result = runner.invoke(_screen_app(), ["screen", str(bad), "-o", str(tmp_path / "o.csv")])
    assert result.exit_code == 2
    assert "LAW_CODE" in result.stderr


def test_simulate_prints_tables_and_writes_csv_and_json(tmp_path: Path) -> None:
    csv, js = tmp_path / "sim.csv", tmp_path / "sim.json"
    result = runner.invoke(
        app,
        [
            "simulate",
            "--base",
            str(OFFICE),
            "--proposal",
            str(PROPOSAL),
            str(DECEMBER_2017),
            "--csv",
            str(csv),
            "--json",
            str(js),
            "--decision-date",
            "2026-11-28",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(js.read_text())
    assert data["arrests"] == 19_452 and data["changed"] > 0
    table = pl.read_csv(csv)
    assert set(table["dimension"]) == {"all", "race", "sex", "age_group", "borough"}
    assert "change outcome" in result.stdout


def test_the_progress_bar_path_screens_the_same(tmp_path: Path) -> None:
    from datetime import date

    from survivors_justice.policy import load_policy
    from survivors_justice.policy.cli import _screen_with_progress

    out = tmp_path / "p.csv"
    summary = _screen_with_progress(
        load_policy(), DECEMBER_2017, out, date(2026, 11, 28), DECEMBER_2017.stat().st_size
    )
    assert summary.rows == 19_452
    assert pl.read_csv(out, infer_schema=False).height == 19_452


def test_facts_may_be_inline_json() -> None:
    result = runner.invoke(app, ["evaluate", "--facts", json.dumps(FACTS)])
    assert result.exit_code == 0, result.output
    assert [c["outcome"] for c in json.loads(result.stdout)["charges"]] == [
        "decline",
        "outside_policy",
    ]


def test_example_prints_a_facts_document_that_evaluates() -> None:
    example = runner.invoke(app, ["evaluate", "--example"])
    assert example.exit_code == 0
    facts = json.loads(example.stdout)
    assert facts["charges"][0] == {
        "law_code": "PL 2300000",
        "pd_cd": "563",
        "arrest_date": "2017-12-22",
    }
    result = runner.invoke(app, ["explain", "--facts", "-"], input=example.stdout)
    assert result.exit_code == 0, result.output
    assert "Charge 1: PL 2300000, read as PL 230.00 Prostitution, B misdemeanor" in result.stdout


def test_facts_help_says_what_it_takes() -> None:
    result = runner.invoke(app, ["evaluate", "--help"])
    text = " ".join(result.output.replace("│", " ").split())
    assert "the path of a file, - for standard input, or the JSON itself" in text
    assert "--example" in text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe{\x00}", "look like a binary file, not JSON text"),
        (b'{"charges": ["\xe9"]}', "are not UTF-8 text (byte 14 is 0xe9)"),
        (b"[" * 5000 + b"]" * 5000, "nest deeper than 20 levels"),
        (b'{"a": ' * 30 + b"1" + b"}" * 30, "nest deeper than 20 levels"),
        (b"x" * 1_000_001, "are over 1,000,000 bytes"),
    ],
)
def test_unreadable_facts_files_exit_2_without_a_traceback(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "facts.json"
    path.write_bytes(content)
    result = runner.invoke(app, ["evaluate", "--facts", str(path)])
    assert result.exit_code == 2
    text = " ".join(result.stderr.split())
    assert f"the facts in '{path}' {message}" in text
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_missing_facts_file_and_no_facts_at_all() -> None:
    result = runner.invoke(app, ["evaluate", "--facts", "nowhere.json"])
    assert result.exit_code == 2
    assert "no facts file at 'nowhere.json'" in result.stderr
    result = runner.invoke(app, ["evaluate"])
    assert result.exit_code == 2
    assert "give --facts" in " ".join(result.stderr.split())


def test_show_lists_the_follow_ups(monkeypatch: pytest.MonkeyPatch) -> None:
    # wide enough that no condition wraps, whatever the terminal the suite runs in
    monkeypatch.setattr(policy_cli.out, "width", 400)
    result = runner.invoke(app, ["show"])
    assert result.exit_code == 0, result.output
    text = result.stdout
    # conditions print their lists (once read as markup and dropped)
    assert "charge.role in [buyer," in text and "in  and" not in text
    assert "Follow-ups (per action, the first that holds for a charge)" in text
    for followup in ("advocate-for-minor", "advocate-for-seller", "lead-minor-sold"):
        assert followup in text
    assert "open_trafficking_lead" in text and "trafficking_ada" in text
