"""`sj import arrests` and `sj status` through the real Typer application."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.arrests.helpers import DEC_2017, read_rows, write_rows
from typer.testing import CliRunner

from survivors_justice.arrests.stats import store_counts
from survivors_justice.audit.models import AuditRecord
from survivors_justice.cli import app

pytestmark = pytest.mark.django_db


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    header, rows = read_rows(DEC_2017, 400)
    rows[3][header.index("ARREST_DATE")] = "13/45/2017"
    return write_rows(tmp_path / "sample.csv", header, rows)


def test_import_twice_then_status(sample: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    rejects = tmp_path / "rejects.csv"
    first = runner.invoke(app, ["import", "arrests", str(sample), "--rejects", str(rejects)])
    assert first.exit_code == 0, first.output
    assert "rows read" in first.output and "399" in first.output
    assert "1 row(s) rejected" in first.output and rejects.exists()
    second = runner.invoke(app, ["import", "arrests", str(sample), "--rejects", str(rejects)])
    assert second.exit_code == 0, second.output
    assert "Nothing new: all 399 valid rows" in second.output

    status = runner.invoke(app, ["status", "--json"])
    assert status.exit_code == 0, status.output
    counts = json.loads(status.output)
    assert counts == store_counts()
    # Each run: its started record, one chunk record (399 rows fit one chunk), its end record.
    assert counts["arrests"] == 399 and counts["audit_records"] == 2 * 3
    assert counts["interrupted_imports"] == []
    expected = {"arrests", "cases", "charges_by_role", "unknown_charges", "audit_records",
                "interrupted_imports"}
    assert set(counts) >= expected
    table = runner.invoke(app, ["status"])
    assert table.exit_code == 0 and "audit records" in table.output


def test_import_json_summary(sample: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["import", "arrests", str(sample), "--json", "--rejects", str(tmp_path / "r.csv")]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert (summary["rows_read"], summary["new"], summary["rejected"]) == (400, 399, 1)
    assert summary["prostitution_related"] == sum(summary["by_role"].values())


def test_refused_file_exits_2_and_names_columns(tmp_path: Path) -> None:
    other = write_rows(tmp_path / "other.csv", ["ARREST_KEY", "ARREST_DATE"], [["1", "12/01/2017"]])
    result = CliRunner().invoke(app, ["import", "arrests", str(other)])
    assert result.exit_code == 2
    assert "Refused" in result.output and "LAW_CODE" in result.output
    assert store_counts()["arrests"] == 0
    assert list(AuditRecord.objects.values_list("outcome", flat=True)) == ["refused"]


def test_help_describes_the_commands() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("import", "status", "audit"):
        assert command in result.output


def test_over_long_fields_never_print_a_traceback(tmp_path: Path) -> None:
    header, rows = read_rows(DEC_2017, 10)
    rows[2][header.index("OFNS_DESC")] = "z" * 140_000
    rejects = tmp_path / "rejects.csv"
    path = write_rows(tmp_path / "long.csv", header, rows)
    result = CliRunner().invoke(app, ["import", "arrests", str(path), "--rejects", str(rejects)])
    assert result.exit_code == 0, result.output
    assert "1 row(s) rejected" in result.output and result.exception is None
    # A header row past the limit: the file is refused, with a reason, not a traceback.
    bad = tmp_path / "bad-header.csv"
    bad.write_text("ARREST_KEY," + "h" * 140_000 + "\n1,2\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["import", "arrests", str(bad)])
    assert result.exit_code == 2
    assert "header row cannot be read as CSV" in " ".join(result.output.split())
    assert result.exception is None or isinstance(result.exception, SystemExit)
