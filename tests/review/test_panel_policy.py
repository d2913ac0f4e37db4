"""The policy reads the panel's determination: the case is screened again, its recommendation
changes as the policy document says, and a prosecutor who departs from it needs a supervisor.

The case: a real December 2017 arrest for promoting prostitution in the fourth degree
(PL 230.20, a promoter's charge), where the people charged sold sex together. Before the panel,
the policy's rule ``sold-together-charged-with-promoting`` sends it to the panel. The expected
outcomes below are read from ``survivors-justice.yaml`` by hand:

* involuntary, whatever the panel recommends: ``panel-found-involuntary`` declines the charge,
  and the follow-ups ``advocate-after-panel`` and ``lead-after-panel`` open;
* voluntary with "decline" or "divert": ``panel-found-voluntary-declined`` declines it;
* voluntary with "prosecute": ``panel-found-voluntary-prosecuted`` prosecutes it;
* cannot tell (or voluntary with "more_facts"): ``panel-undecided`` keeps it with the panel.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from tests.cases.factories import make_case
from tests.factories import make_user, sign_in
from tests.review.factories import PROMOTING, open_session

from survivors_justice.accounts import tokens
from survivors_justice.accounts.models import User
from survivors_justice.accounts.roles import Role
from survivors_justice.cases.decisions import accept_recommendation
from survivors_justice.cases.facts import record_facts
from survivors_justice.cases.flows import CaseState
from survivors_justice.cases.models import (
    Case,
    ChargingDecision,
    DecisionKind,
    DecisionStatus,
    FollowUpTask,
)
from survivors_justice.cases.recommendations import recommend
from survivors_justice.permissions import visible_cases
from survivors_justice.policy import load_policy
from survivors_justice.review import services
from survivors_justice.review.models import PanelMember

pytestmark = pytest.mark.django_db
REASON = "The complaint shows she recruited two teenagers and kept their earnings herself."


def panel_bound_case(index: int = 0) -> tuple[Case, User]:
    """A promoting case in intake; the sold-together fact sends it to the panel, and the intake
    prosecutor accepts that."""
    case = make_case(PROMOTING, index=index)
    intake = make_user(Role.INTAKE_ADA)
    record_facts(
        actor=intake, case=case, answers={"co_defendants_sold_together": True}, source="interview"
    )
    rec = recommend(Case.objects.get(pk=case.pk))
    assert [(c.outcome, c.rule) for c in rec.charges] == [
        ("panel_review", "sold-together-charged-with-promoting")
    ]
    accept_recommendation(actor=intake, case_id=case.pk)
    case.refresh_from_db()
    assert case.state == CaseState.PANEL_REVIEW
    return case, intake


def determine(case: Case, findings: list[str], outcomes: list[str]) -> tuple[User, Case]:
    session, coordinator, members = open_session(cases=[case])
    entry = session.docket.get()
    member: PanelMember
    for member, finding, outcome in zip(members, findings, outcomes, strict=True):
        services.record_position(
            actor=member.user, entry=entry, finding=finding, recommended_outcome=outcome,
            reasons=["coercion"] if finding == "involuntary" else ["worked_together"],
        )  # fmt: skip
    services.record_determination(actor=coordinator, entry=entry)
    return coordinator, Case.objects.get(pk=case.pk)


def _charges(case: Case) -> list[tuple[str, str]]:
    """The case's charge outcomes evaluated now; the queue's stored copy must say the same."""
    rec = recommend(case)
    row = Case.objects.get(pk=case.pk)
    assert row.recommended_priority == rec.case_priority
    assert set(row.recommended_with.values_list("outcome", flat=True)) == {
        c.outcome for c in rec.charges
    }
    # and the trafficking queue's stored flag: is the case one a trafficking prosecutor may open?
    reader = make_user(Role.TRAFFICKING_ADA)
    assert row.trafficking_queue == visible_cases(reader).filter(pk=case.pk).exists()
    return [(c.outcome, c.rule) for c in rec.charges]


def test_an_involuntary_finding_declines_the_charge_and_opens_the_follow_ups() -> None:
    case, _ = panel_bound_case()
    sent = ChargingDecision.objects.get(case=case)
    # 2 involuntary, 1 voluntary; the recommendation most given is "prosecute" (2 of 3): an
    # involuntary finding declines the charge whatever the panel recommends
    _, case = determine(
        case, ["involuntary", "involuntary", "voluntary"], ["prosecute", "prosecute", "decline"]
    )
    assert _charges(case) == [("decline", "panel-found-involuntary")]
    assert recommend(case).policy_version == "2026.3"
    assert case.state == CaseState.INTAKE
    sent.refresh_from_db()
    assert sent.status == DecisionStatus.REOPENED and "review panel" in sent.reopen_reason
    opened = {(t.kind, t.rule, t.owner_role) for t in FollowUpTask.objects.filter(case=case)}
    assert ("refer_to_advocate", "advocate-after-panel", "advocate") in opened
    assert ("open_trafficking_lead", "lead-after-panel", "trafficking_ada") in opened


@pytest.mark.parametrize(
    ("outcome", "expected"),
    [
        ("decline", ("decline", "panel-found-voluntary-declined")),
        ("divert", ("decline", "panel-found-voluntary-declined")),
        ("prosecute", ("prosecute", "panel-found-voluntary-prosecuted")),
    ],
)
def test_a_voluntary_finding_returns_the_case_to_intake_with_the_panels_outcome(
    outcome: str, expected: tuple[str, str]
) -> None:
    case, _ = panel_bound_case()
    _, case = determine(case, ["voluntary"] * 3, [outcome] * 3)
    assert _charges(case) == [expected]
    assert case.state == CaseState.INTAKE
    assert not FollowUpTask.objects.filter(case=case, rule__endswith="after-panel").exists()


@pytest.mark.parametrize(
    ("findings", "outcomes"),
    [
        (["cannot_tell", "cannot_tell", "voluntary"], ["decline", "decline", "decline"]),
        (["voluntary"] * 3, ["more_facts"] * 3),
    ],
)
def test_cannot_tell_or_more_facts_keeps_the_case_with_the_panel(
    findings: list[str], outcomes: list[str]
) -> None:
    case, _ = panel_bound_case()
    _, case = determine(case, findings, outcomes)
    assert _charges(case) == [("panel_review", "panel-undecided")]
    assert case.state == CaseState.PANEL_REVIEW
    assert ChargingDecision.objects.get(case=case).status == DecisionStatus.FINAL


def _override_form() -> dict[str, str]:
    return {
        "policy_version": load_policy().version,
        "outcome_1": "prosecute",
        "reason_category": "facts_not_in_policy",
        "reason_text": REASON,
    }


def test_a_departure_from_the_determination_in_the_pages_waits_for_a_supervisor() -> None:
    case, intake = panel_bound_case()
    _, case = determine(case, ["involuntary"] * 3, ["decline"] * 3)
    assert _charges(case) == [("decline", "panel-found-involuntary")]
    ada = sign_in(Client(), intake)
    page = ada.get(f"/cases/{case.pk}/").content.decode()
    assert 'id="accept"' in page
    # the prosecutor departs: prosecute the charge the panel's finding declines
    response = ada.post(f"/cases/{case.pk}/override/", _override_form())
    assert response.status_code in (200, 302), response.content[:500]
    case.refresh_from_db()
    assert case.state == CaseState.OVERRIDE_PENDING
    departure = ChargingDecision.objects.get(case=case, kind=DecisionKind.OVERRIDE)
    assert departure.status == DecisionStatus.PENDING
    assert departure.outcomes == {"1": "prosecute"}
    # nothing of it is in force: the case is not prosecuted, and the prosecutor cannot approve it
    assert (
        ada.post(f"/cases/overrides/{departure.pk}/review/", {"decision": "approve"}).status_code
        == 403
    )
    supervisor = sign_in(Client(), make_user(Role.SUPERVISOR))
    compliance = supervisor.get("/cases/compliance/").content.decode()
    assert case.number in compliance
    assert "Departs from the review panel's determination (involuntary)" in compliance
    assert REASON in compliance
    approved = supervisor.post(
        f"/cases/overrides/{departure.pk}/review/", {"decision": "approve"}, follow=True
    )
    assert approved.status_code == 200
    case.refresh_from_db()
    departure.refresh_from_db()
    assert case.state == CaseState.PROSECUTING
    assert departure.status == DecisionStatus.APPROVED


def _bearer(role: str) -> dict[str, Any]:
    owner = make_user(role)
    _, secret = tokens.create_api_token(
        actor="test", name=f"panel-{owner.pk}", role=role, owner_email=owner.email
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_a_departure_from_the_determination_through_the_api_waits_for_a_supervisor() -> None:
    case, _ = panel_bound_case()
    _, case = determine(case, ["voluntary"] * 3, ["decline"] * 3)
    assert _charges(case) == [("decline", "panel-found-voluntary-declined")]
    ada = _bearer(Role.INTAKE_ADA)
    detail = Client().get(f"/api/cases/{case.pk}", **ada).json()
    charge = detail["recommendation"]["charges"][0]
    assert (charge["outcome"], charge["rule"]) == ("decline", "panel-found-voluntary-declined")
    body = {
        "action": "override",
        "policy_version": load_policy().version,
        "outcomes": {"1": "prosecute"},
        "reason_category": "facts_not_in_policy",
        "reason_text": REASON,
    }
    response = Client().post(
        f"/api/cases/{case.pk}/decision", json.dumps(body),
        content_type="application/json", **ada,
    )  # fmt: skip
    assert response.status_code == 201, response.content
    assert (response.json()["status"], response.json()["case_state"]) == (
        "pending", "override_pending",
    )  # fmt: skip
    # a departure without a written reason is refused and changes nothing
    case2, _ = panel_bound_case(index=1)
    _, case2 = determine(case2, ["voluntary"] * 3, ["decline"] * 3)
    short = Client().post(
        f"/api/cases/{case2.pk}/decision", json.dumps({**body, "reason_text": "no"}),
        content_type="application/json", **ada,
    )  # fmt: skip
    assert short.status_code in (409, 422) and "reason" in short.content.decode()
    assert Case.objects.get(pk=case2.pk).state == CaseState.INTAKE
    refused = Client().post(
        f"/api/overrides/{response.json()['id']}/review",
        json.dumps({"approve": False, "note": "The panel heard the whole record; follow it."}),
        content_type="application/json", **_bearer(Role.SUPERVISOR),
    )  # fmt: skip
    assert refused.status_code == 200 and refused.json()["case_state"] == "declined"
