"""An administrator creates an account in Chromium; the person signs in with its TOTP."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from tests.accounts.test_admin_pages import totp
from tests.browser.helpers import base_url, signed_in_page, submit_code, submit_password
from tests.factories import make_user

from survivors_justice.accounts.models import User
from survivors_justice.accounts.roles import Role
from survivors_justice.audit.models import AuditRecord

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Shot = Callable[[str], Path]
PASSWORD = "orchard-velvet-compass-31"


def test_admin_creates_an_account_and_the_person_signs_in(
    page: Page, live_server: Any, screenshot: Shot, csp_violations: list[str]
) -> None:
    admin = make_user(Role.ADMIN)
    signed_in_page(page, live_server, admin)
    page.get_by_role("link", name="Accounts").first.click()
    page.get_by_role("link", name="Create an account").click()
    # a mistake first: errors at the field, what was typed kept
    page.get_by_label("Email address").fill("rosa.advocate@office.example")
    page.get_by_label("Role").select_option("partner_staff")
    page.get_by_label("First password").fill(PASSWORD)
    page.get_by_role("button", name="Create the account").click()
    expect(page.locator("#id_organisation-error")).to_contain_text(
        "Partner staff need the name of their organisation.")
    expect(page.get_by_label("Email address")).to_have_value("rosa.advocate@office.example")
    screenshot("01-create-error-at-field")
    page.get_by_label("Role").select_option("advocate")
    page.get_by_label("First password").fill(PASSWORD)
    page.get_by_role("button", name="Create the account").click()
    expect(page.get_by_role("heading", name="This code is shown only now")).to_be_visible()
    expect(page.get_by_alt_text("QR code", exact=False)).to_be_visible()
    screenshot("02-enrolment-shown-once")
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.get_by_role("link", name="Done: open the account").click()
    expect(page.get_by_role("heading", name="rosa.advocate@office.example")).to_be_visible()
    assert secret not in page.content()
    page.get_by_role("button", name="Sign out").click()

    submit_password(page, live_server, "rosa.advocate@office.example", PASSWORD)
    expect(page.get_by_label("6-digit code")).to_be_visible()
    assert secret not in page.content()
    submit_code(page, totp(secret))
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page.get_by_role("strong").filter(has_text="Victim advocate")).to_be_visible()
    user = User.objects.get(email="rosa.advocate@office.example")
    assert AuditRecord.objects.filter(action="accounts.create", object_id=str(user.pk),
                                      actor=admin.email).exists()
    assert page.url == base_url(live_server) + "/home/"
    assert csp_violations == []
