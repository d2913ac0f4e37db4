"""API tokens never outrank their owner (issue 14, finding 2); owner changes revoke them."""

from __future__ import annotations

import hashlib
import json

import pytest
from django.test import Client
from django.utils import timezone
from tests.cases.factories import SELLING, make_case
from tests.factories import make_user, sign_in
from typer.testing import CliRunner

from survivors_justice.accounts import services
from survivors_justice.accounts.roles import Role
from survivors_justice.accounts.tokens import TokenError, create_api_token
from survivors_justice.audit.models import AuditRecord
from survivors_justice.cases.models import ApiToken
from survivors_justice.cli import app
from survivors_justice.permissions import API_ACTIONS, ROLE_ACTIONS

pytestmark = pytest.mark.django_db
runner = CliRunner()

# Written out by hand from the issue: a token has its owner's role or, for office staff who may
# open cases or manage the office, the analyst's (policy evaluation only, no record at all).
NARROWER_BY_HAND = {
    "intake_ada": {"analyst"}, "supervisor": {"analyst"}, "trafficking_ada": {"analyst"},
    "admin": {"analyst"}, "analyst": set(), "advocate": set(), "partner_staff": set(),
    "panel_member": set(),
}


def bearer(secret: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_a_partners_supervisor_token_is_refused_with_a_clear_message() -> None:
    partner = make_user(Role.PARTNER_STAFF, organisation="Safe Harbour")
    result = runner.invoke(app, ["tokens", "create", "sync", "--role", "supervisor",
                                 "--owner", partner.email])
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert "may not act as supervisor" in text and "never outranks its owner" in text
    assert "partner_staff" in text  # what they may use instead
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("owner_role", [r.value for r in Role])
@pytest.mark.parametrize("token_role", [r.value for r in Role])
def test_a_token_has_its_owners_role_or_a_narrower_one(owner_role: str, token_role: str) -> None:
    owner = make_user(owner_role, organisation="Org")
    allowed = token_role == owner_role or token_role in NARROWER_BY_HAND[owner_role]
    if allowed:
        token, _ = create_api_token(actor="t", name="n", role=token_role, owner_email=owner.email)
        assert token.role == token_role
        # a narrower role never grants in the API what the owner lacks (tokens open no page)
        assert ROLE_ACTIONS[token_role] & API_ACTIONS <= ROLE_ACTIONS[owner_role] & API_ACTIONS
    else:
        with pytest.raises(TokenError, match="never outranks its owner"):
            create_api_token(actor="t", name="n", role=token_role, owner_email=owner.email)
        assert not ApiToken.objects.exists()


def test_a_stored_token_above_its_owner_reads_nothing() -> None:
    """A row written before the rule (as in the attack) is refused when used."""
    case = make_case(SELLING, given_name="Marisol", family_name="Quennell-Ashby")
    partner = make_user(Role.PARTNER_STAFF, organisation="Safe Harbour")
    secret = "sj_" + "legacy-token-of-a-partner-0123456789abcdef"
    ApiToken.objects.create(
        name="legacy", role="supervisor", owner=partner, prefix=secret[:9],
        token_hash=hashlib.sha256(secret.encode()).hexdigest(), created_at=timezone.now(),
    )
    for path in ("/api/cases", f"/api/cases/{case.pk}"):
        response = Client().get(path, **bearer(secret))
        assert response.status_code == 401
        assert "Marisol" not in response.content.decode()


def test_changing_the_owners_role_revokes_their_tokens() -> None:
    make_case(SELLING)
    owner = make_user(Role.SUPERVISOR)
    _, secret = create_api_token(actor="t", name="nightly", role="supervisor",
                                 owner_email=owner.email)
    _, narrow = create_api_token(actor="t", name="figures", role="analyst",
                                 owner_email=owner.email)
    assert Client().get("/api/cases", **bearer(secret)).status_code == 200
    admin = make_user(Role.ADMIN)
    sign_in(Client(), admin).post(f"/accounts/users/{owner.pk}/role/", {"role": "intake_ada"},
                                  REMOTE_ADDR="192.0.2.8")
    assert Client().get("/api/cases", **bearer(secret)).status_code == 401
    evaluate = Client().post("/api/policy/evaluate", json.dumps({"charges": []}),
                             content_type="application/json", **bearer(narrow))
    assert evaluate.status_code == 401
    revoked = AuditRecord.objects.filter(action="api.token.revoke").order_by("seq")
    assert [(r.actor, r.source, r.details["name"], r.details["reason"]) for r in revoked] == [
        (admin.email, "192.0.2.8", "nightly", "role changed"),
        (admin.email, "192.0.2.8", "figures", "role changed"),
    ]
    assert ApiToken.objects.filter(revoked_at__isnull=True).count() == 0


def test_deactivating_the_owner_revokes_their_tokens_and_reactivating_does_not_restore() -> None:
    owner = make_user(Role.ANALYST)
    _, secret = create_api_token(actor="t", name="figures", role="analyst",
                                 owner_email=owner.email)
    result = runner.invoke(app, ["users", "deactivate", owner.email])
    assert result.exit_code == 0
    token = ApiToken.objects.get()
    assert token.revoked_at is not None
    record = AuditRecord.objects.get(action="api.token.revoke")
    assert (record.object_id, record.details["reason"], record.source) == (
        str(token.pk), "owner deactivated", "cli")
    services.reactivate_account(email=owner.email, actor="admin@example.test")
    evaluate = Client().post("/api/policy/evaluate", json.dumps({"charges": []}),
                             content_type="application/json", **bearer(secret))
    assert evaluate.status_code == 401
