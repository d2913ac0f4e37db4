"""Anchoring: no insert rewrites the log, and a forger who owns the database is still caught.

The forger here knows everything but the anchor key: the hash rule (they recompute every hash),
the SQL (INSERT OR REPLACE, ON CONFLICT), and they can drop the triggers (``append_only_lifted``,
which is the DDL a table owner would run) and truncate. Without anchors `verify` cannot tell; with
them it must.
"""

from __future__ import annotations

import json
import re
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet
from typer.testing import CliRunner

from survivors_justice.audit.anchors import create_key
from survivors_justice.audit.chain import chain_hash, content_of
from survivors_justice.audit.cli import audit_app
from survivors_justice.audit.guard import append_only_lifted
from survivors_justice.audit.models import AuditHead, AuditRecord
from survivors_justice.audit.services import record_event, verify
from survivors_justice.config import get_config

pytestmark = pytest.mark.django_db

RECORD_REFUSED = "INSERT on audit_auditrecord refused: records are only appended at the chain head"
HEAD_REFUSED = "audit_audithead refused"


def _log(n: int) -> list[AuditRecord]:
    return [record_event(actor=f"ada{i}@example.org", action="case.read", object_type="case",
                         object_id=str(i), details={"i": i}) for i in range(1, n + 1)]


def _stored() -> list[tuple[Any, ...]]:
    return list(AuditRecord.objects.order_by("seq").values_list("id", "seq", "actor", "hash"))


def _forged(rec: AuditRecord, *, prev_hash: str, **changes: Any) -> dict[str, Any]:
    """A record as a forger would write it: content changed, hash recomputed by the rule."""
    fields = {"actor": rec.actor, "action": rec.action, "object_type": rec.object_type,
              "object_id": rec.object_id, "source": rec.source, "outcome": rec.outcome,
              **changes}
    digest = chain_hash(prev_hash, content_of(seq=rec.seq, at=rec.at, details=rec.details,
                                              **fields))
    return {"id": rec.id, "seq": rec.seq, "at": rec.at, "details": json.dumps(rec.details),
            "prev_hash": prev_hash, "hash": digest, **fields}


def _insert(values: dict[str, Any], *, table: str = "audit_auditrecord") -> None:
    cols = list(values)
    if connection.vendor == "sqlite":
        sql = (f"INSERT OR REPLACE INTO {table} ({', '.join(cols)}) "  # noqa: S608 (test)
               f"VALUES ({', '.join(['%s'] * len(cols))})")
    else:
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in cols if c != "id")
        sql = (f"INSERT INTO {table} ({', '.join(cols)}) "  # noqa: S608 (test)
               f"VALUES ({', '.join(['%s'] * len(cols))}) ON CONFLICT (id) DO UPDATE SET {updates}")
    params = [connection.ops.adapt_datetimefield_value(v) if k == "at" else v
              for k, v in values.items()]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_insert_or_replace_of_a_record_with_a_recomputed_hash_is_refused() -> None:
    records = _log(4)
    before = _stored()
    forged = _forged(records[1], prev_hash=records[0].hash, actor="someone.else@example.org")
    with pytest.raises(IntegrityError, match=r"refused"), transaction.atomic():
        _insert(forged)
    # Also at the head position, reusing a stored record's id (REPLACE would delete #2).
    at_head = {**_forged(records[1], prev_hash=records[3].hash), "seq": 5}
    at_head["hash"] = "a" * 64
    # SQLite: the INSERT trigger refuses (the id is taken); PostgreSQL: the insert passes the head
    # rule, conflicts on the id, and ON CONFLICT's UPDATE is refused.
    refusal = RECORD_REFUSED if connection.vendor == "sqlite" else "UPDATE on audit_auditrecord"
    with pytest.raises(IntegrityError, match=re.escape(refusal)), transaction.atomic():
        _insert(at_head)
    assert _stored() == before and verify().ok


