"""The append-only, hash-chained audit log."""

from __future__ import annotations

from django.db import models


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

    class Meta:
        ordering = ("seq",)
        indexes = [models.Index(fields=["action", "at"]), models.Index(fields=["actor", "at"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.at:%Y-%m-%d %H:%M} {self.actor} {self.action}"


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
