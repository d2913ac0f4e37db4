"""The intake services on real December 2017 arrests: decisions, overrides, audit, compliance."""

from __future__ import annotations

from typing import Any

import pytest
from tests.cases.factories import BUYING, SELLING, make_case
from tests.factories import make_user

from survivors_justice.audit.models import AuditRecord
from survivors_justice.audit.services import verify
from survivors_justice.cases import compliance, decisions, recommendations
from survivors_justice.cases.flows import CaseState
from survivors_justice.cases.models import Case, ChargingDecision, DecisionStatus
from survivors_justice.permissions import Action, NotAllowed, can, visible_cases
from survivors_justice.policy import load_policy

pytestmark = pytest.mark.django_db

TRAFFICKING = "PL 230345A"  # sex trafficking, 230.34(5)(a): a priority case
REASON = "The defendant was the one arranging the dates and taking the money."


@pytest.fixture
def intake() -> Any:
    return make_user("intake_ada")


@pytest.fixture
def supervisor() -> Any:
    return make_user("supervisor")


def _audit(case: Case, action: str) -> list[AuditRecord]:
    records = AuditRecord.objects.filter(object_type="case", object_id=str(case.pk), action=action)
    return list(records)


def test_recommendation_reads_the_arrest_and_leaves_the_unknown_unknown() -> None:
    case = make_case(BUYING)
    rec = recommendations.recommend(case)
    policy = load_policy()
    assert (rec.policy_id, rec.policy_version) == (policy.id, policy.version)
    assert [c.outcome for c in rec.charges] == ["prosecute"]
    assert rec.charges[0].role == "buyer" and rec.charges[0].citations
    # coercion indicators are not in an arrest record: they are missing, never taken as false
    assert "indicators.force" in rec.missing_facts
    assert recommendations.case_facts(case)["indicators"]["force"] is None


def test_accepting_a_seller_case_declines_it_with_the_policy_version(intake: Any) -> None:
    case = make_case(SELLING)
    decision = decisions.accept_recommendation(actor=intake, case_id=case.pk, source="127.0.0.1")
    case.refresh_from_db()
    assert case.state == CaseState.DECLINED
    assert decision.status == DecisionStatus.FINAL and decision.seller_case
    assert decision.policy_version == load_policy().version
    assert decision.outcomes == {"1": "decline"}
    assert decision.recommendation["charges"][0]["rule"]  # the explained decision is kept
    [record] = _audit(case, "case.decision.accept")
    assert record.actor == intake.email and record.source == "127.0.0.1"
    assert record.details["state"] == ["intake", "declined"]
    assert verify().ok


def test_accepting_a_buyer_case_prosecutes(intake: Any) -> None:
    case = make_case(BUYING)
    decisions.accept_recommendation(actor=intake, case_id=case.pk)
    case.refresh_from_db()
    assert case.state == CaseState.PROSECUTING


def test_only_an_intake_prosecutor_decides(supervisor: Any) -> None:
    case = make_case(SELLING)
    for actor in (supervisor, make_user("trafficking_ada"), make_user("admin")):
        with pytest.raises(NotAllowed, match=r"may not cases\.decide"):
            decisions.accept_recommendation(actor=actor, case_id=case.pk)
    case.refresh_from_db()
    assert case.state == CaseState.INTAKE
    assert not ChargingDecision.objects.exists() and not _audit(case, "case.decision.accept")


def test_a_decided_case_cannot_be_decided_again(intake: Any) -> None:
    case = make_case(BUYING)
    decisions.accept_recommendation(actor=intake, case_id=case.pk)
    other = make_user("intake_ada")
    # a stale tab: the message says who decided it and when
    with pytest.raises(decisions.AlreadyDecided, match=rf"decided by {intake.email} on "):
        decisions.accept_recommendation(actor=other, case_id=case.pk)
    assert ChargingDecision.objects.filter(case=case).count() == 1


def test_a_stale_policy_version_is_refused(intake: Any) -> None:
    case = make_case(SELLING)
    with pytest.raises(decisions.RecommendationChanged, match=r"'1999\.0'"):
        decisions.accept_recommendation(actor=intake, case_id=case.pk, policy_version="1999.0")
    case.refresh_from_db()
    assert case.state == CaseState.INTAKE


