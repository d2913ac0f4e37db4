"""Fixtures of the analytics tests: the bundled real December 2017 NYPD file and the CLI."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from survivors_justice.analytics.cli import app

REPO = Path(__file__).resolve().parents[2]
DEC_2017 = REPO / "data" / "nypd" / "arrests-2017-12.csv"
REFERENCE = REPO / "data" / "reference"


@pytest.fixture(scope="session")
def dec2017() -> Path:
    return DEC_2017


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    return REFERENCE


def run_cli(*args: str) -> str:
    """Run `sj report ...` in-process; fail the test with the output when it exits non-zero."""
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="session")
def cli() -> Callable[..., str]:
    """Run `sj report <args>` in-process and return its output."""
    return run_cli


@pytest.fixture
def report_json(tmp_path: Path) -> Callable[..., list[dict[str, Any]]]:
    """`sj report disparities <args> --format json -o <tmp>`, parsed."""

    def run(*args: str) -> list[dict[str, Any]]:
        out = tmp_path / "out.json"
        run_cli("disparities", *args, "--format", "json", "-o", str(out))
        rows: list[dict[str, Any]] = json.loads(out.read_text(encoding="utf-8"))
        return rows

    return run
