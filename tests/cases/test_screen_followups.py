"""Bulk screening (`sj screen --db`) opens the policy's follow-ups for the cases it screens, as a
screening from the case page does: a minor who sold sex gets a referral to a victim advocate and a
trafficking lead; a decided case gets none; a second run opens nothing twice."""

from __future__ import annotations

import pytest
from tests.cases.factories import SELLING, december_rows, make_case

from survivors_justice.audit.models import AuditRecord
from survivors_justice.cases.flows import CaseState
from survivors_justice.cases.models import FollowUpTask
from survivors_justice.screening.services import screen_cases

pytestmark = pytest.mark.django_db


def _minor_seller_index() -> int:
    rows = [r for r in december_rows() if r["LAW_CODE"] == SELLING]
    return next(i for i, r in enumerate(rows) if r["AGE_GROUP"] == "<18")


def test_bulk_screening_opens_the_follow_ups_once_for_cases_in_intake() -> None:
    minor = make_case(SELLING, index=_minor_seller_index())
    decided = make_case(SELLING, index=_minor_seller_index(), state=CaseState.DECLINED)
    run = screen_cases(actor="cli:test", source="cli")
    assert run.cases == 2
    tasks = FollowUpTask.objects.filter(case=minor)
    assert {(t.kind, t.owner_role) for t in tasks} == {
        ("refer_to_advocate", "advocate"),
        ("open_trafficking_lead", "trafficking_ada"),
    }
    assert all(t.state == "open" for t in tasks)
    assert not FollowUpTask.objects.filter(case=decided).exists()
    assert run.followups_opened == 2
    opened = AuditRecord.objects.filter(action="case.followup.open")
    assert opened.count() == 2 and {r.actor for r in opened} == {"cli:test"}
    again = screen_cases(actor="cli:test", source="cli")
    assert again.followups_opened == 0
    assert FollowUpTask.objects.filter(case=minor).count() == 2
