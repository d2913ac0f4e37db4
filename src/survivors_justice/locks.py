"""PostgreSQL advisory locks scoped to the current database.

An advisory lock key is shared by every database of a server: a lock taken by one store would
hold up another store (or another test database) on the same server that takes the same key.
Each key is therefore paired with the hash of the current database's name (the two-key form of
``pg_advisory_xact_lock``), so only writers of the same store queue behind each other.
"""

from __future__ import annotations

from typing import Any

# "SELECT pg_advisory_xact_lock(key, hashtext(current_database()))", released at the end of the
# transaction that takes it.
_LOCK_SQL = "SELECT pg_advisory_xact_lock(%s, hashtext(current_database()))"


def advisory_xact_lock(cursor: Any, key: int) -> None:
    """Take the transaction-scoped advisory lock ``key`` of this database (PostgreSQL only);
    ``key`` must fit a 32-bit signed integer."""
    if not -(2**31) <= key < 2**31:
        raise ValueError(f"advisory lock key {key} does not fit 32 bits; use a smaller constant")
    cursor.execute(_LOCK_SQL, [key])
