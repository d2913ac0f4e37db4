"""Measuring and publishing, in Chromium: an analyst runs a disparity report on an uploaded NYPD
file and prepares a release; a supervisor approves it; a signed-out visitor reads the public
page (axe-core: no serious or critical violation) and downloads a table as CSV.
Screenshots: test-artifacts/screenshots/transparency-*.png."""

from __future__ import annotations

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
    expect(analyst.get_by_role("heading", name="Arrests by race, December 2017")).to_be_visible()
    analyst.get_by_label("Break down by").select_option("sex")
    analyst.get_by_role("button", name="Run again").click()
    # counted by hand from the raw file: 116 men and 44 women among the 160 arrests
    main = analyst.locator('[data-table="main"]')
    expect(main.locator('tr[data-cell="city|New York City|all|M"]')).to_contain_text("116")
    expect(main.locator('tr[data-cell="city|New York City|all|F"]')).to_contain_text("44")
    screenshot("transparency-01-analyst-report", analyst)

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
