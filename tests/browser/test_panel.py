"""The review panel in Chromium: a session end to end with three members in three browser
contexts, and the advocate's screening pages checked with axe-core in two languages.

The case is a real December 2017 arrest for promoting prostitution (PL 230.20) where the people
charged sold sex together: the policy's rule ``sold-together-charged-with-promoting`` sends it to
the panel. Two members find the person's sex work involuntary and one voluntary, so (by hand,
from survivors-justice.yaml) the rule ``panel-found-involuntary`` declines the charge and the
case returns to intake. Screenshots: test-artifacts/screenshots/panel-*.png.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect
from tests.browser.conftest import AXE_JS, serious_violations
from tests.browser.helpers import base_url, signed_in_page
from tests.cases.factories import BUYING, make_case
from tests.factories import make_user
from tests.review.factories import PROMOTING

from survivors_justice.accounts.models import User
from survivors_justice.accounts.roles import Role
from survivors_justice.cases import followups
from survivors_justice.cases.decisions import accept_recommendation
from survivors_justice.cases.facts import record_facts
from survivors_justice.cases.flows import CaseState
from survivors_justice.cases.models import Case, FollowUpKind, FollowUpTask
from survivors_justice.cases.recommendations import recommend
from survivors_justice.review import services
from survivors_justice.review.models import Determination, Position, SeatKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
Shot = Callable[..., Path]


def _context(browser: Browser) -> BrowserContext:
    # CSP is bypassed only so axe-core can be injected as a script tag
    return browser.new_context(bypass_csp=True)


def _panel_case() -> Case:
    case = make_case(PROMOTING)
    intake = make_user(Role.INTAKE_ADA)
    record_facts(
        actor=intake, case=case, answers={"co_defendants_sold_together": True}, source="interview"
    )
    accept_recommendation(actor=intake, case_id=case.pk)
    case.refresh_from_db()
    assert case.state == CaseState.PANEL_REVIEW
    return case


def _members(coordinator: User) -> list[User]:
    today = timezone.localdate()
    users = []
    for seat in (SeatKind.LIVED_EXPERIENCE, SeatKind.ADVOCATE, SeatKind.EXPERT):
        user = make_user(Role.PANEL_MEMBER)
        services.enrol_member(
            actor=coordinator, user=user, seat=seat, term_start=today - timedelta(days=10),
            term_end=today + timedelta(days=300),
            training_current_until=today + timedelta(days=60),
        )  # fmt: skip
        users.append(user)
    return users


def test_a_session_end_to_end_with_three_members(
    browser: Browser, live_server: Any, screenshot: Shot
) -> None:
    case = _panel_case()
    coordinator = make_user(Role.SUPERVISOR)
    members = _members(coordinator)
    root = base_url(live_server)
    contexts = [_context(browser) for _ in range(4)]
    try:
        boss = signed_in_page(contexts[0].new_page(), live_server, coordinator)
        pages = [
            signed_in_page(ctx.new_page(), live_server, user)
            for ctx, user in zip(contexts[1:], members, strict=True)
        ]

        # each member signs the confidentiality acknowledgment before any access
        for i, page in enumerate(pages):
            page.goto(root + "/panel/")
            expect(page.get_by_role("heading", name="Before you read any case")).to_be_visible()
            page.locator("label[for='id_agree']").click()
            page.get_by_role("button", name="Sign the confidentiality acknowledgment").click()
            expect(page.get_by_text("You have signed the confidentiality")).to_be_visible()
            if i == 0:
                assert serious_violations(page) == []

        # the coordinator schedules the session with the three members and the case
        boss.goto(root + "/panel/coordinate/")
        boss.get_by_role("link", name="Schedule a session").click()
        when = timezone.localtime() + timedelta(minutes=5)
        boss.get_by_label("Date and time").fill(when.strftime("%Y-%m-%dT%H:%M"))
        for user in members:
            boss.locator("label", has_text=user.email).click()
        boss.locator("label", has_text=case.number).click()
        assert serious_violations(boss) == []
        boss.get_by_role("button", name="Schedule").click()
        expect(boss.get_by_text("The session is scheduled")).to_be_visible()
        boss.get_by_role("button", name="Confirm the redacted narrative").click()
        expect(boss.get_by_text("Item 1: the redacted narrative is confirmed.")).to_be_visible()
        boss.get_by_role("button", name="Open the session").click()
        expect(boss.get_by_text("The session is open.")).to_be_visible()
        for user in members:
            boss.locator("label", has_text=user.email).click()
        boss.get_by_role("button", name="Record attendance").click()
        expect(boss.get_by_text("Attendance is recorded.")).to_be_visible()
        assert serious_violations(boss) == []
        screenshot("panel-00-docket", boss)

        # each member reads the packet (de-identified) and records a position
        coercion = "Signs of force, threats, fraud or control"
        findings = [
            ("Involuntary", "Decline the charge", coercion),
            ("Involuntary", "Offer voluntary services and decline", coercion),
            ("Voluntary", "Prosecute", "The person exploited others"),
        ]
        for i, (page, (finding, outcome, reason)) in enumerate(zip(pages, findings, strict=True)):
            page.goto(root + "/panel/")
            page.get_by_role("link", name="Open the docket").click()
            page.get_by_role("link", name="Read the packet").click()
            expect(
                page.get_by_role("heading", name="Charges and what the policy says")
            ).to_be_visible()
            body = page.content()
            assert case.number not in body and case.arrest.arrest_key not in body
            assert case.defendant.family_name not in body
            page.locator("label", has_text=finding).first.click()
            page.locator("label", has_text=outcome).click()
            page.locator("label", has_text=reason).click()
            if i == 0:
                assert serious_violations(page) == []
                screenshot("panel-01-packet", page)
            page.get_by_role("button", name="Record my position").click()
            expect(page.get_by_text("Your position is recorded.")).to_be_visible()
        assert Position.objects.filter(entry__case=case).count() == 3

        # the coordinator records the determination: the vote count, never who voted which way
        boss.reload()
        boss.get_by_role("button", name="Record the panel's determination").click()
        expect(
            boss.get_by_text(
                "Item 1: determined involuntary (2 involuntary, 1 voluntary, 0 cannot tell). "
                "The case was screened again."
            )
        ).to_be_visible()
        boss.goto(root + f"/cases/{case.pk}/")
        expect(
            boss.get_by_text("Votes: 2 involuntary, 1 voluntary, 0 cannot tell.")
        ).to_be_visible()
        page_text = boss.content()
        for user in members:
            assert user.email not in page_text
        screenshot("panel-02-case", boss)

        # a member whose case is determined can no longer change the position
        pages[2].goto(root + "/panel/")
        pages[2].get_by_role("link", name="Open the docket").click()
        expect(pages[2].get_by_text("The panel has determined this case.")).to_be_visible()
        expect(pages[2].get_by_role("link", name="Read the packet")).to_have_count(0)
    finally:
        for ctx in contexts:
            ctx.close()

    determination = Determination.objects.get(entry__case=case)
    assert (determination.votes_involuntary, determination.votes_voluntary) == (2, 1)
    case.refresh_from_db()
    assert case.state == CaseState.INTAKE
    assert [(c.outcome, c.rule) for c in recommend(case).charges] == [
        ("decline", "panel-found-involuntary")
    ]


@pytest.mark.parametrize("language", ["es", "zh-Hans"])
def test_the_instrument_pages_pass_axe_in_two_languages(
    browser: Browser, live_server: Any, screenshot: Shot, language: str
) -> None:
    assert AXE_JS.exists()
    case = make_case(BUYING)
    task = FollowUpTask.objects.create(
        case=case, kind=FollowUpKind.REFER_TO_ADVOCATE, owner_role="advocate",
        due_date=timezone.localdate() + timedelta(days=2), rule="advocate-for-victim",
        reason="Signs that someone was exploited.", created_at=timezone.now(),
    )  # fmt: skip
    advocate = make_user(Role.ADVOCATE)
    followups.take(actor=advocate, task_id=task.pk)
    ctx = _context(browser)
    try:
        page: Page = signed_in_page(ctx.new_page(), live_server, advocate)
        page.set_viewport_size({"width": 820, "height": 1180})  # a tablet
        page.goto(base_url(live_server) + f"/screenings/cases/{case.pk}/start/?lang={language}")
        expect(page.locator(f"blockquote[lang='{language}']")).to_be_visible()
        expect(page.get_by_text("draft translation, not yet reviewed").first).to_be_visible()
        assert serious_violations(page) == []
        screenshot(f"panel-instrument-start-{language}", page)
        page.locator("label[for='consent-yes']").click()
        page.locator("label[for='method-verbal']").click()
        page.get_by_role("button", name="Start").click()
        expect(page.get_by_text("Question 1 of")).to_be_visible()
        expect(page.locator(f"legend[lang='{language}']")).to_be_visible()
        assert serious_violations(page) == []
        page.get_by_label("Age").fill("24")
        page.get_by_role("button", name="Save the age").click()
        expect(page.get_by_text("Question 2 of")).to_be_visible()
        assert serious_violations(page) == []
        screenshot(f"panel-instrument-question-{language}", page)
    finally:
        ctx.close()
