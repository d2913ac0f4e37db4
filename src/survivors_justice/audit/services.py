"""The only writer of the audit log: :func:`record_event`, and :func:`verify` to check it.

Call ``record_event`` inside the transaction of the action it records, so the action and its record
commit or roll back together. Appends are serialised by locking the chain head row: ``SELECT ...
FOR UPDATE`` on PostgreSQL; on SQLite the project opens every transaction with ``BEGIN IMMEDIATE``
(settings ``transaction_mode``), which already holds the database's single write lock.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from django.db import connection, transaction

from survivors_justice.audit.chain import (
    GENESIS_HASH,
    StoredRecord,
    VerifyResult,
    chain_hash,
    content_of,
    normalise_details,
    walk,
)
from survivors_justice.audit.models import AuditHead, AuditRecord
from survivors_justice.locks import advisory_xact_lock

HEAD_ID = 1
HEAD_SEED_LOCK = 0x5_1A_0D17  # advisory lock key held while the chain head is first created
OUTCOMES = ("success", "failure", "refused", "not_found", "denied", "failed")


class AuditOutcomeError(ValueError):
    """An outcome outside the list the log accepts."""


def _locked_head() -> AuditHead:
    """The chain head row, locked for this transaction; created (once) if it does not exist."""
    head = AuditHead.objects.select_for_update().filter(pk=HEAD_ID).first()
    if head is not None:
        return head
    if connection.vendor == "postgresql":
        # First writers queue here until the one that seeds the head commits; each then finds it.
        # Without the queue a writer could seed from a tail another writer has since moved.
        with connection.cursor() as cursor:
            advisory_xact_lock(cursor, HEAD_SEED_LOCK)
        head = AuditHead.objects.select_for_update().filter(pk=HEAD_ID).first()
        if head is not None:
            return head
    last = AuditRecord.objects.order_by("-seq").only("seq", "hash").first()
    seed = AuditHead(
        id=HEAD_ID,
        seq=last.seq if last else 0,
        hash=last.hash if last else GENESIS_HASH,
    )
    AuditHead.objects.bulk_create([seed], ignore_conflicts=True)
    return AuditHead.objects.select_for_update().get(pk=HEAD_ID)


def actor_label(actor: Any) -> str:
    """How the log names who acted: an API token as ``token:NAME (owner's email)``, an account by
    its email, anything else (a ``cli:`` label) as given."""
    label = getattr(actor, "audit_label", None)
    return str(label) if label else str(getattr(actor, "email", actor))


def record_event(
    *,
    actor: str,
    action: str,
    object_type: str = "",
    object_id: str = "",
    source: str = "",
    outcome: str = "success",
    details: Mapping[str, Any] | None = None,
) -> AuditRecord:
    """Append one record to the audit log and return it.

    ``actor`` is who acted (an account's email, or ``cli:<os user>``), ``action`` a dotted verb
    (``arrests.import``), ``object_type``/``object_id`` what it acted on, ``source`` where from (an
    IP address, ``cli``), ``outcome`` one of :data:`OUTCOMES`, ``details`` plain JSON (never
    personal data: the log is kept for years and read by administrators).
    """
    if outcome not in OUTCOMES:
        raise AuditOutcomeError(
            f"audit outcome {outcome!r} is not one of {', '.join(OUTCOMES)}; pick the closest"
        )
    clean = normalise_details(details)
    with transaction.atomic():
        head = _locked_head()
        seq = head.seq + 1
        at = datetime.now(tz=UTC)
        fields: dict[str, Any] = {
            "actor": actor[:254],
            "action": action[:100],
            "object_type": object_type[:100],
            "object_id": str(object_id)[:100],
            "source": source[:100],
            "outcome": outcome,
        }
        digest = chain_hash(head.hash, content_of(seq=seq, at=at, details=clean, **fields))
        record = AuditRecord.objects.create(
            seq=seq, at=at, details=clean, prev_hash=head.hash, hash=digest, **fields
        )
        head.seq, head.hash = seq, digest
        head.save(update_fields=["seq", "hash"])
    return record


def _stored(batch_size: int) -> Iterator[StoredRecord]:
    rows = AuditRecord.objects.order_by("seq").values_list(
        "id", "seq", "at", "actor", "action", "object_type", "object_id", "source", "outcome",
        "details", "prev_hash", "hash",
    )
    for row in rows.iterator(chunk_size=batch_size):
        yield StoredRecord(*row)


def _seq_by_hash(digest: str) -> int | None:
    return AuditRecord.objects.filter(hash=digest).values_list("seq", flat=True).first()


def verify(*, batch_size: int = 2000) -> VerifyResult:
    """Walk the whole log; ``result.ok`` or ``result.first_break`` (seq, kind, reason)."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            # One snapshot for the head and every record, even while others keep appending.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        head_row = AuditHead.objects.filter(pk=HEAD_ID).values_list("seq", "hash").first()
        return walk(_stored(batch_size), head=head_row, find_seq_by_hash=_seq_by_hash)


class AnchorHeadError(RuntimeError):
    """The chain head does not point at a stored record; anchoring it would endorse a break."""


def head_for_anchor() -> tuple[int, str]:
    """The head's ``(seq, hash)``, after checking that the head record is stored with that hash
    (an anchor of a head that points nowhere would anchor a break)."""
    with transaction.atomic():
        head = AuditHead.objects.filter(pk=HEAD_ID).values_list("seq", "hash").first()
        last = AuditRecord.objects.order_by("-seq").values_list("seq", "hash").first()
    if head is None:
        head = last or (0, GENESIS_HASH)
    if head[0] and (last is None or tuple(last) != tuple(head)):
        raise AnchorHeadError(
            f"the chain head (#{head[0]}) is not the last stored record "
            f"({'none' if last is None else f'#{last[0]}'}); run `sj audit verify` and anchor "
            "only an intact log"
        )
    return int(head[0]), str(head[1])


def stored_hash(seq: int) -> str | None:
    return AuditRecord.objects.filter(seq=seq).values_list("hash", flat=True).first()
