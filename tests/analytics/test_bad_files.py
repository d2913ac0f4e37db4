"""`sj report disparities` on an empty, header-only or ragged CSV: a clear error, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from survivors_justice.analytics.cli import app

DECEMBER = Path(__file__).resolve().parents[2] / "data" / "nypd" / "arrests-2017-12.csv"


def _run(path: Path) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["disparities", str(path), "--no-screen"])
    return result.exit_code, " ".join(result.output.split())


def _lines(n: int) -> list[str]:
    return DECEMBER.read_text(encoding="utf-8").splitlines()[:n]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "is empty: it has no header row; give an NYPD arrests CSV"),
        ("\n\n", "is empty: it has no header row"),
        (None, "has a header but no arrests; give a file with rows"),
    ],
)
def test_empty_files(tmp_path: Path, content: str | None, message: str) -> None:
    path = tmp_path / "arrests.csv"
    path.write_text(_lines(1)[0] + "\n" if content is None else content, encoding="utf-8")
    code, output = _run(path)
    assert code == 2
    assert f"SourceShapeError: {path} {message}" in output
    assert "Traceback" not in output


def test_a_ragged_row_is_named_by_its_line(tmp_path: Path) -> None:
    lines = _lines(6)
    lines[3] = "1,2,3,4,5"  # line 4 of the file: 5 fields
    lines.append(lines[2] + ",extra")  # line 7: one too many
    path = tmp_path / "ragged.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, output = _run(path)
    assert code == 2
    assert (
        f"SourceShapeError: {path}, line 4: 5 fields where the header has 18 (2 such line(s)); "
        "fix or remove it, or download the file again from NYC Open Data"
    ) in output


def test_quoted_commas_and_trailing_blank_lines_are_fine(tmp_path: Path) -> None:
    path = tmp_path / "ok.csv"
    path.write_text("\n".join(_lines(30)) + "\n\n\n", encoding="utf-8")
    assert any('"' in line for line in _lines(30)), "the sample should hold a quoted field"
    code, output = _run(path)
    assert code == 0, output
