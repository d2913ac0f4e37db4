"""The main pages in Chromium: no serious or critical axe-core violations, no CSP refusals, and a
screenshot of each under test-artifacts/screenshots/ (looked at by a person)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from axes.models import AccessAttempt
from playwright.sync_api import Page, expect
from tests.browser.conftest import serious_violations
from tests.browser.helpers import base_url, signed_in_page, submit_password
from tests.factories import make_user

from survivors_justice.accounts.roles import Role
from survivors_justice.audit.services import record_event

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Shot = Callable[..., Path]

SIGNED_OUT_PAGES = {"status": "/", "sign-in": "/accounts/sign-in/"}
PAGES_BY_ROLE = {
    Role.ADMIN: {"home-admin": "/home/", "audit-log": "/audit/", "accounts": "/accounts/users/",
                 "not-found": "/no-such-page/"},
    Role.INTAKE_ADA: {"intake-queue": "/cases/intake/", "forbidden": "/audit/"},
    Role.SUPERVISOR: {"home-supervisor": "/home/", "override-queue": "/cases/overrides/",
                      "compliance": "/cases/compliance/"},
}


def check(page: Page, name: str, screenshot: Shot) -> None:
    screenshot(f"page-{name}", page)
    problems = serious_violations(page)
    assert problems == [], f"{name}: {problems}"


def test_signed_out_pages(axe_page: Page, live_server: Any, screenshot: Shot) -> None:
    for name, path in SIGNED_OUT_PAGES.items():
        axe_page.goto(base_url(live_server) + path)
        check(axe_page, name, screenshot)
    user = make_user(Role.ADVOCATE, confirmed_device=False)
    submit_password(axe_page, live_server, user.email, "plum-kettle-harbour-42")
    expect(axe_page.get_by_role("heading", name="Set up your authenticator app")).to_be_visible()
    check(axe_page, "enrol", screenshot)
    locked = make_user(Role.ANALYST)
    for i in range(5):
        submit_password(axe_page, live_server, locked.email, f"wrong-{i}-password")
    check(axe_page, "locked", screenshot)
    verify_user = make_user(Role.ANALYST)
    submit_password(axe_page, live_server, verify_user.email, "wrong-password-once")
    check(axe_page, "sign-in-error", screenshot)
    submit_password(axe_page, live_server, verify_user.email, "plum-kettle-harbour-42")
    check(axe_page, "verify", screenshot)


@pytest.mark.parametrize("role", list(PAGES_BY_ROLE))
def test_signed_in_pages(role: Role, axe_page: Page, live_server: Any, screenshot: Shot) -> None:
    for i in range(3):
        record_event(actor=f"someone{i}@example.test", action="case.read", object_type="case",
                     object_id=str(i), source="10.1.2.3")
    if role is Role.ADMIN:  # a locked account, so the page shows its release button
        AccessAttempt.objects.create(
            username=make_user(Role.ANALYST).email, ip_address="198.51.100.4", user_agent="x",
            failures_since_start=5, get_data="", post_data="", http_accept="", path_info="/",
        )
    user = make_user(role)
    signed_in_page(axe_page, live_server, user)
    for name, path in PAGES_BY_ROLE[role].items():
        axe_page.goto(base_url(live_server) + path)
        check(axe_page, name, screenshot)


def test_main_pages_keep_to_the_content_security_policy(
    page: Page, live_server: Any, csp_violations: list[str]
) -> None:
    """Without the CSP bypass: no inline script or style is refused on the main pages."""
    user = make_user(Role.ADMIN)
    signed_in_page(page, live_server, user)
    for path in ("/home/", "/audit/", "/accounts/users/"):
        response = page.goto(base_url(live_server) + path)
        assert response is not None and response.ok
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    page.goto(base_url(live_server) + "/audit/")
    page.get_by_role("button", name="Check the whole log now").click()
    expect(page.get_by_text("The chain is intact")).to_be_visible()
    assert csp_violations == []


def test_keyboard_user_can_skip_to_content(page: Page, live_server: Any) -> None:
    page.goto(base_url(live_server) + "/accounts/sign-in/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    outline = skip.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline != "none"  # visible focus
    page.keyboard.press("Enter")
    expect(page.locator("#main-content")).to_be_focused()


def test_the_accessibility_check_does_find_violations(axe_page: Page) -> None:
    """The checker itself: a page with an unlabelled field and a nameless button fails it."""
    axe_page.set_content(
        "<html lang='en'><head><title>x</title></head><body><main><h1>Form</h1>"
        "<input type='text'><button></button></main></body></html>"
    )
    ids = {v["id"] for v in serious_violations(axe_page)}
    assert {"label", "button-name"} <= ids


@pytest.mark.parametrize("width", [1024, 1280, 1440])
def test_the_header_fits_the_role_with_the_most_links(
    width: int, page: Page, live_server: Any, screenshot: Shot
) -> None:
    """A supervisor has the most links: at every desktop width none is cut off or drawn over the
    product's name or the signed-in block, and the page does not scroll sideways."""
    user = make_user(Role.SUPERVISOR)
    page.set_viewport_size({"width": width, "height": 900})
    signed_in_page(page, live_server, user)
    page.goto(base_url(live_server) + "/cases/compliance/")
    screenshot(f"header-supervisor-{width}", page)
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    def box(selector: str) -> dict[str, float]:
        found = page.locator(selector).first.bounding_box()
        assert found is not None, selector
        return found

    def overlap(a: dict[str, float], b: dict[str, float]) -> bool:
        return not (a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
                    or a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"])

    logo, account = box(".usa-logo a"), box(".sj-account")
    links = page.locator(".usa-nav__primary > li > a")
    assert links.count() >= 12
    boxes = [links.nth(i).bounding_box() for i in range(links.count())]
    for i, link in enumerate(boxes):
        assert link is not None and link["x"] >= 0 and link["x"] + link["width"] <= width
        assert not overlap(link, logo) and not overlap(link, account), i
        assert all(other is not None and not overlap(link, other) for other in boxes[i + 1:]), i
    assert not overlap(logo, account)
