"""Looking at a decided case again after a catalog correction, in Chromium.

Real December 2017 article-230 arrests; an intake prosecutor accepted the recommendation for a
buyer case; a corrected catalog read 230.04 as selling and ``sj import resolve`` flagged the case.
The prosecutor follows "Rechecks" in the navigation, opens the case, reads what changed, marks it
reviewed with a note; axe-core finds no serious or critical violation on the list or the case
page. Screenshots: test-artifacts/screenshots/recheck-*.png.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from tests.arrests.helpers import run_import
from tests.browser.conftest import serious_violations
from tests.browser.helpers import base_url, signed_in_page
from tests.cases.recheck_world import flag_a_decided_case
from tests.factories import make_user

from survivors_justice.accounts.roles import Role
from survivors_justice.arrests.importer import ImportSummary
from survivors_justice.audit.models import AuditRecord
from survivors_justice.cases.models import CaseRecheck
from survivors_justice.cases.recommendations import OUTCOME_LABELS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
__all__ = ["run_import"]  # the fixture, shared with tests/arrests

Shot = Callable[..., Path]
NOTE = "Read the arrest report again: he paid; the decision stands."


def test_intake_prosecutor_marks_a_recheck_reviewed(
    axe_page: Page,
    live_server: Any,
    screenshot: Shot,
    tmp_path: Path,
    run_import: Callable[..., ImportSummary],
) -> None:
    user = make_user(Role.INTAKE_ADA)
    case, recheck = flag_a_decided_case(tmp_path, run_import, user)
    page = signed_in_page(axe_page, live_server, user)

    page.goto(base_url(live_server) + "/home/")
    page.get_by_role("link", name="Rechecks", exact=True).click()
    expect(page.get_by_role("heading", name="Cases to look at again")).to_be_visible()
    item = page.locator(f"#recheck-{recheck.pk}")
    expect(item).to_contain_text(OUTCOME_LABELS[recheck.recommended_priority])
    assert serious_violations(page) == []
    screenshot("recheck-01-list", page)

    item.get_by_role("link", name=case.number).click()
    expect(page.get_by_role("heading", name="Look at this case again")).to_be_visible()
    box = page.locator(f"#recheck-{recheck.pk}")
    expect(box).to_contain_text(f"the policy recommended {OUTCOME_LABELS['prosecute']}")
    expect(box).to_contain_text(recheck.catalog.digest[:12])
    assert serious_violations(page) == []
    screenshot("recheck-02-case", page)

    box.get_by_label("What you looked at or did").fill(NOTE)
    box.get_by_role("button", name="Mark reviewed").click()
    expect(page.get_by_role("heading", name="Cases to look at again")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text(f"Case {case.number}")
    expect(page.locator(f"#recheck-{recheck.pk}")).to_have_count(0)
    expect(page.get_by_text("No decided case waits to be looked at again.")).to_be_visible()
    assert serious_violations(page) == []
    screenshot("recheck-03-reviewed", page)

    recheck = CaseRecheck.objects.get(pk=recheck.pk)
    assert (recheck.reviewed_by, recheck.review_note) == (user, NOTE)
    assert AuditRecord.objects.filter(
        action="case.recheck.review", object_id=str(case.pk), actor=user.email
    ).exists()
