"""The pages of facts, departures, decided cases, follow-ups and the trafficking queue."""

from __future__ import annotations

from typing import Any

import pytest
from tests.cases.factories import BUYING, SELLING, december_rows, make_case
from tests.factories import signed_in_client

from survivors_justice.cases import decisions, facts
from survivors_justice.cases.flows import CaseState
from survivors_justice.cases.models import CaseFact, FollowUpTask
from survivors_justice.policy import load_policy

pytestmark = pytest.mark.django_db
REASON = "The arrest report says he drove the women to the dates and kept their money."


def _text(response: Any) -> str:
    return response.content.decode()


def test_facts_form_saves_rescreens_and_says_what_changed() -> None:
    case = make_case(BUYING)
    client, user = signed_in_client("intake_ada")
    page = _text(client.get(f"/cases/{case.pk}/"))
    assert "Was force used to control anyone in the case?" in page
    response = client.post(
        f"/cases/{case.pk}/facts/",
        {"source": "police_report", "fact__indicators__threats": "yes", "note": "report p. 2"},
        follow=True,
    )
    text = _text(response)
    assert "The recommendation changed." in text and "Prosecute as a priority case" in text
    row = CaseFact.objects.get(case=case)
    assert (row.fact, row.value, row.given_by) == ("indicators.threats", True, user)
    assert user.email in text  # who gave it, on the page


def test_facts_form_errors_stay_at_the_field_and_keep_the_answers() -> None:
    case = make_case(BUYING)
    client, _ = signed_in_client("intake_ada")
    response = client.post(
        f"/cases/{case.pk}/facts/",
        {"source": "", "fact__indicators__force": "yes", "fact__victims__min_age": "age"},
    )
    assert response.status_code == 422
    text = _text(response)
    assert 'id="id_source-error"' in text  # beside the source field
    assert 'id="id_victims_age-error"' in text
    assert '<option value="yes" selected>Yes</option>' in text  # the answer chosen is kept
    assert not CaseFact.objects.exists()


def test_an_intake_override_of_a_panel_case_is_not_offered_and_refused() -> None:
    rows = [r for r in december_rows() if r["LAW_CODE"] == "PL 2302502"]
    case = make_case(
        "PL 2302502", index=next(i for i, r in enumerate(rows) if r["AGE_GROUP"] == "<18")
    )
    client, _ = signed_in_client("intake_ada")
    page = _text(client.get(f"/cases/{case.pk}/"))
    assert 'id="override"' not in page and "a supervisor may decide it instead" in page
    response = client.post(
        f"/cases/{case.pk}/override/",
        {"policy_version": load_policy().version, "outcome_1": "prosecute",
         "reason_category": "other", "reason_text": REASON},
    )
    assert response.status_code == 422 and "not decided at intake" in _text(response)
    case.refresh_from_db()
    assert case.state == CaseState.INTAKE


def test_a_stale_tab_says_who_decided_and_when() -> None:
    case = make_case(SELLING)
    first, first_user = signed_in_client("intake_ada")
    second, _ = signed_in_client("intake_ada")
    version = {"policy_version": load_policy().version}
    first.post(f"/cases/{case.pk}/accept/", version)
    response = second.post(f"/cases/{case.pk}/accept/", version, follow=True)
    text = _text(response)
    assert response.redirect_chain[-1][0] == "/cases/intake/"
    assert f"was decided by {first_user.email} on " in text and "nothing was changed" in text
    override = second.post(
        f"/cases/{case.pk}/override/",
        {**version, "outcome_1": "prosecute", "reason_category": "other", "reason_text": REASON},
        follow=True,
    )
    assert f"was decided by {first_user.email}" in _text(override)


def test_a_buyer_decline_waits_and_shows_on_the_compliance_page() -> None:
    case = make_case(BUYING)
    intake, intake_user = signed_in_client("intake_ada")
    intake.post(
        f"/cases/{case.pk}/override/",
        {"policy_version": load_policy().version, "outcome_1": "decline",
         "reason_category": "other", "reason_text": REASON},
    )
    case.refresh_from_db()
    assert case.state == CaseState.OVERRIDE_PENDING
    boss, _ = signed_in_client("supervisor")
    page = _text(boss.get("/cases/compliance/"))
    assert case.number in page and "Waiting for a supervisor" in page and "buyer" in page
    assert intake_user.email in page


