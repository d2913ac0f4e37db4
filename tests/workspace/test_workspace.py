"""The analyst's workspace shows what `sj report disparities` computes on the same input, for
every --by a file supports, and the December 2017 figures counted by hand."""

from __future__ import annotations

import csv
import html
import json
import re
import time
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


def _page(client: Client, url: str) -> Any:
    """The page at ``url``: a long computation answers with a progress page that polls (as htmx
    does, with HX-Request) until the server sends the browser back to ``url``."""
    response = client.get(url)
    deadline = time.monotonic() + 300
    while b"data-job=" in response.content and time.monotonic() < deadline:
        time.sleep(0.2)
        poll = client.get(url, HTTP_HX_REQUEST="true")
        if poll.status_code == 204:
            assert poll["HX-Redirect"] == url
            response = client.get(url)
    return response


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
    page = _page(analyst, f"/workspace/report/?source={analyst.source}&by={by}&geo={geo}")  # type: ignore[attr-defined]
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
    page = _page(analyst, f"/workspace/report/?source={analyst.source}&by=sex&geo=city")  # type: ignore[attr-defined]
    shown = _main_table(page.content.decode())
    # PERP_SEX of the 160 arrests under PL 230.* and 240.37 in the raw file: M 116, F 44
    assert shown["city|New York City|all|M"][0] == "116"
    assert shown["city|New York City|all|F"][0] == "44"
    assert shown["city|New York City|all|all"][0] == "160"
    csv_text = analyst.get(f"/workspace/report.csv?source={analyst.source}&by=sex").content  # type: ignore[attr-defined]
    assert b",116," in csv_text and b",44," in csv_text


@pytest.mark.django_db
def test_a_bad_source_is_explained(analyst: Client) -> None:
    page = _page(analyst, "/workspace/report/?source=../../etc/passwd&by=race")
    assert page.status_code == 400
    assert ("choose the case store, the bundled NYPD history or an uploaded file"
            in page.content.decode())


POLICIES = REPO / "src" / "survivors_justice" / "policy" / "documents"
PROPOSAL = "proposal-adult-buyers-declined"


def _sj(*args: str) -> None:
    from survivors_justice.cli import app

    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output


@pytest.mark.django_db
def test_the_what_if_shows_the_simulation_and_both_policies_disparities(
        analyst: Client, tmp_path: Path) -> None:
    page = _page(analyst, f"/workspace/whatif/?source={analyst.source}&proposal={PROPOSAL}")  # type: ignore[attr-defined]
    assert page.status_code == 200
    text = page.content.decode()
    out = tmp_path / "sim.json"
    _sj("policy", "simulate", str(DEC_2017), "--base", str(POLICIES / "survivors-justice.yaml"),
        "--proposal", str(POLICIES / f"{PROPOSAL}.yaml"), "--json", str(out))
    sim = json.loads(out.read_text())
    assert sim["changed"] > 0
    assert f'data-changed="{sim["changed"]}"' in text and f'data-rows="{sim["arrests"]}"' in text
    shown = dict(re.findall(r'<tr data-transition="([^"]*)">.*?<td class="text-right">(\d+)</td>',
                            text))
    assert shown == {f"{t['from']}|{t['to']}": str(t["arrests"]) for t in sim["transitions"]}
    # race within each outcome under each policy, as `sj report disparities` gives them
    cells = {m[0]: (m[1], m[2]) for m in re.findall(
        r'<tr data-cell="([^"]*)" data-current="([^"]*)" data-proposal="([^"]*)">', text)}
    for column, index in (("outcome", 0), ("outcome_proposal", 1)):
        rows_out = tmp_path / f"{column}.json"
        result = CliRunner().invoke(report_app, [
            "disparities", str(DEC_2017), "--by", "race", "--within", column, "--proposal",
            str(POLICIES / f"{PROPOSAL}.yaml"), "--format", "json", "-o", str(rows_out)])
        assert result.exit_code == 0, result.output
        for row in json.loads(rows_out.read_text()):
            if row["geo_level"] != "city" or row["stratum"] == "all":
                continue
            assert cells[f"{row['stratum']}|{row['group']}"][index] == str(row["count"]), row
    # the proposal declines adult buyers: fewer prosecuted than now
    now = sum(int(c[0] or 0) for k, c in cells.items() if k.startswith("prosecute|all"))
    then = sum(int(c[1] or 0) for k, c in cells.items() if k.startswith("prosecute|all"))
    assert then < now


@pytest.mark.django_db
def test_a_what_if_names_what_it_cannot_compare(analyst: Client) -> None:
    page = _page(analyst, f"/workspace/whatif/?source={analyst.source}&proposal=nothing")  # type: ignore[attr-defined]
    assert page.status_code == 400
    assert "no proposal document &#x27;nothing&#x27;" in page.content.decode()
    page = _page(analyst, f"/workspace/whatif/?source=store&proposal={PROPOSAL}")
    assert page.status_code == 400
    assert "upload one or choose the bundled NYPD history" in page.content.decode()


