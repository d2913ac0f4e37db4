"""The audit log's hash chain: appends link, and verify finds the first tampered record."""

from __future__ import annotations

import itertools
import threading
from datetime import UTC, datetime

import pytest
from django.db import connection, transaction
from tests.audit.tamper import tamper_delete, tamper_update
from typer.testing import CliRunner

from survivors_justice.audit.chain import AuditDetailsError, BreakKind, normalise_details
from survivors_justice.audit.cli import audit_app
from survivors_justice.audit.models import AuditHead, AuditRecord
from survivors_justice.audit.services import AuditOutcomeError, record_event, verify

pytestmark = pytest.mark.django_db


def _log(n: int) -> list[AuditRecord]:
    return [
        record_event(
            actor=f"ada{i}@example.org", action="case.read", object_type="case",
            object_id=str(i), source="127.0.0.1", details={"i": i, "note": "ünïcode", "ratio": 2.5},
        )
        for i in range(1, n + 1)
    ]


def test_records_link_and_verify_ok() -> None:
    records = _log(5)
    assert [r.seq for r in records] == [1, 2, 3, 4, 5]
    assert records[0].prev_hash == "0" * 64
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(records))
    result = verify()
    assert result.ok, result.first_break
    assert result.checked == 5
    assert (result.head_seq, result.head_hash) == (5, records[-1].hash)


def test_empty_log_verifies() -> None:
    assert verify().ok


def test_edited_record_is_reported_as_changed() -> None:
    _log(5)
    assert tamper_update(AuditRecord.objects.filter(seq=3), outcome="failure") == 1
    result = verify()
    assert not result.ok
    assert result.first_break is not None
    assert (result.first_break.seq, result.first_break.kind) == (3, BreakKind.CHANGED)
    assert result.checked == 2


def test_edited_details_are_reported_as_changed() -> None:
    _log(4)
    rec = AuditRecord.objects.get(seq=2)
    tamper_update(AuditRecord.objects.filter(pk=rec.pk), details={**rec.details, "i": 99})
    brk = verify().first_break
    assert brk is not None and (brk.seq, brk.kind) == (2, BreakKind.CHANGED)


def test_deleted_record_is_reported_as_removed() -> None:
    _log(5)
    assert tamper_delete(AuditRecord.objects.filter(seq=3)) == 1
    brk = verify().first_break
    assert brk is not None
    assert (brk.seq, brk.kind) == (4, BreakKind.REMOVED)
    assert "#3" in brk.reason


def test_deleted_tail_is_reported_by_the_head() -> None:
    _log(5)
    assert tamper_delete(AuditRecord.objects.filter(seq__gte=4)) == 2
    brk = verify().first_break
    assert brk is not None and brk.kind == BreakKind.REMOVED
    assert "#4..#5" in brk.reason


def test_reordered_records_are_reported_out_of_order() -> None:
    _log(5)
    # Swap the positions of records 3 and 4 (via a free seq value: seq is unique).
    tamper_update(AuditRecord.objects.filter(seq=3), seq=-1)
    tamper_update(AuditRecord.objects.filter(seq=4), seq=3)
    tamper_update(AuditRecord.objects.filter(seq=-1), seq=4)
    brk = verify().first_break
    assert brk is not None
    assert (brk.seq, brk.kind) == (3, BreakKind.OUT_OF_ORDER)


def test_record_appended_outside_record_event_is_reported() -> None:
    records = _log(3)
    last = records[-1]
    # A forger who knows the hashing scheme but not the head: a self-consistent 4th record.
    from survivors_justice.audit.chain import chain_hash, content_of

    at = datetime.now(tz=UTC)
    fields = {"actor": "x", "action": "case.delete", "object_type": "case", "object_id": "1",
              "source": "", "outcome": "success"}
    digest = chain_hash(last.hash, content_of(seq=4, at=at, details={}, **fields))
    AuditRecord.objects.create(seq=4, at=at, details={}, prev_hash=last.hash, hash=digest, **fields)
    brk = verify().first_break
    assert brk is not None and brk.kind == BreakKind.INSERTED


