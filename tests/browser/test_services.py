"""Survivor services in Chromium: consent, referral, service, and a revocation that takes effect.

An advocate takes intake's referral task for a minor (declined on a selling charge, real
December 2017 arrest), opens the record from it, records a consent for one partner and two
categories (contact details and case status), refers; the partner's staff accept and record a
service; the advocate withdraws the consent, and the partner's next page no longer shows the
person or the referral. axe-core finds no serious or critical violation on the pages.
Screenshots: test-artifacts/screenshots/services-*.png.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect
from tests.browser.conftest import serious_violations
from tests.browser.helpers import base_url, signed_in_page
from tests.factories import make_user
from tests.survivors.factories import make_org, make_partner_staff
from tests.survivors.from_intake import minors_referral_task

from survivors_justice.survivors.models import Disclosure, Referral, Survivor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
Shot = Callable[..., Path]


def tick(page: Page, label: str) -> None:
    """Tick a USWDS checkbox or radio the way a person does: by its (styled) label."""
    page.locator(f"label:text-is('{label}')").click()
    expect(page.get_by_label(label, exact=True)).to_be_checked()


def test_consent_referral_service_and_revocation(
    axe_page: Page, browser: Browser, live_server: Any, screenshot: Shot
) -> None:
    org = make_org("Queens Harbor Counselling")
    staff = make_partner_staff(org)
    advocate = make_user("advocate")
    page = signed_in_page(axe_page, live_server, advocate)
    root = base_url(live_server)

    # intake's screening referred a minor declined on a selling charge to an advocate
    task = minors_referral_task()
    page.get_by_role("link", name="Caseload", exact=True).click()
    expect(page.get_by_role("heading", name="Referral tasks from intake")).to_be_visible()
    assert serious_violations(page) == []
    screenshot("services-00-caseload-task", page)
    page.locator(f"#take-task-{task.pk}").click()
    expect(page.get_by_label("Given name")).to_have_value("Yesenia")
    expect(page.get_by_label("Under 18")).to_be_checked()
    page.get_by_label("Language they prefer").select_option("es")
    page.get_by_label("Phone").fill("347-555-0188")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Yesenia Okonkwo-Delacroix")).to_be_visible()
    link_text = f"Case {task.case.number}: Declined on a selling charge"
    expect(page.get_by_text(link_text)).to_be_visible()
    survivor = Survivor.objects.get()
    assert survivor.minor and survivor.advocate_id == advocate.pk
    task.refresh_from_db()
    assert task.state == "done"

    page.get_by_role("link", name="Record a consent").click()
    page.get_by_label("Organisation that may receive it").select_option(label=org.name)
    tick(page, "Contact details")
    tick(page, "Case status")
    page.get_by_label("What it is for").fill("Counselling referral")
    ends = timezone.localdate() + timedelta(days=60)
    page.get_by_label("Ends on (required)").fill(ends.isoformat())
    tick(page, "Signed in person")
    assert serious_violations(page) == []
    screenshot("services-01-consent", page)
    page.get_by_role("button", name="Record the consent").click()
    expect(page.get_by_text("Consent recorded for Queens Harbor Counselling")).to_be_visible()

    page.get_by_role("link", name="Refer", exact=True).click()
    page.get_by_label("Consent it relies on").select_option(index=1)
    page.get_by_label("Need").select_option("mental_health")
    page.get_by_role("button", name="Send the referral").click()
    expect(page.get_by_text("Referral sent to Queens Harbor Counselling")).to_be_visible()
    referral = Referral.objects.get()

    # the partner: sees the person without a name (identity was not consented), and the phone
    context = browser.new_context(bypass_csp=True)
    partner = signed_in_page(context.new_page(), live_server, staff)
    partner.get_by_role("link", name="Referrals", exact=True).click()
    person = f"Person {survivor.pk} (name not shared)"
    expect(partner.get_by_role("link", name=person)).to_be_visible()
    expect(partner.locator("body")).not_to_contain_text("Okonkwo")
    assert serious_violations(partner) == []
    screenshot("services-02-partner-list", partner)
    partner.get_by_role("link", name=person).click()
    expect(partner.get_by_text("347-555-0188")).to_be_visible()
    expect(partner.locator("body")).not_to_contain_text("Yesenia")
    tick(partner, "Accept")
    partner.get_by_role("button", name="Send the answer").click()
    expect(partner.locator("#referral-state")).to_have_text("Accepted")
    partner.get_by_label("Started on").fill(timezone.localdate().isoformat())
    partner.get_by_role("button", name="Save").click()
    expect(partner.locator("#referral-state")).to_have_text("Receiving the service")
    screenshot("services-03-partner-service", partner)

    # the advocate withdraws the consent; the partner's next request shows nothing
    page.goto(root + f"/survivors/{survivor.pk}/")
    page.get_by_role("button", name="Withdraw now").click()
    expect(page.get_by_text("Consent withdrawn")).to_be_visible()
    partner.get_by_role("link", name="Referrals", exact=True).click()
    expect(partner.get_by_text("No referrals to show.")).to_be_visible()
    expect(partner.locator("body")).not_to_contain_text(person)
    screenshot("services-04-partner-after-revocation", partner)
    response = partner.goto(root + f"/survivors/referrals/{referral.pk}/")
    assert response is not None and response.status == 404
    expect(partner.locator("body")).not_to_contain_text("347-555-0188")
    assert Disclosure.objects.filter(to_user=staff).exists()
    referral.refresh_from_db()
    assert referral.state == "in_service"
    context.close()