@pytest.mark.django_db
def test_the_trend_of_the_bundled_history_by_month_and_year(analyst: Client) -> None:
    page = _page(analyst, "/workspace/report/?source=history&by=race&geo=city").content.decode()
    pivot = page.split('data-table="trend-pivot"')[1].split("</table>")[0]
    counted: dict[str, int] = {}
    for path in sorted((REPO / "data" / "nypd").glob("*.csv")):
        with path.open(newline="") as handle:
            for row in csv.DictReader(handle):
                # prostitution-related: Penal Law article 230 and 240.37
                if not row["LAW_CODE"].startswith(("PL 230", "PL 24037")):
                    continue
                year = row["ARREST_DATE"][-4:]
                counted[year] = counted.get(year, 0) + 1
    assert set(counted) >= {"2006", "2016"} and counted["2017"] == 160
    for year, n in counted.items():
        row = pivot.split(f'<tr data-year="{year}">')[1].split("</tr>")[0]
        assert row.rsplit("<td>", 1)[1].split("</td>")[0] == f"{n:,}", year
    assert "the office's policy took effect on 2026-01-01" in page
    chart = analyst.get("/workspace/chart/trend.svg?source=history&by=race&geo=city")
    assert chart.status_code == 200 and b'id="effective-date"' in chart.content


@pytest.mark.django_db
def test_the_page_charts_and_downloads_build_the_report_once(
        analyst: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    from survivors_justice.analytics import report as report_mod
    from survivors_justice.workspace import engine

    engine.REPORTS.clear()
    engine.CHARTS.clear()
    calls: list[object] = []
    real = report_mod.build_report

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(report_mod, "build_report", counting)
    query = f"source={analyst.source}&by=age_group&geo=borough"  # type: ignore[attr-defined]
    page = _page(analyst, f"/workspace/report/?{query}").content.decode()
    names = re.findall(r'src="/workspace/chart/([a-z-]+)\.svg', page)
    assert {"trend", "map"} <= set(names)
    for name in names:
        assert analyst.get(f"/workspace/chart/{name}.svg?{query}").status_code == 200
    assert analyst.get(f"/workspace/report.csv?{query}").status_code == 200
    png = analyst.get(f"/workspace/chart/map.png?{query}")
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert png["Content-Disposition"] == 'attachment; filename="map.png"'
    assert len(calls) == 1
    svg = analyst.get(f"/workspace/chart/map.svg?{query}&download=1")
    assert svg["Content-Disposition"] == 'attachment; filename="map.svg"'


@pytest.mark.django_db
def test_a_long_report_runs_in_the_background_and_shows_its_progress(
        analyst: Client, settings: Any) -> None:
    from survivors_justice.workspace import engine

    settings.WORKSPACE_WAIT_SECONDS = 0  # answer at once: every report is a long one here
    engine.REPORTS.clear()
    engine.CHARTS.clear()
    url = f"/workspace/report/?source={analyst.source}&by=race&geo=precinct"  # type: ignore[attr-defined]
    first = analyst.get(url)
    assert first.status_code == 200
    text = first.content.decode()
    assert "Working on the report by race" in text and "data-job=" in text
    assert f'hx-get="{html.escape(url)}"' in text and 'hx-trigger="every 1s"' in text
    stages = set()
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        poll = analyst.get(url, HTTP_HX_REQUEST="true")
        if poll.status_code == 204:
            assert poll["HX-Redirect"] == url
            break
        stages |= set(re.findall(r'data-job="([^"]*)"', poll.content.decode()))
        time.sleep(0.1)
    else:
        pytest.fail("the report never finished")
    assert stages <= {"Reading and preparing the arrests",
                      "Computing the tables and protecting small numbers",
                      "Drawing the charts and the map"}
    done = analyst.get(url).content.decode()  # from the cache, at once
    assert 'data-table="main"' in done and "data-job=" not in done


@pytest.mark.django_db
def test_an_error_in_the_background_is_shown_once(analyst: Client, settings: Any,
                                                   tmp_path: Path) -> None:
    from survivors_justice.workspace import engine

    settings.WORKSPACE_WAIT_SECONDS = 5
    bad = engine.uploads() / ("0" * 64 + ".csv")
    bad.write_text("ARREST_KEY,PERP_RACE\n1,WHITE\n")
    page = analyst.get("/workspace/report/?source=" + "0" * 64 + "&by=race")
    assert page.status_code == 400
    assert "ARREST_DATE" in page.content.decode()
