"""Lapsed training in Chromium: a supervisor tries to give a panel seat to an account whose policy
course lapsed and to assign a survivor to a prosecutor whose policy course lapsed, reads the
reason at the form field, records the renewed course on the Training page, and both then work.

The lapse dates are written here by hand; screenshots: test-artifacts/screenshots/lapsed-*.png.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from tests.browser.helpers import base_url, signed_in_page
from tests.factories import make_user
from tests.survivors.factories import make_survivor

from survivors_justice.accounts.models import User
from survivors_justice.review.models import PanelMember
from survivors_justice.survivors.models import Survivor
from survivors_justice.training.models import TrainingRecord

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
Shot = Callable[..., Path]
POLICY = "The office's prostitution and trafficking policy"


def _lapsed(role: str, courses: tuple[str, ...], lapsed_on: date) -> User:
    user = make_user(role, trained=False)
    today = timezone.localdate()
    for course in courses:
        completed, expires = (
            (lapsed_on - timedelta(days=365), lapsed_on) if course == "policy"
            else (today - timedelta(days=10), today + timedelta(days=355)))
        TrainingRecord.objects.create(user=user, course=course, completed_on=completed,
                                      expires_on=expires, recorded_by=user,
                                      recorded_at=timezone.now())
    return user


def _renew_policy(page: Page, root: str, user: User) -> None:
    page.goto(root + "/training/")
    page.get_by_label("Member of staff").select_option(str(user.pk))
    page.get_by_label("Course").select_option("policy")
    page.get_by_role("button", name="Record training").click()
    expect(page.get_by_text(f"Training recorded for {user.email}.")).to_be_visible()


def test_supervisor_is_refused_lapsed_staff_then_renews_their_training(
    page: Page, live_server: Any, screenshot: Shot
) -> None:
    today = timezone.localdate()
    seat_lapsed_on = today - timedelta(days=3)
    work_lapsed_on = today - timedelta(days=40)
    member = _lapsed("panel_member",
                     ("trauma_informed", "policy", "screening_instrument", "confidentiality"),
                     seat_lapsed_on)
    prosecutor = _lapsed("trafficking_ada", ("trauma_informed", "policy", "confidentiality"),
                         work_lapsed_on)
    survivor = make_survivor()
    supervisor = make_user("supervisor")
    root = base_url(live_server)
    signed_in_page(page, live_server, supervisor)

    # a prosecutor's panel seat for an account whose policy course lapsed three days ago
    page.goto(root + "/panel/coordinate/members/new/")
    page.get_by_label("Account (role: review panel member)").select_option(str(member.pk))
    page.locator("label", has_text="Prosecutor (does not vote)").click()
    page.get_by_label("Term starts").fill(today.isoformat())
    page.get_by_label("Term ends").fill((today + timedelta(days=300)).isoformat())
    page.get_by_label("Panel training current until").fill(
        (today + timedelta(days=300)).isoformat())
    page.get_by_role("button", name="Record the seat").click()
    seat_error = page.locator(".usa-form-group--error", has=page.locator("#id_user"))
    expect(seat_error).to_contain_text(f"{POLICY} (lapsed {seat_lapsed_on.isoformat()})")
    expect(seat_error).to_contain_text("records renewed training on the Training page")
    screenshot("lapsed-01-seat-refused", page)
    assert not PanelMember.objects.filter(user=member).exists()

    # a survivor assigned to a prosecutor whose policy course lapsed forty days ago
    page.goto(root + "/survivors/assign/")
    page.get_by_label("Survivor record number").fill(str(survivor.pk))
    page.get_by_label("Staff member's email address").fill(prosecutor.email)
    page.get_by_role("button", name="Assign").click()
    work_error = page.locator(".usa-form-group--error", has=page.locator("#id_to"))
    expect(work_error).to_contain_text("Cannot be given work with survivors")
    expect(work_error).to_contain_text(f"{POLICY} (lapsed {work_lapsed_on.isoformat()})")
    screenshot("lapsed-02-assignment-refused", page)
    assert Survivor.objects.get(pk=survivor.pk).advocate_id != prosecutor.pk

    # the renewed courses are recorded on the Training page, then both go through
    _renew_policy(page, root, member)
    _renew_policy(page, root, prosecutor)

    page.goto(root + "/panel/coordinate/members/new/")
    page.get_by_label("Account (role: review panel member)").select_option(str(member.pk))
    page.locator("label", has_text="Prosecutor (does not vote)").click()
    page.get_by_label("Term starts").fill(today.isoformat())
    page.get_by_label("Term ends").fill((today + timedelta(days=300)).isoformat())
    page.get_by_role("button", name="Record the seat").click()
    expect(page.get_by_text("The seat is recorded.")).to_be_visible()
    assert PanelMember.objects.get(user=member).seat == "prosecutor"

    page.goto(root + "/survivors/assign/")
    page.get_by_label("Survivor record number").fill(str(survivor.pk))
    page.get_by_label("Staff member's email address").fill(prosecutor.email)
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_text(f"Survivor record {survivor.pk} is now {prosecutor.email}'s."))\
        .to_be_visible()
    screenshot("lapsed-03-assigned", page)
    assert Survivor.objects.get(pk=survivor.pk).advocate_id == prosecutor.pk
