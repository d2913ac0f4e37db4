"""Facts with provenance, charge amendments, two people for every departure, follow-up tasks,
reopening and bulk acceptance. Cases are real rows of the December 2017 NYPD file; the expected
outcomes come from the policy document's text (sections quoted beside each assertion)."""

from __future__ import annotations

from typing import Any

import pytest
from tests.cases.factories import BUYING, SELLING, december_rows, make_case
from tests.factories import make_user

from survivors_justice.audit.models import AuditRecord
from survivors_justice.cases import compliance, decisions, facts, followups
from survivors_justice.cases.flows import CaseState
from survivors_justice.cases.models import (
    Case,
    CaseFact,
    ChargingDecision,
    DecisionStatus,
    FollowUpTask,
)
from survivors_justice.permissions import Action, NotAllowed, can, visible_cases
from survivors_justice.screening.models import PolicyDecision

pytestmark = pytest.mark.django_db

PROMOTING_2ND = "PL 2302502"  # promoting prostitution, 2nd degree
REASON = "The person charged is the one who arranged it, the report says so plainly."


def _index(law_code: str, age_group: str) -> int:
    rows = [r for r in december_rows() if r["LAW_CODE"] == law_code]
    return next(i for i, r in enumerate(rows) if r["AGE_GROUP"] == age_group)


@pytest.fixture
def intake() -> Any:
    return make_user("intake_ada")


@pytest.fixture
def supervisor() -> Any:
    return make_user("supervisor")


def _kinds(case: Case) -> set[str]:
    return set(FollowUpTask.objects.filter(case=case).values_list("kind", flat=True))


def test_force_on_a_buyer_case_makes_it_priority_and_opens_the_follow_ups(intake: Any) -> None:
    case = make_case(BUYING)
    result = facts.record_facts(
        actor=intake, case=case, answers={"indicators.force": "yes"}, source="police_report"
    )
    # "coercive-and-predatory": force raises a buyer's case to priority
    assert result.before.case_priority == "prosecute"
    assert result.after.case_priority == "prosecute_priority"
    assert result.changed and "Prosecute as a priority case" in result.summary()
    row = CaseFact.objects.get(case=case)
    assert (row.fact, row.value, row.answer, row.source, row.given_by) == (
        "indicators.force", True, "known", "police_report", intake,
    )
    assert PolicyDecision.objects.filter(case=case).count() == 1
    assert AuditRecord.objects.filter(action="case.facts.record", object_id=str(case.pk)).exists()
    # advocate-for-victim and lead-coercion
    assert _kinds(case) == {"refer_to_advocate", "open_trafficking_lead"}
    # the same answer again: a second screening is kept, no second open task
    facts.record_facts(
        actor=intake, case=case, answers={"indicators.force": True}, source="interview"
    )
    assert PolicyDecision.objects.filter(case=case).count() == 2
    assert FollowUpTask.objects.filter(case=case).count() == 2
    assert CaseFact.objects.filter(case=case).count() == 2
    assert CaseFact.objects.filter(case=case, current=True).get().source == "interview"


def test_unknown_is_an_answer_of_its_own_and_takes_the_fact_back(intake: Any) -> None:
    case = make_case(BUYING)
    facts.record_facts(actor=intake, case=case, answers={"indicators.threats": "yes"},
                       source="interview")
    result = facts.record_facts(
        actor=intake, case=case, answers={"indicators.threats": "unknown"}, source="interview"
    )
    case.refresh_from_db()
    assert case.known_facts == {}
    assert result.after.case_priority == "prosecute"
    assert list(CaseFact.objects.filter(case=case).order_by("pk").values_list(
        "answer", "current")) == [("known", False), ("unknown", True)]


@pytest.mark.parametrize(
    ("answers", "fragment"),
    [
        ({"indicators.force": "maybe"}, "answer yes, no, unknown"),
        ({"victims.min_age": 400}, "from 0 to 120"),
        ({"defendant.shoe_size": 9}, "unknown question"),
        ({}, "no answers given"),
    ],
)
def test_bad_answers_are_refused_by_name(
    intake: Any, answers: dict[str, Any], fragment: str
) -> None:
    case = make_case(BUYING)
    with pytest.raises(facts.FactError, match=fragment):
        facts.record_facts(actor=intake, case=case, answers=answers, source="interview")
    assert not CaseFact.objects.exists()


def test_a_minor_victim_makes_the_buyer_case_priority_and_opens_a_lead(intake: Any) -> None:
    case = make_case(BUYING)
    result = facts.record_facts(
        actor=intake, case=case, answers={"victims.min_age": 15}, source="police_report"
    )
    assert result.after.case_priority == "prosecute_priority"
    assert "open_trafficking_lead" in _kinds(case)


