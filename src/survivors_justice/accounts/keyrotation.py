"""Re-encrypt every personal field under the newest key, in batches, while the app keeps running.

Each batch is one short transaction: read ``pk`` and the raw columns of up to ``batch_size`` rows
(in ``pk`` order), re-encrypt every value that is plaintext or under an older key, and write it
back with ``UPDATE ... WHERE pk = %s AND column = <the value read>`` (compare-and-swap), so a value
the application changed meanwhile (already under the newest key) is left alone. Reads accept any
known key id throughout, so nothing waits for the rotation.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import connection, models, transaction

from survivors_justice import crypto
from survivors_justice.audit.services import record_event


@dataclass(frozen=True, slots=True)
class PersonalColumns:
    model: type[models.Model]
    table: str
    pk_column: str
    columns: tuple[str, ...]

    @property
    def label(self) -> str:
        return self.model._meta.label


def personal_columns() -> Iterator[PersonalColumns]:
    """Every concrete model with personal fields, and those fields' columns."""
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        cols = tuple(
            f.column for f in model._meta.concrete_fields if getattr(f, "personal", False)
        )
        if cols:
            yield PersonalColumns(model, model._meta.db_table, model._meta.pk.column, cols)


@dataclass
class RotationReport:
    newest: str
    scanned_rows: int = 0
    rewritten: Counter[str] = field(default_factory=Counter)  # "app.Model.column" -> values
    skipped_changed: int = 0  # values the app rewrote between our read and write


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _batch(spec: PersonalColumns, after: Any, size: int) -> list[tuple[Any, ...]]:
    cols = ", ".join(_q(c) for c in spec.columns)
    sql = (  # identifiers come from the model registry, values are parameters
        f"SELECT {_q(spec.pk_column)}, {cols} FROM {_q(spec.table)} "  # noqa: S608
        f"WHERE {_q(spec.pk_column)} > %s ORDER BY {_q(spec.pk_column)} LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [after, size])
        return list(cursor.fetchall())


def rotate(*, batch_size: int = 500, pause_seconds: float = 0.0, actor: str = "",
           source: str = "") -> RotationReport:
    """Re-encrypt every personal value under the newest key; returns what was rewritten."""
    ring = crypto.keyring()
    report = RotationReport(newest=ring.newest)
    for spec in personal_columns():
        after: Any = 0 if spec.model._meta.pk.get_internal_type() != "UUIDField" else ""
        while True:
            with transaction.atomic():
                rows = _batch(spec, after, batch_size)
                if not rows:
                    break
                for row in rows:
                    pk, values = row[0], row[1:]
                    for column, stored in zip(spec.columns, values, strict=True):
                        if stored is None or not crypto.needs_rotation(str(stored), ring=ring):
                            continue
                        context = crypto.row_context(spec.table, column, pk)
                        plaintext = crypto.decrypt(str(stored), context=context, ring=ring)
                        fresh = crypto.encrypt(plaintext, context=context, ring=ring)
                        sql = (
                            f"UPDATE {_q(spec.table)} SET {_q(column)} = %s "  # noqa: S608
                            f"WHERE {_q(spec.pk_column)} = %s AND {_q(column)} = %s"
                        )
                        with connection.cursor() as cursor:
                            cursor.execute(sql, [fresh, pk, stored])
                            if cursor.rowcount == 1:
                                report.rewritten[f"{spec.label}.{column}"] += 1
                            else:
                                report.skipped_changed += 1
                report.scanned_rows += len(rows)
                after = rows[-1][0]
            if pause_seconds:
                time.sleep(pause_seconds)  # let the application's writes through
    record_event(
        actor=actor or "system", action="keys.rotate", source=source,
        details={"newest_key": ring.newest, "rewritten": sum(report.rewritten.values()),
                 "scanned_rows": report.scanned_rows},
    )
    return report


def key_usage() -> dict[str, Counter[str]]:
    """For each personal column, how many values are under each key id ("plaintext" too)."""
    usage: dict[str, Counter[str]] = {}
    for spec in personal_columns():
        for column in spec.columns:
            counts: Counter[str] = Counter()
            sql = f"SELECT {_q(column)} FROM {_q(spec.table)}"  # noqa: S608 (model registry names)
            with connection.cursor() as cursor:
                cursor.execute(sql)
                while rows := cursor.fetchmany(2000):
                    for (stored,) in rows:
                        if stored:
                            counts[crypto.key_id_of(str(stored)) or "plaintext"] += 1
            usage[f"{spec.label}.{column}"] = counts
    return usage