def test_insert_or_replace_of_the_head_is_refused() -> None:
    records = _log(4)
    for seq, digest in [(2, records[1].hash), (4, "c" * 64), (9, "b" * 64)]:
        with pytest.raises(IntegrityError, match=HEAD_REFUSED), transaction.atomic():
            _insert({"id": 1, "seq": seq, "hash": digest}, table="audit_audithead")
    assert AuditHead.objects.values_list("seq", "hash").get() == (4, records[3].hash)
    assert record_event(actor="a", action="x").seq == 5 and verify().ok


def test_only_an_append_at_the_head_is_accepted() -> None:
    records = _log(3)
    last = records[-1]
    for seq, prev in [(5, last.hash), (4, records[1].hash), (3, records[1].hash)]:
        values = {k: v for k, v in _forged(last, prev_hash=prev).items() if k != "id"}
        values["seq"] = seq
        with pytest.raises(IntegrityError, match=r"refused|UNIQUE|unique"), transaction.atomic():
            _insert(values)
    assert record_event(actor="a", action="x").seq == 4 and verify().ok


def _rehash_from(seq: int, **changes: Any) -> None:
    """The forger's rewrite: change record #seq, recompute its hash and every later one, move the
    head; all with the triggers dropped (as the table's owner can)."""
    with append_only_lifted():
        prev = AuditRecord.objects.get(seq=seq - 1).hash if seq > 1 else "0" * 64
        for rec in AuditRecord.objects.filter(seq__gte=seq).order_by("seq"):
            values = _forged(rec, prev_hash=prev, **(changes if rec.seq == seq else {}))
            QuerySet.update(AuditRecord.objects.filter(pk=rec.pk), prev_hash=prev,
                            hash=values["hash"], actor=values["actor"])
            prev = values["hash"]
        AuditHead.objects.filter(pk=1).update(hash=prev)


def _truncate_after(seq: int) -> None:
    with append_only_lifted():
        QuerySet.delete(AuditRecord.objects.filter(seq__gt=seq))
        last = AuditRecord.objects.get(seq=seq)
        AuditHead.objects.filter(pk=1).update(seq=seq, hash=last.hash)


@pytest.fixture
def keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("SJ_AUDIT_ANCHOR_KEY_FILE", str(tmp_path / "keys" / "anchor.key"))
    monkeypatch.setenv("SJ_AUDIT_ANCHOR_FILE", str(tmp_path / "anchors.jsonl"))
    get_config.cache_clear()
    yield tmp_path / "anchors.jsonl"
    monkeypatch.undo()
    get_config.cache_clear()


def _anchor(*args: str) -> Any:
    result = CliRunner().invoke(audit_app, ["anchor", *args])
    assert result.exit_code == 0, result.output
    return result


def _verify(anchors: Path, *args: str) -> Any:
    return CliRunner().invoke(audit_app, ["verify", "--anchors", str(anchors), *args])


def test_anchor_writes_a_private_signed_line_with_a_private_key(keys: Path) -> None:
    records = _log(3)
    out = _anchor()
    key_file = keys.parent / "keys" / "anchor.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(keys.stat().st_mode) == 0o600
    line = json.loads(keys.read_text())
    assert (line["seq"], line["hash"]) == (3, records[-1].hash)
    assert f"#3 {records[-1].hash}" in out.output
    # A second anchor appends (the first stays) and links to the first.
    _log(1)
    _anchor()
    lines = keys.read_text().splitlines()
    assert len(lines) == 2 and json.loads(lines[1])["seq"] == 4
    ok = _verify(keys)
    assert ok.exit_code == 0, ok.output
    assert "Anchors OK: 2 anchor(s)" in ok.output


