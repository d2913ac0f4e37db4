"""Property-based fuzzing of the whole OpenAPI schema with schemathesis, signed in as each role.

Every operation of the published schema gets generated requests (valid and invalid) through the
real WSGI application with a bearer token of each role; the run fails on any 5xx, an undocumented
status code, a wrong content type, or a body that does not match the schema. Bounded: a fixed
number of examples per operation and role, fewer for the roles the permission module gives no API
action (every answer to them is the same refusal, checked against the schema all the same), about
a minute and a half on the 2-core CI machine. Marked
``fuzz``: it runs once, in the SQLite run (the Makefile leaves it out of the PostgreSQL run).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from tests.cases.factories import BUYING, SELLING, make_case
from tests.factories import make_user

from survivors_justice.accounts.roles import Role
from survivors_justice.accounts.tokens import create_api_token
from survivors_justice.api import api
from survivors_justice.cases import decisions
from survivors_justice.cases.flows import CaseState
from survivors_justice.permissions import API_ACTIONS, ROLE_ACTIONS, Action
from survivors_justice.policy import load_policy

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]

EXAMPLES_PER_OPERATION = 10
EXAMPLES_PER_REFUSED_OPERATION = 3
# Roles with some API action besides reading the documentation, and the rest, from the permission
# module's table (so a role given API work later is fuzzed in full without editing this file).
API_ROLES = [r for r in Role.values if ROLE_ACTIONS[r] & (API_ACTIONS - {Action.API_DOCS})]
REFUSED_ROLES = [r for r in Role.values if r not in API_ROLES]
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]

schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api"))


class _TestWSGIHandler(WSGIHandler):
    """Django's WSGI application, minus closing the test transaction's connection after each
    request (what Django's own test client does too)."""


@pytest.fixture
def app() -> Iterator[WSGIHandler]:
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield _TestWSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def tokens() -> dict[str, str]:
    """A bearer token per role, and data for the operations to find: cases in intake and in
    prosecution, and an override waiting for a supervisor."""
    selling = make_case(SELLING)
    make_case(BUYING, state=CaseState.PROSECUTING)
    ada = make_user(Role.INTAKE_ADA)
    decisions.override_recommendation(
        actor=ada, case_id=selling.pk, outcomes={"1": "prosecute"}, reason_category="other",
        reason_text="The complaint shows she ran the operation and took the earnings.",
        policy_version=load_policy().version,
    )
    secrets = {}
    for role in Role.values:
        owner = make_user(role)
        _, secret = create_api_token(
            actor="test", name=f"fuzz-{role}", role=role, owner_email=owner.email
        )
        secrets[role] = secret
    return secrets


def _fuzz(case: Any, role: str, tokens: dict[str, str], app: WSGIHandler) -> None:
    case.call_and_validate(
        app=app, headers={"Authorization": f"Bearer {tokens[role]}"}, checks=CHECKS
    )


def _settings(examples: int) -> Any:
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )


def test_the_role_split_covers_every_role() -> None:
    assert set(API_ROLES) | set(REFUSED_ROLES) == set(Role.values)
    assert {"intake_ada", "supervisor"} <= set(API_ROLES)  # the roles that decide through the API
    assert "partner_staff" in REFUSED_ROLES


@pytest.mark.parametrize("role", API_ROLES)
@schema.parametrize()
@_settings(EXAMPLES_PER_OPERATION)
def test_every_operation_matches_its_schema(
    case: Any, role: str, tokens: dict[str, str], app: WSGIHandler
) -> None:
    _fuzz(case, role, tokens, app)


@pytest.mark.parametrize("role", REFUSED_ROLES)
@schema.parametrize()
@_settings(EXAMPLES_PER_REFUSED_OPERATION)
def test_every_operation_refuses_a_role_without_api_work_per_its_schema(
    case: Any, role: str, tokens: dict[str, str], app: WSGIHandler
) -> None:
    _fuzz(case, role, tokens, app)
