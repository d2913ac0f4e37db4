"""Refused attempts (403, 404) are audited: who, what, where from; nothing of the record."""

from __future__ import annotations

import pytest
from django.test import Client
from tests.cases.factories import SELLING, make_case
from tests.factories import make_user, sign_in

from survivors_justice.accounts.roles import Role
from survivors_justice.accounts.tokens import create_api_token
from survivors_justice.audit.models import AuditRecord

pytestmark = pytest.mark.django_db


def refusals() -> list[AuditRecord]:
    return list(AuditRecord.objects.filter(outcome__in=["refused", "not_found"]).order_by("seq"))


def test_a_page_refused_by_role_is_audited_as_refused() -> None:
    user = make_user(Role.ANALYST)
    client = sign_in(Client(), user)
    assert client.get("/accounts/users/", REMOTE_ADDR="192.0.2.44").status_code == 403
    [record] = refusals()
    assert (record.actor, record.action, record.object_type, record.object_id, record.source,
            record.outcome) == (user.email, "accounts.manage", "path", "/accounts/users/",
                                "192.0.2.44", "refused")


def test_a_hidden_case_and_a_missing_one_are_audited_alike() -> None:
    case = make_case(SELLING, given_name="Wilhelmina", family_name="Oyelaran-Pike")
    user = make_user(Role.TRAFFICKING_ADA)  # may not see a seller case in intake
    client = sign_in(Client(), user)
    assert client.get(f"/cases/{case.pk}/?q=Wilhelmina").status_code == 404
    assert client.get("/cases/99999999/").status_code == 404
    hidden, missing = refusals()
    assert (hidden.action, hidden.outcome, hidden.object_id) == (
        "cases.view", "not_found", f"/cases/{case.pk}/")
    assert (missing.action, missing.outcome, missing.object_id) == (
        "cases.view", "not_found", "/cases/99999999/")
    assert hidden.details == missing.details == {"method": "GET", "status": 404}
    for record in (hidden, missing):
        text = repr(record.__dict__)
        assert "Wilhelmina" not in text and "Oyelaran" not in text and case.number not in text


def test_api_refusals_name_the_token() -> None:
    owner = make_user(Role.ANALYST)
    _, secret = create_api_token(actor="admin", name="analysis-box", role="analyst",
                                 owner_email=owner.email)
    response = Client().get("/api/cases", HTTP_AUTHORIZATION=f"Bearer {secret}",
                            REMOTE_ADDR="192.0.2.50")
    assert response.status_code == 403
    [record] = refusals()
    assert record.actor == f"token:analysis-box ({owner.email})"
    assert (record.object_id, record.source, record.outcome) == ("/api/cases", "192.0.2.50",
                                                                 "refused")


def test_signed_out_visitors_and_unknown_pages_do_not_flood_the_log() -> None:
    assert Client().get("/no-such-page/").status_code in (302, 404)
    assert Client().get("/api/cases/1").status_code == 401
    client = sign_in(Client(), make_user(Role.SUPERVISOR))
    assert client.get("/favicon.ico").status_code == 404
    assert refusals() == []
