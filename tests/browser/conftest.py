"""Browser-test fixtures: screenshots, axe-core, CSP-violation watch, and an audit-chain check."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "test-artifacts" / "screenshots"
AXE_JS = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


@pytest.fixture
def screenshot(page: Page) -> Callable[[str], Path]:
    """Save a full-page screenshot under test-artifacts/screenshots/<name>.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(name: str, target: Page | None = None) -> Path:
        path = ARTIFACTS / f"{name}.png"
        (target or page).screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def csp_violations(page: Page) -> list[str]:
    """Console errors the page logs for Content-Security-Policy refusals (should stay empty)."""
    seen: list[str] = []

    def watch(message: ConsoleMessage) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            seen.append(message.text)

    page.on("console", watch)
    return seen


@pytest.fixture
def axe_page(browser: Browser) -> Iterator[Page]:
    """A page whose context bypasses CSP, only so axe-core can be injected as a script tag."""
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing; run `make vendor` (npm ci) first")
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    yield page
    context.close()


def serious_violations(page: Page) -> list[dict[str, Any]]:
    """Run axe-core on the page; return the serious and critical violations."""
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        AXE_TAGS,
    )
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"],
         "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture(autouse=True)
def _audit_chain_still_verifies(request: pytest.FixtureRequest) -> Iterator[None]:
    """After every browser test, the audit chain written by the pages still verifies."""
    yield
    if "live_server" not in request.fixturenames:
        return
    from survivors_justice.audit.services import verify

    result = verify()
    assert result.ok, result.as_dict()
