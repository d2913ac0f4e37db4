"""The intake pages through Django's test client: what each shows, what each records."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from tests.cases.factories import BUYING, SELLING, make_case
from tests.factories import sign_in, signed_in_client

from survivors_justice.audit.models import AuditRecord
from survivors_justice.cases.flows import CaseState
from survivors_justice.cases.models import Case, ChargingDecision, DecisionStatus
from survivors_justice.policy import load_policy

pytestmark = pytest.mark.django_db
REASON = "The arrest report shows she was the one recruiting the other women."


def _text(response: Any) -> str:
    return response.content.decode()


def test_queue_shows_each_case_with_its_recommendation_and_gaps() -> None:
    seller, buyer = make_case(SELLING), make_case(BUYING)
    client, _ = signed_in_client("intake_ada")
    page = _text(client.get("/cases/intake/"))
    for case in (seller, buyer):
        assert case.number in page and case.defendant.family_name in page
    assert "Decline to prosecute" in page and "Prosecute" in page
    assert "selling-declined" in page or "PL 230.00" in page  # the why
    assert "Was force used to control anyone in the case?" in page  # an unknown, as a question
    record = AuditRecord.objects.filter(action="cases.intake_queue.read").get()
    assert set(record.details["ids"]) == {str(seller.pk), str(buyer.pk)}


def test_queue_is_paged_and_shows_only_cases_in_intake() -> None:
    cases = [make_case(SELLING, index=i) for i in range(27)]
    done = make_case(BUYING, state=CaseState.PROSECUTING)
    client, _ = signed_in_client("supervisor")
    first, second = _text(client.get("/cases/intake/")), _text(client.get("/cases/intake/?page=2"))
    assert sum(c.number in first for c in cases) == 25
    assert sum(c.number in second for c in cases) == 2
    assert done.number not in first + second and done.defendant.family_name not in first + second
    assert "?page=2" in first and "?page=1" in second


def test_queue_query_count_does_not_grow_with_the_page(django_assert_max_num_queries: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client, _ = signed_in_client("intake_ada")
    client.get("/cases/intake/")  # the first audit record creates the chain head: not counted
    counts = []
    for n in (3, 25):
        for i in range(n - Case.objects.count()):
            make_case(SELLING, index=i)
        with django_assert_max_num_queries(16), CaptureQueriesContext(connection) as ctx:
            assert client.get("/cases/intake/").status_code == 200
        counts.append(len(ctx))
    assert counts[0] == counts[1]


def test_override_queue_and_compliance_query_counts(django_assert_max_num_queries: Any) -> None:
    intake_client, _ = signed_in_client("intake_ada")
    for i in range(6):
        case = make_case(SELLING, index=i)
        intake_client.post(
            f"/cases/{case.pk}/override/",
            {"policy_version": load_policy().version, "outcome_1": "prosecute",
             "reason_category": "other", "reason_text": REASON},
        )
    assert ChargingDecision.objects.filter(status=DecisionStatus.PENDING).count() == 6
    client, _ = signed_in_client("supervisor")
    with django_assert_max_num_queries(16):
        assert client.get("/cases/overrides/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get("/cases/compliance/").status_code == 200


def test_case_page_is_audited_and_explains_the_recommendation() -> None:
    case = make_case(BUYING)
    client, user = signed_in_client("intake_ada")
    page = _text(client.get(f"/cases/{case.pk}/", REMOTE_ADDR="10.1.2.3"))
    assert case.defendant.given_name in page and "Facts the policy read" in page
    assert f"version {load_policy().version}" in page
    assert 'id="accept"' in page
    record = AuditRecord.objects.get(action="case.read", object_id=str(case.pk))
    assert (record.actor, record.source) == (user.email, "10.1.2.3")


def test_supervisor_sees_the_case_but_cannot_decide_it() -> None:
    case = make_case(SELLING)
    client, _ = signed_in_client("supervisor")
    page = _text(client.get(f"/cases/{case.pk}/"))
    assert case.number in page and 'id="accept"' not in page
    response = client.post(f"/cases/{case.pk}/accept/", {"policy_version": "x"})
    assert response.status_code == 403 and case.defendant.family_name not in _text(response)
    case.refresh_from_db()
    assert case.state == CaseState.INTAKE


def test_accept_declines_and_returns_to_the_queue() -> None:
    case = make_case(SELLING)
    client, _ = signed_in_client("intake_ada")
    response = client.post(
        f"/cases/{case.pk}/accept/", {"policy_version": load_policy().version}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/cases/intake/"
    assert f"Case {case.number}: the recommendation is recorded" in _text(response)
    case.refresh_from_db()
    assert case.state == CaseState.DECLINED
    # the decided case has left intake: its page stays open to whoever decided it, not others
    assert client.get(f"/cases/{case.pk}/").status_code == 200
    other, _ = signed_in_client("intake_ada")
    assert other.get(f"/cases/{case.pk}/").status_code == 404


def test_accept_under_an_old_policy_version_is_refused_with_a_message() -> None:
    case = make_case(SELLING)
    client, _ = signed_in_client("intake_ada")
    response = client.post(f"/cases/{case.pk}/accept/", {"policy_version": "0.1"}, follow=True)
    assert "now uses" in _text(response)
    case.refresh_from_db()
    assert case.state == CaseState.INTAKE


def test_override_form_is_an_htmx_fragment_and_errors_come_back_in_it() -> None:
    case = make_case(SELLING)
    client, _ = signed_in_client("intake_ada")
    fragment = _text(client.get(f"/cases/{case.pk}/override/", HTTP_HX_REQUEST="true"))
    assert "<html" not in fragment and 'name="outcome_1"' in fragment
    assert "<html" in _text(client.get(f"/cases/{case.pk}/override/"))
    bad = client.post(
        f"/cases/{case.pk}/override/",
        {"policy_version": load_policy().version, "outcome_1": "prosecute",
         "reason_category": "other", "reason_text": "short"},
        HTTP_HX_REQUEST="true",
    )
    assert bad.status_code == 200 and "usa-error-message" in _text(bad)
    assert "<html" not in _text(bad)  # the fragment again, with the error, for htmx to swap in
    plain = client.post(
        f"/cases/{case.pk}/override/",
        {"policy_version": load_policy().version, "outcome_1": "decline",
         "reason_category": "other", "reason_text": REASON},
    )
    assert plain.status_code == 422 and "accept it instead" in _text(plain)
    ok = client.post(
        f"/cases/{case.pk}/override/",
        {"policy_version": load_policy().version, "outcome_1": "prosecute",
         "reason_category": "other", "reason_text": REASON},
        HTTP_HX_REQUEST="true",
    )
    assert ok.status_code == 204 and ok["HX-Redirect"] == "/cases/intake/"
    case.refresh_from_db()
    assert case.state == CaseState.OVERRIDE_PENDING


def test_supervisor_approves_from_the_override_queue() -> None:
    case = make_case(SELLING)
    intake, _ = signed_in_client("intake_ada")
    intake.post(
        f"/cases/{case.pk}/override/",
        {"policy_version": load_policy().version, "outcome_1": "prosecute",
         "reason_category": "charge_misrecorded", "reason_text": REASON},
    )
    decision = ChargingDecision.objects.get(case=case)
    supervisor, boss = signed_in_client("supervisor")
    queue = _text(supervisor.get("/cases/overrides/"))
    assert case.number in queue and REASON in queue and "Prosecute" in queue
    # an intake prosecutor cannot answer, not even by posting the form
    refused = intake.post(f"/cases/overrides/{decision.pk}/review/", {"decision": "approve"})
    assert refused.status_code == 403
    response = supervisor.post(
        f"/cases/overrides/{decision.pk}/review/", {"decision": "approve"}, follow=True
    )
    assert "override approved" in _text(response)
    case.refresh_from_db()
    assert case.state == CaseState.PROSECUTING
    compliance = _text(supervisor.get("/cases/compliance/"))
    assert boss.email in compliance
    # answered: it is gone from the queue and cannot be answered twice
    assert case.number not in _text(supervisor.get("/cases/overrides/"))
    again = supervisor.post(
        f"/cases/overrides/{decision.pk}/review/", {"decision": "refuse"}, follow=True
    )
    assert f"already answered (override approved by a supervisor) by {boss.email}" in _text(again)
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.APPROVED


@pytest.mark.parametrize("role", ["partner_staff", "advocate", "panel_member", "analyst", "admin"])
def test_roles_without_cases_get_nothing_of_the_record(role: str) -> None:
    case = make_case(SELLING, given_name="Marisol", family_name="Vantongeren")
    client, _ = signed_in_client(role)
    for url in (f"/cases/{case.pk}/", f"/cases/{case.pk}/override/"):
        response = client.get(url)
        assert response.status_code == 404
        body = _text(response)
        assert "Vantongeren" not in body and case.number not in body
    missing = client.get("/cases/999999/")
    assert missing.status_code == 404  # the same answer as for a case that exists
    assert client.get("/cases/intake/").status_code == 403
    assert Case.objects.get(pk=case.pk).state == CaseState.INTAKE


def test_a_signed_out_visitor_is_sent_to_sign_in() -> None:
    case = make_case(SELLING)
    response = Client().get(f"/cases/{case.pk}/")
    assert response.status_code == 302 and "/accounts/sign-in/" in response["Location"]


def test_a_session_without_the_one_time_code_is_not_enough() -> None:
    from tests.factories import make_user

    case = make_case(SELLING)
    client = Client()
    client.force_login(make_user("intake_ada"), backend="django.contrib.auth.backends.ModelBackend")
    response = client.get(f"/cases/{case.pk}/")
    assert response.status_code == 302
    assert sign_in(client, make_user("intake_ada")).get(f"/cases/{case.pk}/").status_code == 200