def test_decided_cases_and_the_trafficking_queue() -> None:
    case = make_case("PL 230345A")
    intake, intake_user = signed_in_client("intake_ada")
    decisions.accept_recommendation(actor=intake_user, case_id=case.pk)
    mine = _text(intake.get("/cases/decided/"))
    assert case.number in mine
    assert intake.get(f"/cases/{case.pk}/").status_code == 200
    trafficking, _ = signed_in_client("trafficking_ada")
    queue = _text(trafficking.get("/cases/priority/"))
    # sex trafficking is a B felony: six months from the arrest date (CPL 30.30(1)(a))
    arrest = case.arrest.arrest_date
    assert case.number in queue and f"{arrest.year + (arrest.month + 6 > 12)}-" in queue
    assert "Sex trafficking" in queue or "trafficking" in queue.lower()
    detail = _text(trafficking.get(f"/cases/{case.pk}/"))
    assert 'href="/cases/priority/"' in detail and 'href="/cases/intake/"' not in detail


def test_advocates_get_their_task_list_and_can_take_and_close() -> None:
    case = make_case(SELLING)
    _, intake_user = signed_in_client("intake_ada")
    decisions.accept_recommendation(actor=intake_user, case_id=case.pk)
    task = FollowUpTask.objects.get(case=case)
    advocate, advocate_user = signed_in_client("advocate")
    home = _text(advocate.get("/home/"))
    assert "/cases/followups/" in home
    page = _text(advocate.get("/cases/followups/"))
    assert "Refer the person to a victim advocate" in page and case.number not in page
    advocate.post(f"/cases/followups/{task.pk}/take/")
    task.refresh_from_db()
    assert task.state == "in_progress" and task.owner == advocate_user
    advocate.post(f"/cases/followups/{task.pk}/close/", {"outcome": "done", "note": "Met."})
    task.refresh_from_db()
    assert task.state == "done"


def test_facts_module_questions_cover_the_policys_unknowns() -> None:
    names = {q.policy_fact for q in facts.QUESTIONS}
    assert names == {
        "defendant.victim_indicators", "victim.minor", "indicators.force", "indicators.threats",
        "indicators.fraud", "indicators.debt_bondage", "indicators.documents_withheld",
        "indicators.drugs_as_control", "co_defendants_sold_together",
    }


def test_a_refusal_without_a_note_keeps_the_answer_and_says_so_at_the_field() -> None:
    case = make_case(SELLING)
    _, intake_user = signed_in_client("intake_ada")
    d = decisions.override_recommendation(
        actor=intake_user, case_id=case.pk, outcomes={"1": "prosecute"},
        reason_category="other", reason_text=REASON,
    )
    boss, _ = signed_in_client("supervisor")
    response = boss.post(f"/cases/overrides/{d.pk}/review/", {"decision": "refuse", "note": "no"})
    assert response.status_code == 422
    text = _text(response)
    assert f'id="note-{d.pk}-error"' in text and ">no</textarea>" in text
    assert f'value="refuse" id="review-{d.pk}-refuse" required checked' in text
    # the override queue names the offense, not only its code
    assert "Prostitution (PL 2300000)" in _text(boss.get("/cases/overrides/"))


def test_the_case_page_names_the_borough_and_precinct() -> None:
    case = make_case(BUYING)
    client, _ = signed_in_client("intake_ada")
    text = _text(client.get(f"/cases/{case.pk}/"))
    names = {"B": "Bronx", "K": "Brooklyn", "M": "Manhattan", "Q": "Queens", "S": "Staten Island"}
    arrest = case.arrest
    assert f"{names[arrest.borough]}, precinct {arrest.precinct}" in text
    assert f"{arrest.borough}, {arrest.precinct}<" not in text


def test_a_supervisor_decides_a_panel_case_with_a_reason_from_the_page() -> None:
    rows = [r for r in december_rows() if r["LAW_CODE"] == "PL 2302502"]
    case = make_case(
        "PL 2302502", index=next(i for i, r in enumerate(rows) if r["AGE_GROUP"] == "<18")
    )
    boss, boss_user = signed_in_client("supervisor")
    assert "Decide instead of the panel" in _text(boss.get(f"/cases/{case.pk}/"))
    url = f"/cases/{case.pk}/supervisor-decision/"
    short = boss.post(url, {"policy_version": load_policy().version, "outcome_1": "decline",
                            "reason_text": "too short"})
    assert short.status_code == 422 and 'id="id_reason_text-error"' in _text(short)
    done = boss.post(url, {"policy_version": load_policy().version, "outcome_1": "decline",
                           "reason_text": REASON}, follow=True)
    assert "your decision is recorded" in _text(done)
    case.refresh_from_db()
    assert case.state == CaseState.DECLINED
    assert REASON in _text(boss.get("/cases/compliance/"))
    reopened = boss.post(f"/cases/{case.pk}/reopen/", {"reason": REASON}, follow=True)
    assert "is back in intake" in _text(reopened)
    case.refresh_from_db()
    assert case.state == CaseState.INTAKE and boss_user.email in _text(reopened)
