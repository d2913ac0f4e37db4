"""Findings of the attack on a running install: bounded inputs (3), headers (4), 500s (8) and the
API's errors (10). Each test failed on the code the attack ran against."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from tests.cases.factories import BUYING, SELLING, make_case
from tests.factories import make_user, signed_in_client

from survivors_justice import limits
from survivors_justice.accounts.tokens import create_api_token
from survivors_justice.cases import decisions
from survivors_justice.cases.models import ChargingDecision
from survivors_justice.policy import load_policy

pytestmark = pytest.mark.django_db

BIG = 2**63  # 9223372036854775808: one past SQLite's largest integer


def _bearer(role: str) -> dict[str, str]:
    owner = make_user(role)
    _, secret = create_api_token(
        actor="test", name=f"client-{owner.pk}", role=role, owner_email=owner.email
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def _post(path: str, body: Any, headers: dict[str, str], *, raw: bytes | None = None) -> Any:
    data = raw if raw is not None else json.dumps(body)
    return Client().post(path, data, content_type="application/json", **headers)


def _openapi() -> Any:
    client, _ = signed_in_client("intake_ada")
    return client.get("/api/openapi.json").json()


# --- finding 3: limits on every input ------------------------------------------------------------


def test_evaluate_refuses_more_charges_than_the_limit_with_json() -> None:
    auth = _bearer("intake_ada")
    charges = [{"law_code": "PL 2300000"}] * (limits.MAX_CHARGES + 1)
    response = _post("/api/policy/evaluate", {"charges": charges}, auth)
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/json")
    assert "charges" in response.json()["detail"]
    # The limit itself is allowed, and the answer stays small (one entry per charge).
    ok = _post("/api/policy/evaluate", {"charges": charges[: limits.MAX_CHARGES]}, auth)
    assert ok.status_code == 200 and len(ok.json()["charges"]) == limits.MAX_CHARGES


def test_a_body_past_the_size_limit_is_a_413_in_json() -> None:
    auth = _bearer("intake_ada")
    padding = "x" * (limits.MAX_REQUEST_BYTES + 1)
    response = _post("/api/policy/evaluate", {"charges": ["230.00"], "pad": padding}, auth)
    assert response.status_code == 413
    assert f"{limits.MAX_REQUEST_BYTES:,} bytes" in response.json()["detail"]


@pytest.mark.parametrize("depth", [limits.MAX_JSON_DEPTH + 1, 100_000])
def test_deeply_nested_json_is_a_400_in_json(depth: int) -> None:
    auth = _bearer("intake_ada")
    nested = "[" * depth + "]" * depth
    raw = f'{{"charges": ["230.00"], "defendant": {{"x": {nested}}}}}'.encode()
    response = _post("/api/policy/evaluate", None, auth, raw=raw)
    assert response.status_code == 400
    assert response.json()["detail"] == (
        f"the JSON body is nested deeper than {limits.MAX_JSON_DEPTH} levels"
    )


def test_override_reason_and_review_note_have_limits_in_api_and_services() -> None:
    case = make_case(SELLING)
    auth = _bearer("intake_ada")
    long_reason = "She ran the operation. " * (limits.MAX_REASON_CHARS // 20)
    assert len(long_reason) > limits.MAX_REASON_CHARS
    response = _post(f"/api/cases/{case.pk}/decision", {
        "action": "override", "policy_version": load_policy().version,
        "outcomes": {"1": "prosecute"}, "reason_category": "other", "reason_text": long_reason,
    }, auth)
    assert response.status_code == 422 and "reason_text" in response.json()["detail"]
    assert not ChargingDecision.objects.exists()
    with pytest.raises(limits.LimitExceeded, match=f"limit is {limits.MAX_REASON_CHARS:,}"):
        decisions.override_recommendation(
            actor=make_user("intake_ada"), case_id=case.pk, outcomes={"1": "prosecute"},
            reason_category="other", reason_text=long_reason,
        )
    response = _post("/api/overrides/1/review",
                     {"approve": False, "note": "n" * (limits.MAX_NOTE_CHARS + 1)},
                     _bearer("supervisor"))
    assert response.status_code == 422 and "note" in response.json()["detail"]


def test_override_form_refuses_a_reason_past_the_limit() -> None:
    case = make_case(SELLING)
    client, _ = signed_in_client("intake_ada")
    response = client.post(f"/cases/{case.pk}/override/", {
        "policy_version": load_policy().version, "reason_category": "other",
        "reason_text": "r" * (limits.MAX_REASON_CHARS + 1), "outcome_1": "prosecute",
    })
    assert response.status_code == 422  # the form again, with its error
    assert f"at most {limits.MAX_REASON_CHARS:,} characters".encode() in response.content
    assert not ChargingDecision.objects.exists()


# --- finding 8: no 500 on page numbers and dates; API errors are JSON ----------------------------


@pytest.mark.parametrize("page", [BIG, 2**62, 9999999999999999999, limits.MAX_PAGE + 1])
def test_api_page_out_of_range_is_a_json_422(page: int) -> None:
    response = Client().get(f"/api/cases?page={page}", **_bearer("intake_ada"))
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/json")
    assert "page" in response.json()["detail"]


@pytest.mark.parametrize(("role", "path"), [
    ("intake_ada", "/cases/intake/"), ("trafficking_ada", "/cases/priority/"),
])
@pytest.mark.parametrize("page", [BIG, 9999999999999999999, limits.MAX_PAGE + 1])
def test_pages_out_of_range_are_the_400_page(role: str, path: str, page: int) -> None:
    make_case(BUYING)
    client, _ = signed_in_client(role)
    response = client.get(f"{path}?page={page}")
    assert response.status_code == 400
    assert b"We could not use that request" in response.content
    assert client.get(f"{path}?page={limits.MAX_PAGE}").status_code == 200


def test_audit_page_with_a_far_date_shows_an_error_not_a_500() -> None:
    client, _ = signed_in_client("admin")
    response = client.get("/audit/?until=9999-12-31&since=0001-01-01")
    assert response.status_code == 200
    assert b"between 1900-01-01 and 2199-12-31" in response.content
    assert client.get(f"/audit/?page={BIG}").status_code == 400


def test_queue_filter_with_a_far_date_shows_an_error() -> None:
    make_case(BUYING)
    client, _ = signed_in_client("intake_ada")
    response = client.get("/cases/intake/?arrested_from=9999-12-31")
    assert response.status_code == 200
    assert b"less than or equal to 2199-12-31" in response.content


@pytest.mark.parametrize(("method", "path", "status"), [
    ("get", "/api/no-such-thing", 404),
    ("delete", "/api/cases", 405),
    ("put", "/api/policy/evaluate", 405),
])
def test_every_api_error_is_json(method: str, path: str, status: int) -> None:
    response = getattr(Client(), method)(path, **_bearer("intake_ada"))
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    assert isinstance(response.json()["detail"], str)


def test_malformed_json_is_a_json_400() -> None:
    response = _post("/api/policy/evaluate", None, _bearer("intake_ada"), raw=b"{not json")
    assert response.status_code == 400
    assert response.json() == {"detail": "the request body is not valid JSON"}


# --- finding 10 (API): errors match the schema; an empty charge list -----------------------------


def test_422_detail_is_a_string_as_the_schema_says() -> None:
    response = _post("/api/policy/evaluate", {"charges": "not a list"}, _bearer("intake_ada"))
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert isinstance(detail, str) and detail.startswith("body.facts.charges")
    error = _openapi()["components"]["schemas"]["ErrorOut"]
    assert error["properties"]["detail"]["type"] == "string"


def test_an_empty_charge_list_is_refused_and_the_schema_says_so() -> None:
    auth = _bearer("intake_ada")
    response = _post("/api/policy/evaluate", {"charges": []}, auth)
    assert response.status_code == 422 and "charges" in response.json()["detail"]
    charges = _openapi()["components"]["schemas"]["FactsIn"]["properties"]["charges"]
    assert charges["minItems"] == 1 and charges["maxItems"] == limits.MAX_CHARGES


# --- finding 4: HEAD, no-store ---------------------------------------------------------------


def test_head_is_answered_where_get_is() -> None:
    anonymous = Client()
    get, head = anonymous.get("/"), anonymous.head("/")
    assert get.status_code == head.status_code == 200
    assert head.content == b"" and head["Content-Length"] == str(len(get.content))
    case = make_case(BUYING)
    client, _ = signed_in_client("intake_ada")
    assert client.head(f"/cases/{case.pk}/").status_code == 200
    assert client.head("/api/cases").status_code == 200
    assert client.head("/cases/intake/").status_code == 200


def test_every_answer_with_personal_data_is_no_store() -> None:
    case = make_case(SELLING)
    client, _ = signed_in_client("intake_ada")
    boss, _ = signed_in_client("supervisor")
    answers = [
        client.get(f"/cases/{case.pk}/"),
        client.get("/cases/intake/"),
        boss.get("/cases/overrides/"),
        client.get(f"/api/cases/{case.pk}"),
        client.get("/api/cases"),
        Client().get("/api/cases"),  # a refusal too
    ]
    for response in answers:
        assert "no-store" in response["Cache-Control"], response.request["PATH_INFO"]
