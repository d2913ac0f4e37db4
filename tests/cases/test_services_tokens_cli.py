"""`sj tokens create|list|revoke`: a token printed once, listed without its secret, revoked."""

from __future__ import annotations

import pytest
from django.test import Client
from tests.factories import make_user
from typer.testing import CliRunner

from survivors_justice.audit.models import AuditRecord
from survivors_justice.cli import app

pytestmark = pytest.mark.django_db


def test_create_list_revoke() -> None:
    owner = make_user("supervisor")
    runner = CliRunner()
    created = runner.invoke(
        app, ["tokens", "create", "nightly-sync", "--role", "supervisor", "--owner", owner.email]
    )
    assert created.exit_code == 0, created.output
    secret = created.stdout.strip().splitlines()[-1]
    assert secret.startswith("sj_") and len(secret) > 40
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    assert Client().get("/api/cases", **auth).status_code == 200

    listed = runner.invoke(app, ["tokens", "list"], env={"COLUMNS": "200"})
    assert listed.exit_code == 0 and "nightly-sync" in listed.stdout
    assert secret not in listed.stdout and secret[10:] not in listed.stdout

    again = runner.invoke(
        app, ["tokens", "create", "nightly-sync", "--role", "supervisor", "--owner", owner.email]
    )
    assert again.exit_code == 2 and "exists" in again.output
    bad_role = runner.invoke(
        app, ["tokens", "create", "x", "--role", "sheriff", "--owner", owner.email]
    )
    assert bad_role.exit_code == 2 and "'sheriff'" in bad_role.output

    revoked = runner.invoke(app, ["tokens", "revoke", "nightly-sync"])
    assert revoked.exit_code == 0
    assert Client().get("/api/cases", **auth).status_code == 401
    assert runner.invoke(app, ["tokens", "revoke", "nightly-sync"]).exit_code == 2
    actions = set(AuditRecord.objects.values_list("action", flat=True))
    assert {"api.token.create", "api.token.revoke"} <= actions
