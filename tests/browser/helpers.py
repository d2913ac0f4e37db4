"""Playwright helpers: sign in through the real pages (password, then the current TOTP code)."""

from __future__ import annotations

import time
from typing import Any

from playwright.sync_api import Page, expect
from tests.factories import DEFAULT_PASSWORD, device_of

from survivors_justice.accounts.models import User
from survivors_justice.accounts.otp import current_code

SIGN_IN_PATH = "/accounts/sign-in/"


def base_url(live_server: Any) -> str:
    return str(live_server.url).rstrip("/")


def fresh_code(user: User) -> str:
    """A code the device has not accepted yet (TOTP refuses a code used twice in one 30 s step)."""
    device = device_of(user)
    while int((time.time() - device.t0) // device.step) <= device.last_t:
        time.sleep(0.5)
    return current_code(device)


def submit_password(page: Page, live_server: Any, email: str, password: str) -> None:
    page.goto(base_url(live_server) + SIGN_IN_PATH)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Continue").click()


def submit_code(page: Page, code: str) -> None:
    page.get_by_label("6-digit code").fill(code)
    page.get_by_role("button", name="Sign in").click()


def signed_in_page(
    page: Page, live_server: Any, user: User, password: str = DEFAULT_PASSWORD
) -> Page:
    """Sign ``user`` in through the sign-in pages with password and current TOTP code."""
    submit_password(page, live_server, user.email, password)
    expect(page.get_by_label("6-digit code")).to_be_visible()
    submit_code(page, fresh_code(user))
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    return page
