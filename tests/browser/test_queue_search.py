"""Finding cases in the intake queue in Chromium, on the real December 2017 arrests.

A supervisor signs in, filters the queue (charged as buyer, in Queens), gets the results through
htmx with the filters in the address bar, reloads the bookmarked address, downloads the CSV and
runs axe-core on the filtered page. Screenshots: test-artifacts/screenshots/queue-search-*.png.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from tests.arrests.helpers import DEC_2017, read_rows, run_import, write_rows
from tests.browser.conftest import serious_violations
from tests.browser.helpers import base_url, signed_in_page
from tests.factories import make_user

from survivors_justice.accounts.roles import Role
from survivors_justice.arrests.importer import ImportSummary
from survivors_justice.audit.models import AuditRecord
from survivors_justice.cases.flows import CaseState
from survivors_justice.cases.models import Case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
__all__ = ["run_import"]  # the fixture, shared with tests/arrests

Shot = Callable[..., Path]


@pytest.fixture
def december(tmp_path: Path, run_import: Callable[..., ImportSummary]) -> None:
    header, rows = read_rows(DEC_2017)
    law = header.index("LAW_CODE")
    related = [r for r in rows if r[law].startswith(("PL 230", "PL 24037"))]
    run_import(write_rows(tmp_path / "related.csv", header, related))


def _expected(borough: str, role: str) -> list[str]:
    """The queue's default order, the readiness deadline: every charge of one role here has the
    same class, so the deadline follows the arrest date."""
    return list(
        Case.objects.filter(
            state=CaseState.INTAKE, arrest__borough=borough, arrest__charges__role=role
        )
        .order_by("arrest__arrest_date", "pk")
        .values_list("number", flat=True)
    )


def _shown(page: Page) -> list[str]:
    return page.locator("#queue-results tbody th a").all_inner_texts()


@pytest.mark.usefixtures("december")
def test_supervisor_filters_the_queue_bookmarks_it_and_downloads_it(
    axe_page: Page, live_server: Any, screenshot: Shot
) -> None:
    page = axe_page
    user = make_user(Role.SUPERVISOR)
    signed_in_page(page, live_server, user)
    page.goto(base_url(live_server) + "/cases/intake/")
    expect(page.get_by_role("heading", name="Intake queue")).to_be_visible()
    expect(page.get_by_text("Names cannot be searched")).to_be_visible()
    expect(page.locator("#queue-results tbody tr")).to_have_count(25)  # the plain queue, page 1
    # NYPD files name no one: the defendant column says so instead of staying blank
    expect(page.locator("#queue-results tbody td[data-label=Defendant]").first).to_have_text(
        "Not recorded"
    )
    screenshot("queue-search-01-queue", page)

    expected = _expected("Q", "buyer")
    assert 25 < len(expected) <= 50  # two pages
    page.get_by_label("Charged as").select_option("buyer")
    page.get_by_label("Borough").select_option(label="Queens")
    page.get_by_role("button", name="Show cases").click()
    expect(page.locator("#queue-results")).to_contain_text(expected[0])
    expect(page.locator("#queue-results tbody tr")).to_have_count(25)
    assert _shown(page) == expected[:25]
    assert "role=buyer" in page.url and "borough=Q" in page.url  # htmx pushed the filters
    screenshot("queue-search-02-filtered", page)
    problems = serious_violations(page)
    assert problems == [], problems

    page.get_by_role("link", name="Next").click()  # the next page keeps the filters
    expect(page.locator("#queue-results tbody tr")).to_have_count(len(expected) - 25)
    assert _shown(page) == expected[25:]
    assert "page=2" in page.url and "role=buyer" in page.url

    page.goto(page.url.replace("page=2", "page=1"))  # the address is a bookmark
    expect(page.get_by_label("Charged as")).to_have_value("buyer")
    expect(page.get_by_label("Borough")).to_have_value("Q")
    expect(page.locator("#queue-results tbody tr")).to_have_count(25)
    assert _shown(page) == expected[:25]

    with page.expect_download() as download:
        page.get_by_role("link", name="Download these cases as CSV").click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
    assert [r["case_number"] for r in rows] == expected
    assert {(r["borough"], r["charged_as"]) for r in rows} == {("Q", "buyer")}
    export = AuditRecord.objects.get(action="cases.export")
    assert export.actor == user.email and export.details["rows"] == len(expected)
    assert export.details["filter"] == {"role": "buyer", "borough": "Q"}
    assert AuditRecord.objects.filter(action="cases.intake_queue.search").count() >= 2

    page.get_by_label("Arrested on or after").fill("2017-12-20")
    page.get_by_label("Arrested on or before").fill("2017-12-01")
    page.get_by_role("button", name="Show cases").click()
    expect(page.get_by_text("2017-12-01 is before 2017-12-20")).to_be_visible()
    screenshot("queue-search-03-bad-dates", page)
    problems = serious_violations(page)
    assert problems == [], problems


def test_trafficking_prosecutor_has_the_priority_list_in_the_nav(
    page: Page, live_server: Any, screenshot: Shot
) -> None:
    signed_in_page(page, live_server, make_user(Role.TRAFFICKING_ADA))
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Trafficking queue").click()
    expect(page.get_by_role("heading", name="Trafficking queue")).to_be_visible()
    expect(nav.get_by_role("link", name="Intake queue")).to_have_count(0)
    screenshot("queue-search-04-priority-nav", page)
