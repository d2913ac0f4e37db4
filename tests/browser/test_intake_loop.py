"""The intake loop in Chromium: facts change a recommendation, follow-ups open, departures wait.

Cases are real December 2017 NYPD arrests. Screenshots go to test-artifacts/screenshots/loop-*.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from tests.browser.helpers import base_url, signed_in_page
from tests.cases.factories import BUYING, SELLING, december_rows, make_case
from tests.factories import make_user

from survivors_justice.accounts.roles import Role
from survivors_justice.cases.flows import CaseState
from survivors_justice.cases.models import FollowUpTask

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Shot = Callable[..., Path]
REASON = "The man arrested is a regular who the officers know; we do not need this case."


def _index(law_code: str, age_group: str) -> int:
    rows = [r for r in december_rows() if r["LAW_CODE"] == law_code]
    return next(i for i, r in enumerate(rows) if r["AGE_GROUP"] == age_group)


def test_coercion_facts_make_a_buyer_case_a_priority_case(
    page: Page, live_server: Any, screenshot: Shot
) -> None:
    buyer = make_case(BUYING, given_name="Lucian", family_name="Ferreira-Holm")
    signed_in_page(page, live_server, make_user(Role.INTAKE_ADA))
    page.goto(base_url(live_server) + f"/cases/{buyer.pk}/")
    expect(page.locator(".sj-rec").first).to_contain_text("Prosecute")
    page.get_by_text("Answer questions…").click()
    form = page.locator("#facts-form")
    form.get_by_label("Were threats used to control anyone in the case?").select_option("yes")
    form.get_by_label("Were anyone's identity or travel documents withheld?").select_option(
        "unknown"
    )
    form.get_by_label("Where do these answers come from?").select_option("interview")
    screenshot("loop-01-facts-form", page)
    form.get_by_role("button", name="Save and screen again").click()
    status = page.get_by_role("status")
    expect(status).to_contain_text("The recommendation changed")
    expect(status).to_contain_text("Prosecute as a priority case")
    expect(page.locator("#facts-h + table")).to_contain_text("Unknown")
    screenshot("loop-02-priority", page)


def test_a_minor_sellers_decline_opens_an_advocate_task_and_a_trafficking_lead(
    page: Page, browser: Browser, live_server: Any, screenshot: Shot
) -> None:
    minor = make_case(SELLING, index=_index(SELLING, "<18"), given_name="Rosa", family_name="M")
    signed_in_page(page, live_server, make_user(Role.INTAKE_ADA))
    page.goto(base_url(live_server) + f"/cases/{minor.pk}/")
    page.get_by_role("button", name="Accept the recommendation").click()
    expect(page.get_by_role("status")).to_contain_text("2 follow-up task(s) opened")
    assert {t.kind for t in FollowUpTask.objects.filter(case=minor)} == {
        "refer_to_advocate", "open_trafficking_lead",
    }

    context = browser.new_context()
    advocate_page = context.new_page()
    signed_in_page(advocate_page, live_server, make_user(Role.ADVOCATE))
    advocate_page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Follow-ups"
    ).click()
    row = advocate_page.locator(".sj-tasks tbody tr").first
    expect(row).to_contain_text("Refer the person to a victim advocate")
    expect(row).to_contain_text("under 18")
    screenshot("loop-03-advocate-queue", advocate_page)
    row.get_by_role("button", name="Take").click()
    expect(advocate_page.get_by_role("status")).to_contain_text("the task is yours")
    context.close()

    context = browser.new_context()
    trafficking_page = context.new_page()
    signed_in_page(trafficking_page, live_server, make_user(Role.TRAFFICKING_ADA))
    trafficking_page.goto(base_url(live_server) + "/cases/followups/")
    expect(trafficking_page.locator(".sj-tasks")).to_contain_text("Open a trafficking lead")
    trafficking_page.goto(base_url(live_server) + "/cases/priority/?show=leads")
    expect(trafficking_page.locator("#trafficking-queue")).to_contain_text(minor.number)
    screenshot("loop-04-trafficking-queue", trafficking_page)
    trafficking_page.get_by_role("link", name=minor.number).click()
    crumbs = trafficking_page.get_by_role("navigation", name="Breadcrumbs")
    crumbs.get_by_role("link", name="Trafficking queue").click()
    expect(trafficking_page.get_by_role("heading", name="Trafficking queue")).to_be_visible()
    context.close()


def test_an_intake_override_of_a_panel_case_is_refused(
    page: Page, live_server: Any, screenshot: Shot
) -> None:
    panel = make_case("PL 2302502", index=_index("PL 2302502", "<18"))
    signed_in_page(page, live_server, make_user(Role.INTAKE_ADA))
    page.goto(base_url(live_server) + f"/cases/{panel.pk}/")
    expect(page.get_by_text("a supervisor may decide it instead")).to_be_visible()
    expect(page.get_by_role("link", name="Override…")).to_have_count(0)
    # the override page asked for by its address refuses it too
    page.goto(base_url(live_server) + f"/cases/{panel.pk}/override/")
    form = page.locator("form.sj-override")
    form.get_by_label("Charge 1").select_option("prosecute")
    form.get_by_text("In the interests of justice").click()
    form.get_by_label("Explain in plain words").fill(REASON)
    form.get_by_role("button", name="Record the override").click()
    expect(page.locator("form.sj-override").get_by_role("alert")).to_contain_text(
        "not decided at intake"
    )
    screenshot("loop-05-panel-refused", page)
    panel.refresh_from_db()
    assert panel.state == CaseState.INTAKE


def test_a_buyer_decline_waits_for_a_supervisor_then_shows_on_compliance(
    page: Page, browser: Browser, live_server: Any, screenshot: Shot
) -> None:
    buyer = make_case(BUYING)
    intake = make_user(Role.INTAKE_ADA)
    signed_in_page(page, live_server, intake)
    page.goto(base_url(live_server) + f"/cases/{buyer.pk}/override/")
    form = page.locator("form.sj-override")
    form.get_by_label("Charge 1").select_option("decline")
    form.get_by_text("In the interests of justice").click()
    form.get_by_label("Explain in plain words").fill(REASON)
    form.get_by_role("button", name="Record the override").click()
    expect(page.get_by_role("status")).to_contain_text("waits for a supervisor")
    buyer.refresh_from_db()
    assert buyer.state == CaseState.OVERRIDE_PENDING

    context = browser.new_context()
    boss = context.new_page()
    signed_in_page(boss, live_server, make_user(Role.SUPERVISOR))
    boss.goto(base_url(live_server) + "/cases/overrides/")
    item = boss.locator(".sj-override-item").filter(has_text=buyer.number)
    expect(item).to_contain_text("Patronizing")
    item.get_by_text("Approve the override").click()
    item.get_by_role("button", name="Send your answer").click()
    expect(boss.get_by_role("status")).to_contain_text("override approved")
    boss.goto(base_url(live_server) + "/cases/compliance/")
    departures = boss.locator("#departures")
    expect(departures).to_contain_text(buyer.number)
    expect(departures).to_contain_text("buyer")
    expect(departures).to_contain_text(intake.email)
    screenshot("loop-06-compliance", boss)
    context.close()
    buyer.refresh_from_db()
    assert buyer.state == CaseState.DECLINED
