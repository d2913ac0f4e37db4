"""The JSON API: session and token sign-in, the same permissions as the pages, audited reads."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from django.test import Client
from tests.cases.factories import BUYING, SELLING, make_case
from tests.factories import make_user, signed_in_client

from survivors_justice.accounts import tokens
from survivors_justice.audit.models import AuditRecord
from survivors_justice.cases.flows import CaseState
from survivors_justice.cases.models import ApiToken, Case, ChargingDecision
from survivors_justice.policy import load_policy

pytestmark = pytest.mark.django_db
REASON = "The complaint shows she ran the operation and took the earnings of the others."


def _token(role: str) -> tuple[str, Any]:
    owner = make_user(role)
    _, secret = tokens.create_api_token(
        actor="test", name=f"client-{owner.pk}", role=role, owner_email=owner.email
    )
    return secret, owner


def _bearer(secret: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_list_and_read_with_a_verified_session() -> None:
    seller, buyer = make_case(SELLING), make_case(BUYING)
    make_case(BUYING, index=1, state=CaseState.PROSECUTING)
    client, _ = signed_in_client("intake_ada")
    listing = client.get("/api/cases").json()
    assert {c["id"] for c in listing["items"]} == {seller.pk, buyer.pk}
    assert listing["items"][0]["defendant"]["family_name"] == seller.defendant.family_name
    detail = client.get(f"/api/cases/{buyer.pk}").json()
    assert detail["defendant"]["date_of_birth"] == buyer.defendant.date_of_birth
    assert "date_of_birth" not in listing["items"][0]["defendant"]
    rec = detail["recommendation"]
    assert rec["policy_version"] == load_policy().version
    assert rec["charges"][0]["outcome"] == "prosecute" and rec["charges"][0]["citations"]
    assert "indicators.force" in rec["missing_facts"]
    assert AuditRecord.objects.filter(action="case.read", object_id=str(buyer.pk)).count() == 1


def test_a_session_without_the_one_time_code_is_refused() -> None:
    make_case(SELLING)
    client = Client()
    client.force_login(make_user("intake_ada"), backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/api/cases").status_code == 401
    assert Client().get("/api/cases").status_code == 401


def test_session_writes_need_the_csrf_token() -> None:
    case = make_case(SELLING)
    client, _ = signed_in_client("intake_ada")
    client = Client(enforce_csrf_checks=True, HTTP_COOKIE=client.cookies.output(header="", sep=";"))
    response = client.post(
        f"/api/cases/{case.pk}/decision",
        json.dumps({"action": "accept", "policy_version": load_policy().version}),
        content_type="application/json",
    )
    assert response.status_code == 403  # signed in, so refused for the missing token, not 401
    assert Case.objects.get(pk=case.pk).state == CaseState.INTAKE


def test_a_token_records_a_decision_as_its_owner() -> None:
    case = make_case(SELLING)
    secret, owner = _token("intake_ada")
    response = Client().post(
        f"/api/cases/{case.pk}/decision",
        json.dumps({"action": "accept", "policy_version": load_policy().version}),
        content_type="application/json",
        **_bearer(secret),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["case_state"], body["decided_by"]) == (
        "final", "declined", owner.email,
    )
    record = AuditRecord.objects.get(action="case.decision.accept")
    assert record.actor.startswith("token:") and owner.email in record.actor


def test_an_override_through_the_api_waits_for_a_supervisor() -> None:
    case = make_case(SELLING)
    secret, _ = _token("intake_ada")
    body = {
        "action": "override",
        "policy_version": load_policy().version,
        "outcomes": {"1": "prosecute"},
        "reason_category": "charge_misrecorded",
        "reason_text": REASON,
    }
    response = Client().post(
        f"/api/cases/{case.pk}/decision", json.dumps(body),
        content_type="application/json", **_bearer(secret),
    )
    assert response.status_code == 201 and response.json()["status"] == "pending"
    decision_id = response.json()["id"]
    boss, _ = _token("supervisor")
    review = Client().post(
        f"/api/overrides/{decision_id}/review", json.dumps({"approve": True}),
        content_type="application/json", **_bearer(boss),
    )
    assert review.status_code == 200 and review.json()["case_state"] == "prosecuting"


def test_bad_decisions_get_a_clear_409_and_change_nothing() -> None:
    case = make_case(SELLING)
    secret, _ = _token("intake_ada")
    response = Client().post(
        f"/api/cases/{case.pk}/decision",
        json.dumps({"action": "override", "policy_version": load_policy().version,
                    "outcomes": {"1": "prosecute"}, "reason_category": "other",
                    "reason_text": "no"}),
        content_type="application/json", **_bearer(secret),
    )
    assert response.status_code == 409, response.json()
    assert "at least 20 characters" in response.json()["detail"]
    stale = Client().post(
        f"/api/cases/{case.pk}/decision",
        json.dumps({"action": "accept", "policy_version": "0.0"}),
        content_type="application/json", **_bearer(secret),
    )
    assert stale.status_code == 409 and "'0.0'" in stale.json()["detail"]
    assert not ChargingDecision.objects.exists()


def test_a_revoked_token_stops_working_at_once() -> None:
    make_case(SELLING)
    secret, _ = _token("intake_ada")
    assert Client().get("/api/cases", **_bearer(secret)).status_code == 200
    tokens.revoke_api_token(actor="test", name=ApiToken.objects.get().name)
    assert Client().get("/api/cases", **_bearer(secret)).status_code == 401
    assert Client().get("/api/cases", **_bearer(secret + "x")).status_code == 401


def test_tokens_are_stored_only_as_a_hash() -> None:
    secret, _ = _token("analyst")
    row = ApiToken.objects.get()
    # SHA-256 of the secret's UTF-8 bytes, computed here rather than by the code under test
    assert secret not in (row.token_hash, row.prefix)
    assert row.token_hash == hashlib.sha256(secret.encode("utf-8")).hexdigest()


def test_a_token_acts_with_its_role_not_its_owners() -> None:
    case = make_case(SELLING)
    owner = make_user("intake_ada")
    _, secret = tokens.create_api_token(
        actor="test", name="reports", role="analyst", owner_email=owner.email
    )
    assert Client().get("/api/cases", **_bearer(secret)).status_code == 403
    assert Client().get(f"/api/cases/{case.pk}", **_bearer(secret)).status_code == 404


@pytest.mark.parametrize("role", ["partner_staff", "advocate", "panel_member", "analyst", "admin"])
def test_roles_without_cases_learn_nothing(role: str) -> None:
    case = make_case(SELLING, family_name="Oyelaran")
    client, _ = signed_in_client(role)
    listing = client.get("/api/cases")
    assert listing.status_code == 403 and "Oyelaran" not in listing.content.decode()
    for url in (f"/api/cases/{case.pk}", "/api/cases/987654"):
        response = client.get(url)
        assert response.status_code == 404 and response.json() == {"detail": "Not found."}
    post = client.post(
        f"/api/cases/{case.pk}/decision",
        json.dumps({"action": "accept", "policy_version": load_policy().version}),
        content_type="application/json",
    )
    assert post.status_code == 404


def test_evaluate_facts() -> None:
    secret, _ = _token("analyst")
    facts = {"decision_date": "2026-11-28", "charges": [{"section": "230.00"}],
             "defendant": {"age": 17}}
    response = Client().post(
        "/api/policy/evaluate", json.dumps(facts), content_type="application/json",
        **_bearer(secret),
    )
    assert response.status_code == 200
    body = response.json()
    assert body["charges"][0]["outcome"] == "decline" and body["policy"]["id"]
    bad = Client().post(
        "/api/policy/evaluate", json.dumps({"charges": [{"sectoin": "230.00"}]}),
        content_type="application/json", **_bearer(secret),
    )
    assert bad.status_code == 422 and "sectoin" in bad.json()["detail"]
    partner, _ = _token("partner_staff")
    refused = Client().post(
        "/api/policy/evaluate", json.dumps(facts), content_type="application/json",
        **_bearer(partner),
    )
    assert refused.status_code == 403


def test_openapi_docs_for_signed_in_staff_only() -> None:
    client, _ = signed_in_client("intake_ada")
    docs = client.get("/api/docs")
    assert docs.status_code == 200 and b"swagger-ui" in docs.content and b"cdn" not in docs.content
    schema = client.get("/api/openapi.json").json()
    assert {"/api/cases", "/api/cases/{case_id}/decision", "/api/policy/evaluate"} <= set(
        schema["paths"]
    )
    assert Client().get("/api/docs").status_code == 302
    partner, _ = signed_in_client("partner_staff")
    assert partner.get("/api/docs").status_code == 403


def test_list_query_count_does_not_grow_with_the_page(django_assert_max_num_queries: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    secret, _ = _token("intake_ada")
    Client().get("/api/cases", **_bearer(secret))  # creates the audit chain head
    counts = []
    for n in (2, 25):
        for i in range(n - Case.objects.count()):
            make_case(SELLING, index=i)
        with django_assert_max_num_queries(12), CaptureQueriesContext(connection) as ctx:
            assert len(Client().get("/api/cases", **_bearer(secret)).json()["items"]) == n
        counts.append(len(ctx))
    assert counts[0] == counts[1]


def test_the_api_obeys_two_people_for_every_departure() -> None:
    from tests.cases.factories import december_rows

    buyer = make_case(BUYING)
    rows = [r for r in december_rows() if r["LAW_CODE"] == "PL 2302502"]
    minor_promoter = make_case(
        "PL 2302502", index=next(i for i, r in enumerate(rows) if r["AGE_GROUP"] == "<18")
    )
    secret, _ = _token("intake_ada")

    def override(case: Any, outcome: str) -> Any:
        body = {
            "action": "override", "policy_version": load_policy().version,
            "outcomes": {"1": outcome}, "reason_category": "other", "reason_text": REASON,
        }
        return Client().post(
            f"/api/cases/{case.pk}/decision", json.dumps(body),
            content_type="application/json", **_bearer(secret),
        )

    declined = override(buyer, "decline")
    assert declined.status_code == 201 and declined.json()["status"] == "pending"
    assert declined.json()["case_state"] == "override_pending"
    refused = override(minor_promoter, "prosecute")
    assert refused.status_code == 409 and "review panel" in refused.json()["detail"]
    minor_promoter.refresh_from_db()
    assert minor_promoter.state == "intake"
