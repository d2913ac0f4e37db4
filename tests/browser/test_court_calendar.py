"""A supervisor opens the court calendar and adopts a plan a trafficking prosecutor built.

The docket (tests/courts/test_calendar.py) has one survivor who must not wait with another
case's defendant; first come, first served puts them in one session, the plan does not. The
supervisor follows "Court calendar", opens the plan, reads the comparison, adopts it; axe-core
finds no serious or critical violation. Screenshots: test-artifacts/screenshots/court-*.png.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from tests.browser.conftest import serious_violations
from tests.browser.helpers import base_url, signed_in_page
from tests.courts.test_calendar import PAIR_DOCKET
from tests.factories import make_user

from survivors_justice.accounts.roles import Role
from survivors_justice.audit.models import AuditRecord
from survivors_justice.courts.models import CourtPlan
from survivors_justice.courts.services import build_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Shot = Callable[..., Path]


def test_supervisor_adopts_a_court_plan(axe_page: Page, live_server: Any,
                                        screenshot: Shot) -> None:
    builder = make_user(Role.TRAFFICKING_ADA, email="court-builder@example.test")
    plan = build_plan(actor=builder, docket=PAIR_DOCKET, source="upload", time_limit=5)
    supervisor = make_user(Role.SUPERVISOR, email="court-supervisor@example.test")
    page = signed_in_page(axe_page, live_server, supervisor)

    page.goto(base_url(live_server) + "/home/")
    page.get_by_role("link", name="Court calendar", exact=True).click()
    expect(page.get_by_role("heading", name="Court calendar")).to_be_visible()
    row = page.locator(f'tr[data-plan="{plan.pk}"]')
    expect(row).to_contain_text("Proposed")
    expect(row).to_contain_text("0 (1)")  # encounters: the plan's, first come first served's
    assert serious_violations(page) == []
    screenshot("court-01-calendar", page)

    row.get_by_role("link", name=f"Plan {plan.pk}").click()
    expect(page.get_by_role("heading", name=f"Court plan {plan.pk}")).to_be_visible()
    metrics = page.locator("table[data-metrics]")
    encounters = metrics.get_by_role("row", name="Encounters")
    expect(encounters.get_by_role("cell")).to_have_text(["0", "1"])
    expect(page.locator("[data-encounters]")).to_contain_text("None")
    expect(page.locator("table[data-grid]")).to_contain_text("A #1")
    assert serious_violations(page) == []
    screenshot("court-02-plan", page)

    page.get_by_role("button", name="Adopt this plan").click()
    expect(page.get_by_text("is adopted")).to_be_visible()
    expect(page.get_by_role("button", name="Adopt this plan")).to_have_count(0)
    screenshot("court-03-adopted", page)
    plan.refresh_from_db()
    assert (plan.state, plan.adopted_by_id) == ("adopted", supervisor.pk)
    assert CourtPlan.objects.count() == 1
    assert AuditRecord.objects.filter(action="courts.adopt_plan", outcome="success",
                                      actor=supervisor.email).count() == 1


def test_the_calendar_says_it_is_planning_while_the_planner_works(
        axe_page: Page, live_server: Any, screenshot: Shot, tmp_path: Path) -> None:
    planner = make_user(Role.TRAFFICKING_ADA, email="court-planner@example.test")
    page = signed_in_page(axe_page, live_server, planner)
    page.goto(base_url(live_server) + "/court/")
    status = page.locator("#planning-status")
    expect(status).to_be_hidden()
    docket = tmp_path / "docket.json"
    docket.write_text(json.dumps(PAIR_DOCKET))
    # keep the page from leaving (as a solve of many seconds keeps it waiting), after the
    # page's own submit handler has run, to read the page while it waits
    page.evaluate("document.querySelector('form[data-planning-form]')"
                  ".addEventListener('submit', (e) => e.preventDefault())")
    page.locator('label[for="source-upload"]').click()  # USWDS draws the radio on its label
    expect(page.get_by_label("A docket file I upload")).to_be_checked()
    page.set_input_files("#docket", str(docket))
    page.get_by_label("Seconds the planner may take").fill("20")
    page.get_by_role("button", name="Build a plan").click()
    expect(status).to_be_visible()
    expect(status).to_have_attribute("role", "status")
    expect(status).to_contain_text("Planning")
    expect(status).to_contain_text("at most 20 seconds")
    expect(page.get_by_role("button", name="Build a plan")).to_be_disabled()
    assert serious_violations(page) == []
    screenshot("court-04-planning", page)
    assert not CourtPlan.objects.exists()  # nothing was sent
