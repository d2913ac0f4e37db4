"""The intake workflow in Chromium, on cases opened from real December 2017 arrests.

An intake prosecutor screens a buyer case and accepts the recommendation; overrides a seller's
decline, which waits until a supervisor approves it from the override queue; a partner
organisation's account cannot open the case by its URL. Screenshots go to
test-artifacts/screenshots/intake-*.png.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from tests.browser.helpers import base_url, signed_in_page
from tests.cases.factories import BUYING, SELLING, make_case
from tests.factories import make_user

from survivors_justice.accounts.roles import Role
from survivors_justice.audit.models import AuditRecord
from survivors_justice.cases.flows import CaseState
from survivors_justice.cases.models import Case, ChargingDecision, DecisionStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Shot = Callable[..., Path]
REASON = "The report says she recruited the two younger women and kept their money."


def test_intake_prosecutor_screens_a_buyer_case_and_accepts(
    page: Page, live_server: Any, screenshot: Shot
) -> None:
    buyer = make_case(BUYING, given_name="Teodor", family_name="Raskolnik")
    make_case(SELLING, given_name="Amara", family_name="Delacroix-Penn")
    user = make_user(Role.INTAKE_ADA)
    signed_in_page(page, live_server, user)

    page.goto(base_url(live_server) + "/cases/intake/")
    expect(page.get_by_role("heading", name="Intake queue")).to_be_visible()
    row = page.locator(f"#case-{buyer.pk}")
    expect(row).to_contain_text("Prosecute")
    expect(row).to_contain_text("Teodor Raskolnik")
    row.get_by_text("could change it").click()  # the unknown facts, as questions
    expect(row.get_by_text("Was force used", exact=False)).to_be_visible()
    screenshot("intake-01-queue", page)

    row.get_by_role("link", name=buyer.number).click()
    expect(page.get_by_role("heading", name=f"Case {buyer.number}")).to_be_visible()
    expect(page.get_by_text("What the policy recommends")).to_be_visible()
    expect(page.locator(".sj-rec")).to_contain_text("buyer")
    screenshot("intake-02-buyer-case", page)

    page.get_by_role("button", name="Accept the recommendation").click()
    expect(page.get_by_role("heading", name="Intake queue")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text(f"Case {buyer.number}")
    expect(page.locator(f"#case-{buyer.pk}")).to_have_count(0)
    screenshot("intake-03-accepted", page)

    buyer.refresh_from_db()
    assert buyer.state == CaseState.PROSECUTING
    decision = ChargingDecision.objects.get(case=buyer)
    assert (decision.kind, decision.decided_by) == ("accept", user)
    assert AuditRecord.objects.filter(action="case.read", object_id=str(buyer.pk)).exists()


def test_override_of_a_seller_decline_waits_for_a_supervisor_who_approves(
    page: Page, browser: Browser, live_server: Any, screenshot: Shot
) -> None:
    seller = make_case(SELLING, given_name="Nadezhda", family_name="Okonkwo-Reyes")
    intake = make_user(Role.INTAKE_ADA)
    signed_in_page(page, live_server, intake)
    page.goto(base_url(live_server) + f"/cases/{seller.pk}/")
    expect(page.locator(".sj-rec")).to_contain_text("Decline to prosecute")

    page.get_by_role("link", name="Override…").click()  # HTMX loads the form into the page
    form = page.locator("form.sj-override")
    expect(form).to_be_visible()
    assert page.url.endswith(f"/cases/{seller.pk}/")  # a fragment, not a new page
    form.get_by_label("Charge 1").select_option("prosecute")
    form.get_by_text("The charge recorded does not match the conduct").click()
    form.get_by_label("Explain in plain words").fill("too short")
    form.get_by_role("button", name="Record the override").click()
    # the browser itself holds back a reason under 20 characters
    assert form.get_by_label("Explain in plain words").evaluate("el => !el.validity.valid")
    # choosing what the policy already says is refused by the server, in place, nothing lost
    form.get_by_label("Charge 1").select_option("decline")
    form.get_by_label("Explain in plain words").fill(REASON)
    form.get_by_role("button", name="Record the override").click()
    form = page.locator("form.sj-override")
    expect(form.get_by_role("alert")).to_contain_text("accept it instead")
    expect(form.get_by_label("Explain in plain words")).to_have_value(REASON)
    form.get_by_label("Charge 1").select_option("prosecute")
    screenshot("intake-04-override-error", page)
    form.get_by_role("button", name="Record the override").click()
    expect(page.get_by_role("status")).to_contain_text("waits for a supervisor")
    screenshot("intake-05-override-recorded", page)

    seller.refresh_from_db()
    assert seller.state == CaseState.OVERRIDE_PENDING

    context = browser.new_context()
    boss_page = context.new_page()
    supervisor = make_user(Role.SUPERVISOR)
    signed_in_page(boss_page, live_server, supervisor)
    boss_page.goto(base_url(live_server) + "/cases/overrides/")
    item = boss_page.locator(".sj-override-item").filter(has_text=seller.number)
    expect(item).to_contain_text(REASON)
    expect(item).to_contain_text(intake.email)
    screenshot("intake-06-override-queue", boss_page)
    item.get_by_text("Approve the override").click()
    item.get_by_role("button", name="Send your answer").click()
    expect(boss_page.get_by_role("status")).to_contain_text("override approved")
    expect(boss_page.locator(".sj-override-item")).to_have_count(0)

    boss_page.goto(base_url(live_server) + "/cases/compliance/")
    expect(boss_page.locator("#by-prosecutor")).to_contain_text(intake.email)
    expect(boss_page.locator("#by-supervisor")).to_contain_text(supervisor.email)
    screenshot("intake-07-compliance", boss_page)
    context.close()

    seller.refresh_from_db()
    decision = ChargingDecision.objects.get(case=seller)
    assert seller.state == CaseState.PROSECUTING
    assert (decision.status, decision.reviewed_by) == (DecisionStatus.APPROVED, supervisor)


def test_a_partner_organisation_cannot_open_the_case_by_url(
    page: Page, live_server: Any, screenshot: Shot
) -> None:
    case = make_case(SELLING, given_name="Ingrid", family_name="Balogun-Sato")
    partner = make_user(Role.PARTNER_STAFF, organisation="Sex Workers Project")
    signed_in_page(page, live_server, partner)
    for path in (f"/cases/{case.pk}/", f"/cases/{case.pk}/override/", f"/api/cases/{case.pk}"):
        response = page.goto(base_url(live_server) + path)
        assert response is not None and response.status == 404, path
        body = page.content()
        assert "Balogun-Sato" not in body and "Ingrid" not in body and case.number not in body
    page.goto(base_url(live_server) + f"/cases/{case.pk}/")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    screenshot("intake-08-partner-denied", page)
    response = page.goto(base_url(live_server) + "/cases/intake/")
    assert response is not None and response.status == 403
    assert "Balogun-Sato" not in page.content()
    assert Case.objects.get(pk=case.pk).state == CaseState.INTAKE