def test_a_full_rewrite_with_recomputed_hashes_passes_verify_but_not_the_anchors(
    keys: Path,
) -> None:
    _log(5)
    _anchor()
    _log(2)  # records after the anchor are the log going on, not a break
    _rehash_from(2, actor="someone.else@example.org")
    assert verify().ok  # the chain alone cannot tell: every hash was recomputed
    result = _verify(keys, "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["ok"] is True and report["anchors"]["ok"] is False
    assert "record #5" in report["anchors"]["problem"]
    assert "rewritten" in report["anchors"]["problem"]


def test_a_rewrite_after_the_last_anchor_is_outside_what_anchors_can_prove(keys: Path) -> None:
    _log(5)
    _anchor()
    _log(2)
    _rehash_from(7, actor="x@example.org")
    assert _verify(keys).exit_code == 0


def test_truncation_after_dropping_the_triggers_is_detected(keys: Path) -> None:
    _log(5)
    _anchor()
    _truncate_after(3)
    assert verify().ok  # the head was moved back with the records: the chain holds
    result = _verify(keys)
    assert result.exit_code == 1
    assert "truncated: it ends at record #3, but record #5 was anchored" in result.output
    # Appending two new records to reach #5 again does not hide it: #5 has another hash.
    _log(2)
    again = _verify(keys)
    assert again.exit_code == 1 and "rewritten: record #5" in again.output


def test_a_forged_or_removed_anchor_line_is_detected(keys: Path, tmp_path: Path) -> None:
    _log(3)
    _anchor()
    _log(2)
    _anchor()
    _log(1)
    _anchor()
    good = keys.read_text().splitlines()
    _truncate_after(3)
    # The forger edits the later anchors to the truncated head: the signature breaks.
    edited = json.loads(good[1])
    edited.update(seq=3, hash=AuditRecord.objects.get(seq=3).hash)
    keys.write_text("\n".join([good[0], json.dumps(edited), good[2]]) + "\n")
    result = _verify(keys)
    assert result.exit_code == 1 and "line 2: the signature does not match" in result.output
    # They sign with a key of their own: it is not the office's key.
    other = create_key(tmp_path / "forger.key")
    from survivors_justice.audit.anchors import append_anchor

    forged_file = tmp_path / "forged.jsonl"
    append_anchor(forged_file, other, seq=3, head_hash=AuditRecord.objects.get(seq=3).hash)
    result = _verify(forged_file)
    assert result.exit_code == 1 and "not this key" in result.output
    # They remove the middle line: the third no longer follows the first.
    keys.write_text("\n".join([good[0], good[2]]) + "\n")
    result = _verify(keys)
    assert result.exit_code == 1 and "line 2 does not follow the line before it" in result.output


def test_verify_checks_anchors_with_the_public_half_only(keys: Path, tmp_path: Path) -> None:
    _log(2)
    _anchor()
    public = tmp_path / "anchor.pub"
    public.write_text(_anchor("--public-key").stdout)
    assert "PUBLIC KEY" in public.read_text()
    result = _verify(keys, "--public-key", str(public))
    assert result.exit_code == 0, result.output


def test_production_never_creates_the_key_and_refuses_a_key_readable_by_others(
    keys: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _log(1)
    from survivors_justice.audit import cli as audit_cli
    from survivors_justice.config import Environment

    real = get_config()
    monkeypatch.setattr("survivors_justice.config.get_config",
                        lambda: real.model_copy(update={"env": Environment.PRODUCTION}))
    result = CliRunner().invoke(audit_app, ["anchor"])
    assert result.exit_code == 2 and "cannot read the anchor key" in result.output
    assert not keys.exists() and audit_cli is not None
    _anchor("--create-key")
    key_file = keys.parent / "keys" / "anchor.key"
    key_file.chmod(0o644)
    result = CliRunner().invoke(audit_app, ["anchor"])
    assert result.exit_code == 2 and "readable by others (mode 644)" in result.output


def test_verify_with_the_audit_table_dropped_is_a_clear_error() -> None:
    _log(2)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE audit_auditrecord")
    result = CliRunner().invoke(audit_app, ["verify"])
    assert result.exit_code == 2
    assert "the audit log cannot be read" in result.output and "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_an_anchor_file_written_with_another_key_is_not_appended_to(
    keys: Path, tmp_path: Path
) -> None:
    _log(2)
    _anchor()
    before = keys.read_text()
    (keys.parent / "keys" / "anchor.key").unlink()  # e.g. a restored store given a new key
    result = CliRunner().invoke(audit_app, ["anchor"])
    assert result.exit_code == 2
    assert "was written with anchor key" in " ".join(result.output.split())
    assert keys.read_text() == before
