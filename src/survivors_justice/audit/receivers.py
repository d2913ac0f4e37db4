"""Audit records for events other layers signal (they may not import the audit services)."""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction

from survivors_justice.fields import decryption_failed


def _record_decryption_failure(sender: Any, *, table: str, column: str, row_id: Any,
                               error: str, **kwargs: Any) -> None:
    """A personal value failed to decrypt for its row: audited with its place, no plaintext."""
    from survivors_justice.audit.services import record_event

    def record() -> None:
        with transaction.atomic():
            record_event(actor="system", action="crypto.decrypt.failed", object_type=table,
                         object_id=str(row_id), outcome="failed",
                         details={"column": column, "error": error})

    if connection.in_atomic_block:  # the failing request's transaction may roll back
        transaction.on_commit(record, robust=True)
    else:
        record()


def connect() -> None:
    decryption_failed.connect(_record_decryption_failure, dispatch_uid="sj-audit-decryption")
