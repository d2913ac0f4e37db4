"""Measuring and publishing, in Chromium: an analyst runs a disparity report on an uploaded NYPD
file, compares a proposal with the policy in force (what-if) and prepares a release; a
supervisor approves it; a signed-out visitor reads the public page (axe-core: no serious or
critical violation) and downloads a table as CSV.
Screenshots: test-artifacts/screenshots/transparency-*.png."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from tests.browser.conftest import serious_violations
from tests.browser.helpers import base_url, signed_in_page
from tests.factories import make_user

from survivors_justice.transparency.models import Release

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DEC_2017 = Path(__file__).resolve().parents[2] / "data" / "nypd" / "arrests-2017-12.csv"
Shot = Callable[..., Path]


def _simulate(path: Path) -> dict[str, Any]:
    """`sj policy simulate`'s figures for the file (the command line, as a process would)."""
    import json

    from typer.testing import CliRunner

    from survivors_justice.cli import app

    documents = Path(__file__).resolve().parents[2] / "src" / "survivors_justice" / "policy" \
        / "documents"
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "sim.json"
        result = CliRunner().invoke(app, [
            "policy", "simulate", str(path), "--base", str(documents / "survivors-justice.yaml"),
            "--proposal", str(documents / "proposal-adult-buyers-declined.yaml"),
            "--json", str(out)])
        assert result.exit_code == 0, result.output
        found: dict[str, Any] = json.loads(out.read_text())
    assert found["changed"] > 0
    return found


def test_analyst_reports_supervisor_approves_and_anyone_downloads(
    browser: Browser, axe_page: Page, live_server: Any, screenshot: Shot, settings: Any,
    tmp_path: Path,
) -> None:
    settings.VAR_DIR = tmp_path / "var"
    url = base_url(live_server)
    analyst = signed_in_page(browser.new_context().new_page(), live_server,
                             make_user("analyst"))
    analyst.set_default_timeout(120_000)
    analyst.get_by_role("link", name="Disparities", exact=True).click()
    analyst.locator("#file").set_input_files(str(DEC_2017))
    analyst.get_by_role("button", name="Upload").click()
    # a report that takes more than a moment shows its progress, then itself
    expect(analyst.get_by_role("heading", name="Arrests by race, December 2017")).to_be_visible(
        timeout=180_000)
    analyst.get_by_label("Break down by").select_option("sex")
    analyst.get_by_role("button", name="Run again").click()
    expect(analyst.get_by_role("heading", name="Arrests by sex, December 2017")).to_be_visible(
        timeout=180_000)
    # counted by hand from the raw file: 116 men and 44 women among the 160 arrests
    main = analyst.locator('[data-table="main"]')
    expect(main.locator('tr[data-cell="city|New York City|all|M"]')).to_contain_text("116")
    expect(main.locator('tr[data-cell="city|New York City|all|F"]')).to_contain_text("44")
    screenshot("transparency-01-analyst-report", analyst)

    # what-if: the adult-buyers proposal on the same file, beside the policy in force
    analyst.get_by_role("link", name="What if a proposal were in force? Compare it on these "
                        "arrests").click()
    analyst.get_by_label("Proposal").select_option("proposal-adult-buyers-declined")
    analyst.get_by_role("button", name="Compare").click()
    expected = _simulate(DEC_2017)
    expect(analyst.locator("[data-changed]")).to_have_text(str(expected["changed"]),
                                                           timeout=180_000)
    expect(analyst.locator("[data-rows]")).to_have_text(str(expected["arrests"]))
    for t in expected["transitions"]:
        expect(analyst.locator(f'tr[data-transition="{t["from"]}|{t["to"]}"]')).to_contain_text(
            str(t["arrests"]))
    expect(analyst.locator('[data-table="side-by-side"]')).to_be_visible()
    screenshot("transparency-01b-analyst-what-if", analyst)

    analyst.get_by_role("link", name="Releases", exact=True).click()
    analyst.get_by_label("First month (YYYY-MM)").fill("2017-12")
    analyst.get_by_label("Last month (YYYY-MM)").fill("2017-12")
    analyst.locator("#source").set_input_files(str(DEC_2017))
    analyst.get_by_role("button", name="Prepare release").click()
    expect(analyst.locator('tr[data-release="2017-12"]')).to_contain_text("Waiting")
    assert Release.objects.get().state == "prepared"

    boss = signed_in_page(browser.new_context().new_page(), live_server,
                          make_user("supervisor"))
    boss.get_by_role("link", name="Releases", exact=True).click()
    boss.get_by_role("button", name="Approve and publish 2017-12").click()
    expect(boss.locator('tr[data-release="2017-12"]')).to_contain_text("Published")
    screenshot("transparency-02-supervisor-approved", boss)

    axe_page.goto(url + "/transparency/")
    expect(axe_page.get_by_role("heading", name="How small numbers are protected")).to_be_visible()
    assert serious_violations(axe_page) == []
    screenshot("transparency-03-public", axe_page)
    with axe_page.expect_download() as info:
        axe_page.get_by_role("link", name="Arrests by sex as recorded").click()
    text = Path(info.value.path()).read_text(encoding="utf-8")
    header = text.splitlines()[0].split(",")
    assert "count" in header and "suppressed" in header
