"""The API's OpenAPI page in Chromium: served from the app's own static files (no CDN, nothing
downloaded), within the Content-Security-Policy, listing the intake endpoints."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, Request, expect
from tests.browser.helpers import base_url, signed_in_page
from tests.factories import make_user

from survivors_justice.accounts.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_openapi_page_renders_from_local_files(
    page: Page, live_server: Any, screenshot: Callable[..., Path], csp_violations: list[str]
) -> None:
    outside: list[str] = []

    def watch(request: Request) -> None:
        if not request.url.startswith((base_url(live_server), "data:")):
            outside.append(request.url)

    page.on("request", watch)
    signed_in_page(page, live_server, make_user(Role.INTAKE_ADA))
    page.goto(base_url(live_server) + "/api/docs")
    expect(page.get_by_text("/api/cases/{case_id}/decision")).to_be_visible(timeout=15000)
    expect(page.get_by_text("/api/policy/evaluate")).to_be_visible()
    screenshot("intake-09-api-docs", page)
    assert outside == []
    assert [v for v in csp_violations if "script" in v] == []