def test_a_minor_sellers_decline_opens_an_advocate_task_and_a_trafficking_lead(
    intake: Any,
) -> None:
    case = make_case(SELLING, index=_index(SELLING, "<18"))
    decisions.accept_recommendation(actor=intake, case_id=case.pk)
    case.refresh_from_db()
    assert case.state == CaseState.DECLINED
    tasks = {t.kind: t for t in FollowUpTask.objects.filter(case=case)}
    assert set(tasks) == {"refer_to_advocate", "open_trafficking_lead"}
    assert tasks["refer_to_advocate"].owner_role == "advocate"
    assert tasks["refer_to_advocate"].rule == "advocate-for-minor"
    assert tasks["open_trafficking_lead"].owner_role == "trafficking_ada"
    assert tasks["open_trafficking_lead"].rule == "lead-minor-sold"
    # the trafficking prosecutors now see the case (an open lead)
    assert case in visible_cases(make_user("trafficking_ada"))


def test_an_adult_sellers_decline_gets_a_referral_only(intake: Any) -> None:
    case = make_case(SELLING)
    decisions.accept_recommendation(actor=intake, case_id=case.pk)
    assert _kinds(case) == {"refer_to_advocate"}


def test_task_states_move_only_through_the_table(intake: Any) -> None:
    case = make_case(SELLING)
    decisions.accept_recommendation(actor=intake, case_id=case.pk)
    task = FollowUpTask.objects.get(case=case)
    advocate, other = make_user("advocate"), make_user("advocate")
    assert list(followups.queue(advocate)) == [task]
    assert not list(followups.queue(make_user("trafficking_ada")))
    followups.take(actor=advocate, task_id=task.pk)
    task.refresh_from_db()
    assert (task.state, task.owner) == ("in_progress", advocate)
    followups.assign(actor=advocate, task_id=task.pk, to=other)
    assert list(followups.queue(other, show="mine")) == [task]
    with pytest.raises(followups.FollowUpError, match="at least 10"):
        followups.close(actor=other, task_id=task.pk, done=False, note="no")
    followups.close(actor=other, task_id=task.pk, done=True, note="Met and referred.")
    task.refresh_from_db()
    assert task.state == "done" and task.closed_at is not None
    with pytest.raises(NotAllowed):  # a closed task is nobody's to work
        followups.close(actor=other, task_id=task.pk)
    with pytest.raises(followups.IllegalTaskTransition):
        followups._move(task, "open")
    with pytest.raises(followups.FollowUpError, match="active advocate"):
        task2 = FollowUpTask.objects.create(
            case=case, kind="refer_to_advocate", owner_role="advocate", due_date=task.due_date,
            rule="x", created_at=task.created_at,
        )
        followups.assign(actor=advocate, task_id=task2.pk, to=intake)


def test_every_departure_waits_for_a_supervisor(intake: Any, supervisor: Any) -> None:
    buyer = make_case(BUYING)
    d = decisions.override_recommendation(
        actor=intake, case_id=buyer.pk, outcomes={"1": "decline"},
        reason_category="interests_of_justice", reason_text=REASON,
    )
    assert d.status == DecisionStatus.PENDING
    figures = compliance.compliance_figures()
    assert figures.departures_pending == 1
    decisions.review_override(actor=supervisor, decision_id=d.pk, approve=True)
    figures = compliance.compliance_figures()
    assert figures.departures == 1 and figures.departures_pending == 0
    [row] = figures.departure_rows
    assert (row.case_number, row.kind, row.roles, row.decided_by, row.reviewed_by) == (
        buyer.number, "Overrode the recommendation", "buyer", intake.email, supervisor.email,
    )
    assert [(p.email, p.overrides) for p in figures.departures_by_prosecutor] == [
        (intake.email, 1)
    ]


def test_a_panel_case_is_not_decided_at_intake(intake: Any, supervisor: Any) -> None:
    case = make_case(PROMOTING_2ND, index=_index(PROMOTING_2ND, "<18"))
    rec = decisions.recommend(case)
    # "panel": a minor charged with promoting goes to the review panel
    assert set(rec.outcomes.values()) == {"panel_review"}
    with pytest.raises(decisions.PanelCaseAtIntake):
        decisions.override_recommendation(
            actor=intake, case_id=case.pk, outcomes={"1": "prosecute"},
            reason_category="other", reason_text=REASON,
        )
    case.refresh_from_db()
    assert case.state == CaseState.INTAKE
    with pytest.raises(NotAllowed):
        decisions.supervisor_decide(
            actor=intake, case_id=case.pk, outcomes={"1": "decline"}, reason_text=REASON
        )
    with pytest.raises(decisions.ReasonRequired):
        decisions.supervisor_decide(
            actor=supervisor, case_id=case.pk, outcomes={"1": "decline"}, reason_text="short"
        )
    d = decisions.supervisor_decide(
        actor=supervisor, case_id=case.pk, outcomes={"1": "decline"}, reason_text=REASON
    )
    case.refresh_from_db()
    assert case.state == CaseState.DECLINED and d.status == DecisionStatus.FINAL
    [row] = compliance.compliance_figures().departure_rows
    assert row.reason == REASON and row.kind.startswith("Decided by a supervisor")