def test_the_audit_record_and_the_decision_commit_together(
    intake: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = make_case(SELLING)

    def broken(**kwargs: Any) -> None:
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr("survivors_justice.audit.services.record_event", broken)
    with pytest.raises(RuntimeError):
        decisions.accept_recommendation(actor=intake, case_id=case.pk)
    case.refresh_from_db()
    assert case.state == CaseState.INTAKE
    assert not ChargingDecision.objects.filter(case=case).exists()


def test_overriding_a_seller_decline_waits_for_a_supervisor(intake: Any, supervisor: Any) -> None:
    case = make_case(SELLING)
    decision = decisions.override_recommendation(
        actor=intake,
        case_id=case.pk,
        outcomes={"1": "prosecute"},
        reason_category="charge_misrecorded",
        reason_text=REASON,
    )
    case.refresh_from_db()
    assert case.state == CaseState.OVERRIDE_PENDING
    assert decision.status == DecisionStatus.PENDING and decision.declines_overridden
    assert not decision.priority
    [row] = compliance.compliance_figures().by_prosecutor
    assert row.pending == 1

    approved = decisions.review_override(actor=supervisor, decision_id=decision.pk, approve=True)
    case.refresh_from_db()
    assert approved.status == DecisionStatus.APPROVED and approved.reviewed_by == supervisor
    assert case.state == CaseState.PROSECUTING
    assert _audit(case, "case.decision.override") and _audit(case, "case.override.approve")
    figures = compliance.compliance_figures()
    assert figures.seller_cases == figures.overrides_requested == figures.overrides_approved == 1
    assert figures.by_supervisor[0].email == supervisor.email
    assert verify().ok


def test_a_refused_override_leaves_the_policy_decision(intake: Any, supervisor: Any) -> None:
    case = make_case(SELLING)
    decision = decisions.override_recommendation(
        actor=intake, case_id=case.pk, outcomes={"1": "prosecute"},
        reason_category="other", reason_text=REASON,
    )
    with pytest.raises(decisions.ReasonRequired):
        decisions.review_override(actor=supervisor, decision_id=decision.pk, approve=False)
    decisions.review_override(
        actor=supervisor, decision_id=decision.pk, approve=False,
        note="She sold sex; the policy declines her case whatever the arrangement.",
    )
    case.refresh_from_db()
    assert case.state == CaseState.DECLINED
    with pytest.raises(decisions.OverrideNotPending):
        decisions.review_override(actor=supervisor, decision_id=decision.pk, approve=True)
    assert compliance.compliance_figures().overrides_refused == 1


def test_an_intake_prosecutor_cannot_approve_an_override(intake: Any) -> None:
    case = make_case(SELLING)
    decision = decisions.override_recommendation(
        actor=intake, case_id=case.pk, outcomes={"1": "prosecute"},
        reason_category="other", reason_text=REASON,
    )
    with pytest.raises(NotAllowed):
        decisions.review_override(actor=intake, decision_id=decision.pk, approve=True)
    assert ChargingDecision.objects.get(pk=decision.pk).status == DecisionStatus.PENDING


def test_declining_a_buyer_waits_for_a_supervisor(intake: Any, supervisor: Any) -> None:
    case = make_case(BUYING)
    decision = decisions.override_recommendation(
        actor=intake, case_id=case.pk, outcomes={"1": "decline"},
        reason_category="interests_of_justice", reason_text=REASON,
    )
    case.refresh_from_db()
    assert decision.status == DecisionStatus.PENDING and not decision.seller_case
    assert case.state == CaseState.OVERRIDE_PENDING
    decisions.review_override(actor=supervisor, decision_id=decision.pk, approve=True)
    case.refresh_from_db()
    assert case.state == CaseState.DECLINED


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"outcomes": {"1": "decline"}}, decisions.SameAsRecommendation),
        ({"outcomes": {"1": "acquit"}}, decisions.NotAnOverrideChoice),
        ({"outcomes": {"2": "prosecute"}}, decisions.ChargeOutcomesMismatch),
        ({"reason_text": "because"}, decisions.ReasonRequired),
        ({"reason_category": "hunch"}, decisions.UnknownReasonCategory),
    ],
)
def test_bad_overrides_are_refused_and_change_nothing(
    intake: Any, kwargs: dict[str, Any], error: type[Exception]
) -> None:
    case = make_case(SELLING)
    args = {
        "outcomes": {"1": "prosecute"},
        "reason_category": "other",
        "reason_text": REASON,
        **kwargs,
    }
    with pytest.raises(error):
        decisions.override_recommendation(actor=intake, case_id=case.pk, **args)
    case.refresh_from_db()
    assert case.state == CaseState.INTAKE and not ChargingDecision.objects.exists()


