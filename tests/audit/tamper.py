"""Tampering with the audit log on purpose, to prove `verify` finds it.

The database refuses UPDATE and DELETE of audit records (migration audit.0002) and the ORM refuses
them before that (AuditAppendOnlyError). A forger with the table owner's rights can still drop the
triggers and write SQL; these helpers do just that, inside the test's transaction, through
``append_only_lifted`` (test environment only), with Django's plain QuerySet methods.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from survivors_justice.audit.guard import append_only_lifted
from survivors_justice.audit.models import AuditRecord


def tamper_update(qs: QuerySet[AuditRecord], **fields: Any) -> int:
    with append_only_lifted():
        return QuerySet.update(qs, **fields)


def tamper_delete(qs: QuerySet[AuditRecord]) -> int:
    with append_only_lifted():
        deleted, _ = QuerySet.delete(qs)
        return deleted

