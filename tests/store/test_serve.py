"""`sj serve`: the production server's processes follow the cores the server may use."""

from __future__ import annotations

import os
import subprocess
from typing import Any

import pytest
from typer.testing import CliRunner

from survivors_justice import cli


@pytest.fixture
def gunicorn_argv(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    calls: list[list[str]] = []

    def call(argv: list[str], **_: Any) -> int:
        calls.append(list(argv))
        return 0

    monkeypatch.setattr(subprocess, "call", call)
    monkeypatch.setattr(cli, "setup", lambda: None)
    monkeypatch.setattr("django.core.management.call_command", lambda *a, **k: None)
    return calls


def _option(argv: list[str], name: str) -> str:
    return argv[argv.index(name) + 1]


@pytest.mark.parametrize(("cores", "workers"), [({0}, 3), ({0, 1}, 5), (set(range(8)), 17)])
def test_serve_runs_two_processes_per_usable_core_plus_one(
    gunicorn_argv: list[list[str]], monkeypatch: pytest.MonkeyPatch, cores: set[int], workers: int
) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: cores)
    result = CliRunner().invoke(cli.app, ["serve", "--port", "8123"])
    assert result.exit_code == 0, result.output
    (argv,) = gunicorn_argv
    assert _option(argv, "--workers") == str(workers)
    assert _option(argv, "--threads") == "2"
    assert _option(argv, "--bind") == "127.0.0.1:8123"


def test_serve_takes_the_counts_it_is_given(gunicorn_argv: list[list[str]]) -> None:
    result = CliRunner().invoke(cli.app, ["serve", "--workers", "3", "--threads", "6"])
    assert result.exit_code == 0, result.output
    (argv,) = gunicorn_argv
    assert (_option(argv, "--workers"), _option(argv, "--threads")) == ("3", "6")


def test_serve_refuses_zero_workers(gunicorn_argv: list[list[str]]) -> None:
    result = CliRunner().invoke(cli.app, ["serve", "--workers", "0"])
    assert result.exit_code == 2
    assert "--workers" in result.output and gunicorn_argv == []
