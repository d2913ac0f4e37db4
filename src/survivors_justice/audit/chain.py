"""The hash chain: canonical content, record hashes, and verification of the stored log.

Each record's ``hash`` is ``sha256(prev_hash + canonical_json(content))`` where ``content`` is every
field a person could tamper with: ``seq``, ``at`` (UTC, microseconds), ``actor``, ``action``,
``object_type``, ``object_id``, ``source``, ``outcome`` and ``details``. Canonical JSON sorts keys,
has no insignificant whitespace and keeps non-ASCII text as is, so the same content always gives the
same bytes on SQLite and PostgreSQL (whose ``jsonb`` reorders keys).

:func:`verify` walks the log in ``seq`` order and reports the first break: a record whose content no
longer matches its hash (``changed``), a record whose predecessor is missing (``removed``), a record
that links to a record other than the one before it (``out_of_order``), or a tail that disagrees
with the chain head (``removed`` / ``inserted``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

GENESIS_HASH = "0" * 64


class AuditDetailsError(ValueError):
    """Audit details that cannot be written as canonical JSON (e.g. a date object, NaN)."""


class BreakKind(StrEnum):
    CHANGED = "changed"
    REMOVED = "removed"
    OUT_OF_ORDER = "out_of_order"
    INSERTED = "inserted"


@dataclass(frozen=True, slots=True)
class ChainBreak:
    """The first place the chain does not hold."""

    seq: int | None  # the record where the break shows (None: the head itself)
    record_id: int | None
    kind: BreakKind
    reason: str


@dataclass(frozen=True, slots=True)
class VerifyResult:
    ok: bool
    checked: int  # records read before the first break (all of them when ok)
    head_seq: int
    head_hash: str
    first_break: ChainBreak | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "ok": self.ok,
            "checked": self.checked,
            "head_seq": self.head_seq,
            "head_hash": self.head_hash,
        }
        if self.first_break is not None:
            b = self.first_break
            out["first_break"] = {
                "seq": b.seq,
                "record_id": b.record_id,
                "kind": str(b.kind),
                "reason": b.reason,
            }
        return out


def canonical_json(value: Any) -> str:
    try:
        return json.dumps(
            value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        )
    except (TypeError, ValueError) as exc:
        raise AuditDetailsError(
            f"audit details are not plain JSON ({exc}); pass strings, numbers, booleans, None, "
            "lists and dicts with string keys (e.g. a date as date.isoformat())"
        ) from None


def normalise_details(details: Mapping[str, Any] | None) -> dict[str, Any]:
    """The details exactly as they will read back from the database (a JSON round trip)."""
    out: dict[str, Any] = json.loads(canonical_json(dict(details or {})), parse_float=_number)
    return out


def _number(text: str) -> float | int:
    # PostgreSQL's jsonb prints 1e+20 as 100000000000000000000 and 2.0 as 2.0; storing integral
    # floats as integers makes the canonical text identical on both databases after a round trip.
    value = float(text)
    return int(value) if value.is_integer() else value


def format_at(at: datetime) -> str:
    if at.tzinfo is None:
        raise AuditDetailsError(f"audit time {at!r} has no time zone; use an aware UTC datetime")
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def content_of(
    *,
    seq: int,
    at: datetime,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    source: str,
    outcome: str,
    details: Mapping[str, Any],
) -> dict[str, Any]:
    return {
        "seq": seq,
        "at": format_at(at),
        "actor": actor,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "source": source,
        "outcome": outcome,
        "details": dict(details),
    }


def chain_hash(prev_hash: str, content: Mapping[str, Any]) -> str:
    digest = hashlib.sha256()
    digest.update(prev_hash.encode("ascii"))
    digest.update(canonical_json(content).encode("utf-8"))
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class StoredRecord:
    """What verification reads of one stored record (framework-free, so it is easy to test)."""

    id: int
    seq: int
    at: datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    source: str
    outcome: str
    details: Mapping[str, Any]
    prev_hash: str
    hash: str

    def recomputed_hash(self) -> str:
        content = content_of(
            seq=self.seq,
            at=self.at,
            actor=self.actor,
            action=self.action,
            object_type=self.object_type,
            object_id=self.object_id,
            source=self.source,
            outcome=self.outcome,
            details=self.details,
        )
        return chain_hash(self.prev_hash, content)


def walk(
    records: Iterable[StoredRecord],
    *,
    head: tuple[int, str] | None,
    find_seq_by_hash: Any,
) -> VerifyResult:
    """Check ``records`` (in ``seq`` order) against each other and against the chain head.

    ``head`` is ``(seq, hash)`` of the head row, or None when it is missing.
    ``find_seq_by_hash(h)`` returns the ``seq`` of the stored record whose hash is ``h``, or None.
    """
    prev_hash = GENESIS_HASH
    prev_seq = 0
    checked = 0
    head_seq, head_hash = head if head is not None else (0, GENESIS_HASH)

    def result(brk: ChainBreak | None) -> VerifyResult:
        return VerifyResult(
            ok=brk is None, checked=checked, head_seq=head_seq, head_hash=head_hash,
            first_break=brk,
        )

    for rec in records:
        expected_seq = prev_seq + 1
        if rec.prev_hash != prev_hash:
            linked = find_seq_by_hash(rec.prev_hash)
            if linked is not None and linked != prev_seq:
                return result(ChainBreak(
                    rec.seq, rec.id, BreakKind.OUT_OF_ORDER,
                    f"record #{rec.seq} was written after record #{linked}, but now stands "
                    f"after #{prev_seq} (records reordered or renumbered)",
                ))
            missing = (
                f"#{expected_seq}" if rec.seq == expected_seq + 1
                else f"#{expected_seq}..#{rec.seq - 1}" if rec.seq > expected_seq
                else f"the one before #{rec.seq}"
            )
            return result(ChainBreak(
                rec.seq, rec.id, BreakKind.REMOVED,
                f"record #{rec.seq} follows a record that is no longer in the log: {missing} "
                "was removed, or the record before it was changed and re-hashed",
            ))
        if rec.recomputed_hash() != rec.hash:
            return result(ChainBreak(
                rec.seq, rec.id, BreakKind.CHANGED,
                f"record #{rec.seq} ({rec.action} by {rec.actor}) was changed after it was "
                "written: its content no longer matches its hash",
            ))
        if rec.seq != expected_seq:
            return result(ChainBreak(
                rec.seq, rec.id, BreakKind.OUT_OF_ORDER,
                f"record #{rec.seq} stands where #{expected_seq} should be",
            ))
        prev_hash, prev_seq = rec.hash, rec.seq
        checked += 1

    if head is None:
        if checked:
            return result(ChainBreak(
                None, None, BreakKind.REMOVED,
                "the chain head row is missing while the log has records; it was deleted",
            ))
        return result(None)
    if (prev_seq, prev_hash) != (head_seq, head_hash):
        if prev_seq < head_seq:
            return result(ChainBreak(
                None, None, BreakKind.REMOVED,
                f"the log ends at record #{prev_seq} but the chain head says #{head_seq}: "
                f"record(s) #{prev_seq + 1}..#{head_seq} were removed from the end",
            ))
        if prev_seq > head_seq:
            return result(ChainBreak(
                head_seq + 1, None, BreakKind.INSERTED,
                f"records #{head_seq + 1}..#{prev_seq} were appended without moving the chain "
                "head (written outside record_event)",
            ))
        return result(ChainBreak(
            prev_seq, None, BreakKind.CHANGED,
            f"the last record #{prev_seq} does not match the hash the chain head holds",
        ))
    return result(None)
