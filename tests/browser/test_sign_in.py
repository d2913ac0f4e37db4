"""Sign-in through the real pages in Chromium: password + TOTP, wrong code, idle expiry, lockout."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from tests.browser.helpers import (
    base_url,
    fresh_code,
    signed_in_page,
    submit_code,
    submit_password,
)
from tests.factories import device_of, make_user

from survivors_justice.accounts.otp import current_code
from survivors_justice.accounts.roles import Role
from survivors_justice.audit.models import AuditRecord

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Shot = Callable[[str], Path]


def test_sign_in_with_password_and_totp(page: Page, live_server: Any, screenshot: Shot,
                                        csp_violations: list[str]) -> None:
    user = make_user(Role.INTAKE_ADA)
    page.goto(base_url(live_server) + "/home/")
    expect(page).to_have_url(base_url(live_server) + "/accounts/sign-in/?next=%2Fhome%2F")
    screenshot("01-sign-in")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill("plum-kettle-harbour-42")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    screenshot("02-enter-code")
    submit_code(page, fresh_code(user))
    expect(page).to_have_url(base_url(live_server) + "/home/")
    expect(page.get_by_text("Intake prosecutor").first).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    screenshot("03-home-intake")
    assert AuditRecord.objects.filter(action="accounts.sign_in", actor=user.email,
                                      outcome="success").count() == 1
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    page.goto(base_url(live_server) + "/home/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert csp_violations == []


def test_a_wrong_code_is_refused(page: Page, live_server: Any, screenshot: Shot) -> None:
    user = make_user(Role.SUPERVISOR)
    submit_password(page, live_server, user.email, "plum-kettle-harbour-42")
    good = current_code(device_of(user))
    submit_code(page, f"{(int(good) + 500_000) % 1_000_000:06d}")
    expect(page.get_by_text("That code is not right")).to_be_visible()
    screenshot("04-wrong-code")
    page.goto(base_url(live_server) + "/home/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    failure = AuditRecord.objects.get(action="accounts.sign_in", actor=user.email)
    assert (failure.outcome, failure.details["step"]) == ("failure", "code")
    assert failure.source == "127.0.0.1"


def test_a_wrong_password_is_refused(page: Page, live_server: Any) -> None:
    user = make_user(Role.ANALYST)
    submit_password(page, live_server, user.email, "not-my-password-at-all")
    expect(page.get_by_role("alert")).to_contain_text("email address or password is not right")
    expect(page.get_by_label("6-digit code")).to_have_count(0)


def test_first_sign_in_enrols_with_a_qr_code(page: Page, live_server: Any,
                                             screenshot: Shot) -> None:
    user = make_user(Role.ADVOCATE, confirmed_device=False)
    submit_password(page, live_server, user.email, "plum-kettle-harbour-42")
    expect(page.get_by_role("heading", name="Set up your authenticator app")).to_be_visible()
    qr = page.get_by_role("img", name="QR code")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box is not None and box["width"] > 150  # drawn, not a broken image
    assert qr.evaluate("img => img.naturalWidth") > 0
    screenshot("05-enrol")
    submit_code(page, fresh_code(user))
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert device_of(user).confirmed


def test_session_expires_after_the_idle_limit(page: Page, live_server: Any, settings: Any,
                                              screenshot: Shot) -> None:
    settings.SESSION_COOKIE_AGE = 4  # the production limit is 30 minutes (SJ_SESSION_IDLE_SECONDS)
    user = make_user(Role.TRAFFICKING_ADA)
    signed_in_page(page, live_server, user)
    page.goto(base_url(live_server) + "/home/")  # activity keeps it alive
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    time.sleep(5)
    page.goto(base_url(live_server) + "/home/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_text("You were signed out after 4 seconds without activity")).to_be_visible()
    screenshot("06-session-expired")


def test_five_failures_lock_the_account(page: Page, live_server: Any, screenshot: Shot) -> None:
    user = make_user(Role.PANEL_MEMBER)
    for i in range(5):
        submit_password(page, live_server, user.email, f"wrong-password-{i}")
    expect(page.get_by_role("heading", name="This account is locked")).to_be_visible()
    screenshot("07-locked")
    submit_password(page, live_server, user.email, "plum-kettle-harbour-42")
    expect(page.get_by_role("heading", name="This account is locked")).to_be_visible()
