"""The append-only, hash-chained audit log.

Append-only twice over: the ORM refuses to change or delete a stored :class:`AuditRecord`
(:class:`AuditAppendOnlyError`, raised before any SQL is sent), and the database refuses it too
(triggers installed by migration 0002, for raw SQL and any other client). ``record_event`` is the
only writer.
"""

from __future__ import annotations

from typing import Any

from django.db import models

RECORD_TABLE = "audit_auditrecord"


class AuditAppendOnlyError(RuntimeError):
    """An attempt, through the ORM, to change or delete audit records."""

    def __init__(self, what: str) -> None:
        super().__init__(
            f"{what} refused: the audit log ({RECORD_TABLE}) is append-only. Record a new event "
            "with record_event() instead (e.g. a correction naming the record's seq); check the "
            "log with `sj audit verify`"
        )


class AuditRecordQuerySet(models.QuerySet["AuditRecord"]):
    """Reads and inserts only: ``update()``, ``bulk_update()`` and ``delete()`` raise
    :class:`AuditAppendOnlyError` before any SQL is sent (so the caller's transaction stays
    usable)."""

    def update(self, **kwargs: Any) -> int:
        raise AuditAppendOnlyError(f"updating audit records ({', '.join(sorted(kwargs))})")

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        raise AuditAppendOnlyError(f"updating audit records ({', '.join(sorted(fields))})")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditAppendOnlyError("deleting audit records")

    delete.queryset_only = True  # type: ignore[attr-defined]  # no Manager.delete(), as in Django


class AuditRecord(models.Model):
    """One event: who did what to which object, when, from where, and how it ended.

    ``hash`` is SHA-256 over ``prev_hash`` and this record's canonical content, so changing,
    removing or reordering a record breaks the chain (`sj audit verify`).
    """

    seq = models.BigIntegerField(unique=True)
    at = models.DateTimeField()
    actor = models.CharField(max_length=254)
    action = models.CharField(max_length=100)
    object_type = models.CharField(max_length=100, blank=True, default="")
    object_id = models.CharField(max_length=100, blank=True, default="")
    source = models.CharField(max_length=100, blank=True, default="")
    outcome = models.CharField(max_length=20, default="success")
    details = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditRecordQuerySet.as_manager()

    class Meta:
        ordering = ("seq",)
        indexes = [models.Index(fields=["action", "at"]), models.Index(fields=["actor", "at"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.at:%Y-%m-%d %H:%M} {self.actor} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Insert a new record; an already stored one cannot be saved again."""
        if not self._state.adding:
            raise AuditAppendOnlyError(f"changing audit record #{self.seq}")
        kwargs["force_insert"] = True  # never an UPDATE, even with a primary key set
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditAppendOnlyError(f"deleting audit record #{self.seq}")


class AuditHead(models.Model):
    """The chain head: one row (pk=1) holding the last record's ``seq`` and ``hash``.

    Every append locks this row first (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite's write
    transactions are already serialised), so concurrent writers cannot fork the chain. It also
    lets ``verify`` notice records removed from, or appended behind the back of, the tail.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"audit head #{self.seq}"
