"""The audit administration page and the audit of reads."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from tests.factories import make_user, sign_in

from survivors_justice.accounts.roles import Role
from survivors_justice.audit.guard import append_only_lifted
from survivors_justice.audit.models import AuditRecord
from survivors_justice.audit.reads import audit_list_read, audit_read
from survivors_justice.audit.services import record_event
from survivors_justice.cases.models import Person

pytestmark = pytest.mark.django_db


def admin_client() -> Client:
    return sign_in(Client(), make_user(Role.ADMIN))


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMIN])
def test_only_administrators_open_the_audit_log(role: Role) -> None:
    record_event(actor="someone@example.test", action="case.read", object_type="case",
                 object_id="42")
    client = sign_in(Client(), make_user(role))
    for response in (client.get("/audit/"), client.post("/audit/verify/")):
        assert response.status_code == 403
        assert "someone@example.test" not in response.content.decode()


def test_signed_out_visitors_are_sent_to_sign_in() -> None:
    assert Client().get("/audit/")["Location"].startswith("/accounts/sign-in/")


def test_log_lists_and_filters() -> None:
    for i in range(3):
        record_event(actor=f"ada{i}@example.test", action="case.read", object_type="case",
                     object_id=str(i), source="10.0.0.1")
    record_event(actor="ada9@example.test", action="accounts.sign_in", outcome="failure",
                 source="198.51.100.9", details={"step": "password"})
    client = admin_client()
    page = client.get("/audit/").content.decode()
    assert "ada0@example.test" in page and "ada9@example.test" in page
    only_failures = client.get("/audit/", {"outcome": "failure"}).content.decode()
    assert "ada9@example.test" in only_failures and "ada0@example.test" not in only_failures
    by_actor = client.get("/audit/", {"actor": "ada1"}).content.decode()
    assert "ada1@example.test" in by_actor and "ada2@example.test" not in by_actor
    by_action = client.get("/audit/", {"action": "case", "object_id": "2"}).content.decode()
    assert "ada2@example.test" in by_action and "ada0@example.test" not in by_action
    bad = client.get("/audit/", {"since": "yesterday"})
    assert bad.status_code == 200 and "is not a date" in bad.content.decode()


def test_verification_reports_intact_then_broken() -> None:
    record_event(actor="a@example.test", action="case.read", object_type="case", object_id="1")
    record_event(actor="b@example.test", action="case.read", object_type="case", object_id="2")
    client = admin_client()
    ok = client.post("/audit/verify/", headers={"HX-Request": "true"}).content.decode()
    assert "The chain is intact" in ok
    victim = AuditRecord.objects.get(actor="b@example.test")
    with append_only_lifted(), connection.cursor() as cursor:  # the forger drops the triggers
        cursor.execute("UPDATE audit_auditrecord SET actor = %s WHERE id = %s",
                       ["mallory@example.test", victim.pk])
    broken = client.post("/audit/verify/").content.decode()
    assert "The chain is broken" in broken
    assert f"record #{victim.seq}" in broken
    assert AuditRecord.objects.filter(action="audit.verify", outcome="failed").exists()


def test_audit_read_records_who_what_and_where() -> None:
    person = Person.objects.create(given_name="Ada", family_name="Lovelace")
    request = RequestFactory().get(f"/people/{person.pk}/", REMOTE_ADDR="192.0.2.5")
    request.user = make_user(Role.ADVOCATE)
    audit_read(request, person)
    audit_list_read(request, [person], action="people.list.read")
    read = AuditRecord.objects.get(action="person.read")
    assert (read.actor, read.object_type, read.object_id, read.source) == (
        request.user.email, "person", str(person.pk), "192.0.2.5")
    assert "Lovelace" not in str(read.details)
    listed = AuditRecord.objects.get(action="people.list.read")
    assert listed.details["ids"] == [str(person.pk)]


def test_log_page_query_count_does_not_grow_with_the_log(
    django_assert_max_num_queries: Any,
) -> None:
    client = admin_client()
    for i in range(120):
        record_event(actor=f"ada{i}@example.test", action="case.read", object_type="case",
                     object_id=str(i))
    # session, user, device; count, actions, page; session save (3): the same for any log size
    with django_assert_max_num_queries(9):
        page = client.get("/audit/")
    assert page.status_code == 200
    assert "ada119@example.test" in page.content.decode()  # newest first
    assert "ada0@example.test" not in page.content.decode()  # on a later page
    older = client.get("/audit/", {"page": 3}).content.decode()
    assert "ada0@example.test" in older


def test_htmx_filter_returns_only_the_table() -> None:
    record_event(actor="zed@example.test", action="case.read", object_type="case", object_id="7")
    client = admin_client()
    part = client.get("/audit/", {"actor": "zed"}, headers={"HX-Request": "true"})
    body = part.content.decode()
    assert "zed@example.test" in body and "<html" not in body
