"""The audit log is append-only in the database itself, on SQLite and on PostgreSQL.

Migration audit.0002 installs triggers that refuse UPDATE and DELETE of audit records (and
TRUNCATE on PostgreSQL) and any chain-head move but one link forward; the ORM refuses the same
before sending SQL. Tampering tests elsewhere lift the triggers on purpose (tests/audit/tamper.py).
"""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.models import QuerySet
from django.test import utils as test_utils
from typer.testing import CliRunner

from survivors_justice.audit import guard
from survivors_justice.audit.cli import audit_app
from survivors_justice.audit.guard import AuditGuardError, append_only_lifted
from survivors_justice.audit.models import AuditAppendOnlyError, AuditHead, AuditRecord
from survivors_justice.audit.services import record_event, verify
from survivors_justice.config import Environment

pytestmark = pytest.mark.django_db

REFUSED = "{op} on audit_auditrecord refused: the audit log is append-only"
HEAD_REFUSED = "UPDATE on audit_audithead refused: the audit chain head only moves one record"


def _log(n: int) -> list[AuditRecord]:
    return [record_event(actor=f"ada{i}@example.org", action="case.read", object_type="case",
                         object_id=str(i), details={"i": i}) for i in range(1, n + 1)]


def _stored() -> list[tuple[Any, ...]]:
    return list(AuditRecord.objects.order_by("seq").values_list("seq", "actor", "hash"))


def _refused_by_database(op: str) -> Any:
    """Expect the trigger's error; the savepoint keeps PostgreSQL's transaction usable."""
    return _Refused(REFUSED.format(op=op))


class _Refused:
    def __init__(self, message: str) -> None:
        self.raises = pytest.raises(IntegrityError, match=re.escape(message))
        self.atomic = transaction.atomic()

    def __enter__(self) -> None:
        self.raises.__enter__()
        self.atomic.__enter__()

    def __exit__(self, *exc: Any) -> bool:
        swallowed = self.atomic.__exit__(*exc)
        return bool(self.raises.__exit__(*exc)) or bool(swallowed)


def _execute(sql: str, params: list[Any] | None = None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)


def _assert_intact(before: list[tuple[Any, ...]]) -> None:
    assert _stored() == before
    result = verify()
    assert result.ok, result.first_break
    assert result.checked == len(before)


def test_the_orm_refuses_changes_with_a_message_saying_what_to_do() -> None:
    records = _log(3)
    before = _stored()
    rec = AuditRecord.objects.get(seq=2)
    rec.actor = "mallory@example.org"
    with pytest.raises(AuditAppendOnlyError, match=r"changing audit record #2 refused: the "
                       r"audit log \(audit_auditrecord\) is append-only\. Record a new event"):
        rec.save()
    with pytest.raises(AuditAppendOnlyError, match=r"deleting audit record #2 refused"):
        rec.delete()
    with pytest.raises(AuditAppendOnlyError, match=r"deleting audit records refused.*record_event"):
        AuditRecord.objects.filter(seq__gte=2).delete()
    with pytest.raises(AuditAppendOnlyError, match=r"updating audit records \(actor\) refused"):
        AuditRecord.objects.filter(seq=1).update(actor="mallory@example.org")
    with pytest.raises(AuditAppendOnlyError, match="append-only"):
        AuditRecord.objects.bulk_update(records, ["actor"])
    with pytest.raises(AuditAppendOnlyError, match="append-only"):
        AuditRecord.objects.update_or_create(seq=1, defaults={"actor": "mallory@example.org"})
    _assert_intact(before)


def test_the_database_refuses_an_update_sent_by_the_orm() -> None:
    _log(3)
    before = _stored()
    # Django's own QuerySet.update: the SQL the ORM would send, without the model's refusal.
    with _refused_by_database("UPDATE"):
        QuerySet.update(AuditRecord.objects.filter(seq=2), actor="mallory@example.org")
    with _refused_by_database("UPDATE"):
        QuerySet.update(AuditRecord.objects.all(), outcome="failure")
    _assert_intact(before)


def test_the_database_refuses_an_update_in_raw_sql() -> None:
    _log(3)
    before = _stored()
    with _refused_by_database("UPDATE"):
        _execute("UPDATE audit_auditrecord SET actor = %s WHERE seq = %s",
                 ["mallory@example.org", 2])
    with _refused_by_database("UPDATE"):
        _execute("UPDATE audit_auditrecord SET seq = seq + 100")
    _assert_intact(before)


def test_the_database_refuses_a_delete() -> None:
    _log(4)
    before = _stored()
    with _refused_by_database("DELETE"):
        QuerySet.delete(AuditRecord.objects.filter(seq=3))
    with _refused_by_database("DELETE"):
        _execute("DELETE FROM audit_auditrecord WHERE seq >= %s", [3])
    with _refused_by_database("DELETE"):  # no WHERE: SQLite's truncate shortcut is off too
        _execute("DELETE FROM audit_auditrecord")
    _assert_intact(before)


def test_postgresql_refuses_truncate() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no TRUNCATE; its DELETE without WHERE is refused above")
    _log(2)
    before = _stored()
    with _refused_by_database("TRUNCATE"):
        _execute("TRUNCATE audit_auditrecord")
    with _refused_by_database("TRUNCATE"):
        _execute("TRUNCATE audit_auditrecord, audit_audithead RESTART IDENTITY")
    _assert_intact(before)