def test_missing_head_with_records_is_a_break() -> None:
    _log(2)
    AuditHead.objects.all().delete()
    brk = verify().first_break
    assert brk is not None and brk.kind == BreakKind.REMOVED


def test_head_is_recreated_after_a_flush_of_the_head_only_when_log_is_empty() -> None:
    AuditHead.objects.all().delete()
    rec = record_event(actor="a", action="x")
    assert rec.seq == 1 and verify().ok


def test_record_rolls_back_with_the_callers_transaction() -> None:
    _log(1)
    with pytest.raises(RuntimeError), transaction.atomic():
        record_event(actor="a", action="case.update")
        raise RuntimeError("the action failed")
    assert AuditRecord.objects.count() == 1
    assert record_event(actor="a", action="again").seq == 2
    assert verify().ok


def test_bad_outcome_and_details_are_refused() -> None:
    with pytest.raises(AuditOutcomeError, match="'maybe'"):
        record_event(actor="a", action="x", outcome="maybe")
    with pytest.raises(AuditDetailsError, match=r"date\.isoformat"):
        record_event(actor="a", action="x", details={"when": datetime.now(tz=UTC)})
    assert AuditRecord.objects.count() == 0


def test_integral_floats_are_stored_as_integers() -> None:
    assert normalise_details({"a": 1e20, "b": 2.0, "c": 0.1}) == {"a": 10**20, "b": 2, "c": 0.1}
    record_event(actor="a", action="x", details={"a": 1e20, "b": 2.0, "c": 1.5e-7})
    assert verify().ok


def test_cli_verify_exit_codes() -> None:
    _log(3)
    runner = CliRunner()
    ok = runner.invoke(audit_app, ["verify"])
    assert ok.exit_code == 0, ok.output
    assert "OK" in ok.output and "3 audit records" in ok.output
    tamper_update(AuditRecord.objects.filter(seq=2), actor="someone-else")
    broken = runner.invoke(audit_app, ["verify", "--json"])
    assert broken.exit_code == 1
    assert '"kind": "changed"' in broken.output and '"seq": 2' in broken.output


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_chain() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("in-memory SQLite test database; writers are serialised by BEGIN IMMEDIATE")
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(20):
                with transaction.atomic():
                    record_event(actor=f"w{n}", action="case.read", object_id=str(i))
        except BaseException as exc:  # report any failure from the thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert AuditRecord.objects.count() == 80
    result = verify()
    assert result.ok, result.first_break
    assert result.head_seq == 80


@pytest.mark.django_db(transaction=True)
def test_the_first_writer_holds_up_writers_of_its_own_store_only() -> None:
    """The first writer queues the others on an advisory lock while it seeds the chain head.
    Advisory keys are shared by every database of a server: the lock must hold up another
    writer of the same store and never one of another store (another database, such as a
    second test worker's) on the same server."""
    if connection.vendor != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's; SQLite writers queue on BEGIN IMMEDIATE")
    import psycopg
    from psycopg import errors

    from survivors_justice.audit.services import HEAD_SEED_LOCK
    from survivors_justice.locks import advisory_xact_lock

    assert not AuditHead.objects.exists()
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)

    def try_lock(dbname: str) -> bool:
        with psycopg.connect(**{**params, "dbname": dbname}) as other, other.cursor() as cur:
            cur.execute("SET lock_timeout = '1s'")
            try:
                advisory_xact_lock(cur, HEAD_SEED_LOCK)
            except errors.LockNotAvailable:
                return False
            return True

    with transaction.atomic():
        record_event(actor="first@example.test", action="case.read", object_id="1")
        assert not try_lock(params["dbname"])  # a writer of this store waits for the seed
        assert try_lock("postgres")  # another database on the server is not held up
    assert try_lock(params["dbname"])  # committed: the lock is free