def test_a_decided_case_stays_reachable_and_a_supervisor_can_reopen_it(
    intake: Any, supervisor: Any
) -> None:
    case = make_case(BUYING)
    d = decisions.accept_recommendation(actor=intake, case_id=case.pk)
    case.refresh_from_db()
    assert can(intake, Action.VIEW_CASE, case) and can(supervisor, Action.VIEW_CASE, case)
    assert not can(make_user("intake_ada"), Action.VIEW_CASE, case)
    with pytest.raises(decisions.ReasonRequired):
        decisions.reopen_decision(actor=supervisor, case_id=case.pk, reason="oops")
    with pytest.raises(NotAllowed):
        decisions.reopen_decision(actor=intake, case_id=case.pk, reason=REASON)
    decisions.reopen_decision(actor=supervisor, case_id=case.pk, reason=REASON)
    case.refresh_from_db()
    d.refresh_from_db()
    assert case.state == CaseState.INTAKE and d.status == DecisionStatus.REOPENED
    assert d.reopened_by == supervisor and d.reopen_reason == REASON
    with pytest.raises(decisions.NotDecided):
        decisions.reopen_decision(actor=supervisor, case_id=case.pk, reason=REASON)
    decisions.accept_recommendation(actor=intake, case_id=case.pk)  # decided again
    assert ChargingDecision.objects.filter(case=case).count() == 2


def test_charge_amendment_rescreens(intake: Any) -> None:
    case = make_case(SELLING)
    result = facts.amend_charge(
        actor=intake, case=case, action="replace", position=1, law_code=BUYING, reason=REASON
    )
    assert [c.outcome for c in result.before.charges] == ["decline"]
    assert [c.outcome for c in result.after.charges] == ["prosecute"]
    result = facts.amend_charge(
        actor=intake, case=case, action="add", law_code=SELLING, reason=REASON
    )
    assert [(c.position, c.outcome) for c in result.after.charges] == [
        (1, "prosecute"), (2, "decline")
    ]
    result = facts.amend_charge(actor=intake, case=case, action="remove", position=1,
                                reason=REASON)
    assert [(c.position, c.outcome) for c in result.after.charges] == [(2, "decline")]
    with pytest.raises(facts.FactError, match="only charge"):
        facts.amend_charge(actor=intake, case=case, action="remove", position=2, reason=REASON)
    with pytest.raises(facts.FactError, match="not a law code"):
        facts.amend_charge(actor=intake, case=case, action="add", law_code="230", reason=REASON)
    # the decision recorded the amended charges
    d = decisions.accept_recommendation(actor=intake, case_id=case.pk)
    assert d.outcomes == {"2": "decline"}


def test_bulk_accept_takes_only_declines_no_unknown_could_change(
    intake: Any, supervisor: Any
) -> None:
    seller, buyer = make_case(SELLING), make_case(BUYING)
    why = decisions.bulk_acceptable(seller, decisions.recommend(seller))
    if why is not None:  # answer every question the policy still asks
        answers = {q.fact: "no" for q in facts.QUESTIONS if q.kind == "bool"}
        answers["victims.min_age"] = "none"
        facts.record_facts(actor=intake, case=seller, answers=answers, source="interview")
        seller.refresh_from_db()
    assert decisions.bulk_acceptable(seller, decisions.recommend(seller)) is None
    with pytest.raises(NotAllowed):
        decisions.bulk_accept(actor=intake, case_ids=[seller.pk])
    with pytest.raises(decisions.NotBulkAcceptable):
        decisions.bulk_accept(actor=supervisor, case_ids=[buyer.pk])
    [made] = decisions.bulk_accept(actor=supervisor, case_ids=[seller.pk])
    seller.refresh_from_db()
    assert seller.state == CaseState.DECLINED and made.decided_by == supervisor
    assert AuditRecord.objects.filter(
        action="case.decision.bulk_accept", object_id=str(seller.pk)
    ).count() == 1


def test_the_queue_outcome_filter_reads_answered_facts_and_amended_charges(
    intake: Any, supervisor: Any
) -> None:
    from survivors_justice.cases.search import CaseFilter, matching_ids

    plain_buyer, forced, amended = make_case(BUYING), make_case(BUYING, index=1), make_case(SELLING)
    facts.record_facts(actor=intake, case=forced, answers={"indicators.force": "yes"},
                       source="interview")
    facts.amend_charge(actor=intake, case=amended, action="replace", position=1,
                       law_code=BUYING, reason=REASON)
    priority = matching_ids(supervisor, CaseFilter(outcome="prosecute_priority", sort="opened"))
    prosecute = matching_ids(supervisor, CaseFilter(outcome="prosecute", sort="opened"))
    declined = matching_ids(supervisor, CaseFilter(outcome="decline", sort="opened"))
    assert priority == [forced.pk]
    assert prosecute == [plain_buyer.pk, amended.pk]
    assert declined == []