def test_appending_still_works_after_refusals_and_verify_passes() -> None:
    _log(2)
    with _refused_by_database("DELETE"):
        _execute("DELETE FROM audit_auditrecord")
    with _refused_by_database("UPDATE"):
        _execute("UPDATE audit_auditrecord SET actor = 'x'")
    third = record_event(actor="ada3@example.org", action="case.read", object_id="3")
    assert third.seq == 3
    assert AuditHead.objects.values_list("seq", "hash").get() == (3, third.hash)
    result = CliRunner().invoke(audit_app, ["verify"])
    assert result.exit_code == 0, result.output
    assert "OK" in result.output and "3 audit records" in result.output


def test_a_new_record_is_always_inserted_never_updated() -> None:
    first = _log(1)[0]
    forged = AuditRecord(pk=first.pk, seq=2, at=first.at, actor="x", action="x",
                         prev_hash=first.hash, hash="f" * 64)
    # A primary key of a stored row: Django would try an UPDATE first; the model forces INSERT.
    with pytest.raises(IntegrityError), transaction.atomic():
        forged.save()
    assert _stored() == [(1, first.actor, first.hash)]


def test_the_chain_head_moves_only_one_record_forward() -> None:
    records = _log(5)
    head = AuditHead.objects.filter(pk=1)
    for seq, digest in [
        (3, records[2].hash),  # backwards, to a real record
        (5, records[3].hash),  # same seq, another hash
        (6, "e" * 64),  # forward, to a record that does not exist
        (7, records[4].hash),  # skipping ahead
    ]:
        with pytest.raises(IntegrityError, match=re.escape(HEAD_REFUSED)), transaction.atomic():
            head.update(seq=seq, hash=digest)
    assert head.values_list("seq", "hash").get() == (5, records[4].hash)
    assert head.update(seq=5, hash=records[4].hash) == 1  # a no-op save is harmless
    assert record_event(actor="a", action="x").seq == 6
    assert verify().ok


def test_the_head_may_be_deleted_and_is_reseeded_from_the_last_record() -> None:
    records = _log(3)
    assert AuditHead.objects.all().delete()[0] == 1
    assert record_event(actor="a", action="x").prev_hash == records[-1].hash
    assert verify().ok


def test_tamper_helpers_are_refused_outside_a_test_run(monkeypatch: pytest.MonkeyPatch) -> None:
    _log(1)
    monkeypatch.delattr(test_utils._TestState, "saved_data")
    with pytest.raises(AuditGuardError, match=r"lifted only inside a test run.*sj db upgrade"), \
            append_only_lifted():
        pass
    monkeypatch.undo()
    monkeypatch.setattr(guard, "get_config",
                        lambda: SimpleNamespace(env=Environment.PRODUCTION))
    with pytest.raises(AuditGuardError, match=r"SJ_ENV=production"), append_only_lifted():
        pass
    assert AuditRecord.objects.count() == 1


def test_triggers_are_back_after_a_lifted_block_and_after_a_failed_one() -> None:
    _log(2)
    with append_only_lifted():
        assert _execute("UPDATE audit_auditrecord SET actor = 'x' WHERE seq = 1") == 1
    with _refused_by_database("UPDATE"):
        _execute("UPDATE audit_auditrecord SET actor = 'y' WHERE seq = 2")
    with pytest.raises(RuntimeError), append_only_lifted():
        raise RuntimeError("the tampering failed")
    with _refused_by_database("DELETE"):
        _execute("DELETE FROM audit_auditrecord")


@pytest.mark.django_db(transaction=True)
def test_the_test_flush_empties_the_log_and_keeps_the_triggers() -> None:
    _log(3)
    call_command("flush", interactive=False, verbosity=0, reset_sequences=False)
    assert AuditRecord.objects.count() == 0 and not AuditHead.objects.exists()
    _log(1)
    with _refused_by_database("DELETE"):
        _execute("DELETE FROM audit_auditrecord")
    assert verify().ok


@pytest.mark.django_db(transaction=True)
def test_flush_outside_a_test_run_is_refused_before_deleting_anything(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    records = _log(2)
    monkeypatch.delattr(test_utils._TestState, "saved_data")
    with pytest.raises(CommandError, match=r"flushing the database \(which empties the audit "
                       r"log\) is refused.*append-only"):
        call_command("flush", interactive=False, verbosity=0)
    monkeypatch.undo()
    assert [r.hash for r in AuditRecord.objects.all()] == [r.hash for r in records]


@pytest.mark.django_db(transaction=True)
def test_reversing_the_migration_drops_the_triggers() -> None:
    _log(1)
    executor = MigrationExecutor(connection)
    latest = [key for key in executor.loader.graph.leaf_nodes() if key[0] == "audit"]
    try:
        executor.migrate([("audit", "0001_initial")])
        assert _execute("UPDATE audit_auditrecord SET actor = 'x' WHERE seq = 1") == 1
    finally:
        executor.loader.build_graph()
        executor.migrate(latest)
    with _refused_by_database("UPDATE"):
        _execute("UPDATE audit_auditrecord SET actor = 'y' WHERE seq = 1")
