"""The analyst's workspace shows what `sj report disparities` computes on the same input, for
every --by a file supports, and the December 2017 figures counted by hand."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from tests.factories import make_user, sign_in
from typer.testing import CliRunner

from survivors_justice.analytics.cli import app as report_app

REPO = Path(__file__).resolve().parents[2]
DEC_2017 = REPO / "data" / "nypd" / "arrests-2017-12.csv"
ROW = re.compile(r'<tr data-cell="([^"]*)" data-count="([^"]*)" data-rate="([^"]*)" '
                 r'data-rri="([^"]*)">')


def _cli(tmp: Path, by: str, geo: str) -> list[dict[str, Any]]:
    out = tmp / f"{by}-{geo}.json"
    result = CliRunner().invoke(report_app, ["disparities", str(DEC_2017), "--by", by, "--geo",
                                             geo, "--format", "json", "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows: list[dict[str, Any]] = json.loads(out.read_text())
    return rows


def _main_table(page: str) -> dict[str, tuple[str, str, str]]:
    body = page.split('data-table="main"')[1].split("</table>")[0]
    return {html.unescape(m[0]): (m[1], m[2], m[3]) for m in ROW.findall(body)}


def _num(value: Any) -> str:
    return "" if value is None else str(value)


@pytest.fixture
def analyst(settings: Any, tmp_path: Path) -> Client:
    settings.VAR_DIR = tmp_path / "var"
    client = sign_in(Client(), make_user("analyst"))
    with DEC_2017.open("rb") as handle:
        response = client.post("/workspace/upload/", {"file": handle})
    assert response.status_code == 302
    client.source = response["Location"].split("source=")[1].split("&")[0]  # type: ignore[attr-defined]
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(("by", "geo"), [
    ("race", "precinct"), ("sex", "city"), ("age_group", "borough"),
    ("income_quintile", "city"), ("role", "city"), ("outcome", "city"), ("period", "city"),
])
def test_the_page_shows_the_cli_numbers(analyst: Client, tmp_path: Path, by: str,
                                        geo: str) -> None:
    page = analyst.get(f"/workspace/report/?source={analyst.source}&by={by}&geo={geo}")  # type: ignore[attr-defined]
    assert page.status_code == 200
    shown = _main_table(page.content.decode())
    expected = _cli(tmp_path, by, geo)
    assert len(shown) == len(expected)
    for row in expected:
        key = f"{row['geo_level']}|{row['geo']}|{row['stratum']}|{row['group']}"
        assert shown[key] == (_num(row["count"]), _num(row["rate_per_100k"]),
                              _num(row["rri"])), key


@pytest.mark.django_db
def test_december_2017_figures_counted_by_hand_appear(analyst: Client) -> None:
    page = analyst.get(f"/workspace/report/?source={analyst.source}&by=sex&geo=city")  # type: ignore[attr-defined]
    shown = _main_table(page.content.decode())
    # PERP_SEX of the 160 arrests under PL 230.* and 240.37 in the raw file: M 116, F 44
    assert shown["city|New York City|all|M"][0] == "116"
    assert shown["city|New York City|all|F"][0] == "44"
    assert shown["city|New York City|all|all"][0] == "160"
    csv_text = analyst.get(f"/workspace/report.csv?source={analyst.source}&by=sex").content  # type: ignore[attr-defined]
    assert b",116," in csv_text and b",44," in csv_text


@pytest.mark.django_db
def test_a_bad_source_is_explained(analyst: Client) -> None:
    page = analyst.get("/workspace/report/?source=../../etc/passwd&by=race")
    assert page.status_code == 400
    assert "choose the case store or an uploaded file" in page.content.decode()