def test_trafficking_prosecutors_see_priority_and_panel_cases_only(intake: Any) -> None:
    trafficking = make_user("trafficking_ada")
    priority = make_case(TRAFFICKING)
    buyer = make_case(BUYING)
    panel = make_case(BUYING, index=1, state=CaseState.PANEL_REVIEW)
    assert not can(trafficking, Action.VIEW_CASE, priority)  # in intake, never screened
    decisions.accept_recommendation(actor=intake, case_id=priority.pk)
    decisions.accept_recommendation(actor=intake, case_id=buyer.pk)
    assert set(visible_cases(trafficking)) == {priority, panel}
    for case in Case.objects.all():
        assert can(trafficking, Action.VIEW_CASE, case) == (case in {priority, panel})
    # both left intake; the prosecutor who decided them still sees them, not the panel case
    assert set(visible_cases(intake)) == {priority, buyer}
    assert set(visible_cases(make_user("intake_ada"))) == set()


def test_visible_cases_agrees_with_can_for_every_role_and_state() -> None:
    from survivors_justice.accounts.roles import Role
    from survivors_justice.permissions import Action

    cases = [make_case(SELLING, index=i, state=s) for i, s in enumerate(CaseState)]
    for role in Role:
        user = make_user(role)
        visible = set(visible_cases(user))
        assert visible == {c for c in cases if can(user, Action.VIEW_CASE, c)}, role
        if role not in (Role.INTAKE_ADA, Role.SUPERVISOR, Role.TRAFFICKING_ADA):
            assert not visible


def test_compliance_counts_by_prosecutor(supervisor: Any) -> None:
    ada1, ada2 = make_user("intake_ada"), make_user("intake_ada")
    for i in range(3):
        decisions.accept_recommendation(actor=ada1, case_id=make_case(SELLING, index=i).pk)
    decisions.accept_recommendation(actor=ada2, case_id=make_case(BUYING).pk)  # not a seller case
    decisions.override_recommendation(
        actor=ada2, case_id=make_case(SELLING, index=5).pk, outcomes={"1": "prosecute"},
        reason_category="other", reason_text=REASON,
    )
    figures = compliance.compliance_figures()
    assert (figures.seller_cases, figures.declined_as_recommended) == (4, 3)
    rows = {p.email: p for p in figures.by_prosecutor}
    assert (rows[ada1.email].declined, rows[ada1.email].overrides) == (3, 0)
    assert (rows[ada2.email].declined, rows[ada2.email].overrides, rows[ada2.email].pending) == (
        0, 1, 1,
    )


def test_a_new_policy_document_is_never_answered_from_the_cache(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from survivors_justice.policy import load_policy as load
    from survivors_justice.policy import policy_documents

    case = make_case(BUYING)
    assert [c.outcome for c in recommendations.recommend(case).charges] == ["prosecute"]
    [proposal] = [p for p in policy_documents() if "proposal-adult-buyers" in p.name]
    monkeypatch.setattr(recommendations, "current_policy", lambda: load(proposal))
    rec = recommendations.recommend(case)
    assert rec.policy_version == load(proposal).version
    assert [c.outcome for c in rec.charges] == ["decline"]  # the proposal declines adult buyers


def test_changing_a_returned_decision_does_not_change_the_next_one() -> None:
    facts = recommendations.case_facts(make_case(SELLING))
    first = recommendations.evaluate_facts(facts)
    first["charges"][0]["outcome"] = "prosecute"
    assert recommendations.evaluate_facts(facts)["charges"][0]["outcome"] == "decline"
