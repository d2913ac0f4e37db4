"""Make the audit log append-only in the database itself (SQLite and PostgreSQL).

* ``audit_auditrecord``: every UPDATE and DELETE is refused by a BEFORE ... FOR EACH ROW trigger,
  and on PostgreSQL TRUNCATE by a statement-level trigger, with the message
  ``<OP> on audit_auditrecord refused: the audit log is append-only ...``.
* ``audit_audithead`` stays updatable, but only the way ``record_event`` moves it: one link
  forward, to the record just appended (its ``seq`` is the old one plus one and its ``prev_hash``
  is the old head hash). Backward, sideways and skipping moves are refused. Deleting the head row
  stays allowed: ``record_event`` re-seeds it from the last record (docs/decisions.md).

The SQL is written out here, not imported from the app, so this migration keeps installing exactly
these triggers whatever the app code becomes. Reversing the migration drops them.
"""

from django.db import migrations

RECORD = "audit_auditrecord"
HEAD = "audit_audithead"
HINT = "record a new event with record_event() instead; check the log with `sj audit verify`"


def refused(op: str) -> str:
    return f"{op} on {RECORD} refused: the audit log is append-only; {HINT}"


HEAD_REFUSED = (
    f"UPDATE on {HEAD} refused: the audit chain head only moves one record forward, to the "
    "record just appended (record_event() moves it)"
)

SQLITE_FORWARD = [
    f"""CREATE TRIGGER {RECORD}_no_update BEFORE UPDATE ON {RECORD}
    FOR EACH ROW BEGIN SELECT RAISE(ABORT, '{refused("UPDATE")}'); END""",
    f"""CREATE TRIGGER {RECORD}_no_delete BEFORE DELETE ON {RECORD}
    FOR EACH ROW BEGIN SELECT RAISE(ABORT, '{refused("DELETE")}'); END""",
    f"""CREATE TRIGGER {HEAD}_forward_only BEFORE UPDATE ON {HEAD}
    FOR EACH ROW WHEN NOT (
        (NEW.seq = OLD.seq AND NEW.hash = OLD.hash)
        OR (NEW.seq = OLD.seq + 1 AND EXISTS (
            SELECT 1 FROM {RECORD} r
            WHERE r.seq = NEW.seq AND r.hash = NEW.hash AND r.prev_hash = OLD.hash))
    )
    BEGIN SELECT RAISE(ABORT, '{HEAD_REFUSED}'); END""",  # noqa: S608 (constants, no input)
]
SQLITE_REVERSE = [
    f"DROP TRIGGER IF EXISTS {HEAD}_forward_only",
    f"DROP TRIGGER IF EXISTS {RECORD}_no_delete",
    f"DROP TRIGGER IF EXISTS {RECORD}_no_update",
]

# No `%` anywhere below: Django passes schema SQL through the driver's parameter formatting.
POSTGRES_FORWARD = [
    f"""CREATE FUNCTION {RECORD}_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION USING
            ERRCODE = 'integrity_constraint_violation',
            MESSAGE = TG_OP || ' on ' || TG_TABLE_NAME
                || ' refused: the audit log is append-only; {HINT}';
    END
    $$""",
    f"""CREATE TRIGGER {RECORD}_no_update_delete BEFORE UPDATE OR DELETE ON {RECORD}
    FOR EACH ROW EXECUTE FUNCTION {RECORD}_refuse_change()""",
    f"""CREATE TRIGGER {RECORD}_no_truncate BEFORE TRUNCATE ON {RECORD}
    FOR EACH STATEMENT EXECUTE FUNCTION {RECORD}_refuse_change()""",
    f"""CREATE FUNCTION {HEAD}_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF (NEW.seq = OLD.seq AND NEW.hash = OLD.hash)
           OR (NEW.seq = OLD.seq + 1 AND EXISTS (
                SELECT 1 FROM {RECORD} r
                WHERE r.seq = NEW.seq AND r.hash = NEW.hash AND r.prev_hash = OLD.hash)) THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION USING
            ERRCODE = 'integrity_constraint_violation',
            MESSAGE = '{HEAD_REFUSED}',
            DETAIL = 'seq ' || OLD.seq || ' -> ' || NEW.seq;
    END
    $$""",  # noqa: S608 (constants, no input)
    f"""CREATE TRIGGER {HEAD}_forward_only BEFORE UPDATE ON {HEAD}
    FOR EACH ROW EXECUTE FUNCTION {HEAD}_forward_only()""",
]
POSTGRES_REVERSE = [
    f"DROP TRIGGER IF EXISTS {HEAD}_forward_only ON {HEAD}",
    f"DROP FUNCTION IF EXISTS {HEAD}_forward_only()",
    f"DROP TRIGGER IF EXISTS {RECORD}_no_truncate ON {RECORD}",
    f"DROP TRIGGER IF EXISTS {RECORD}_no_update_delete ON {RECORD}",
    f"DROP FUNCTION IF EXISTS {RECORD}_refuse_change()",
]

SQL = {
    "sqlite": (SQLITE_FORWARD, SQLITE_REVERSE),
    "postgresql": (POSTGRES_FORWARD, POSTGRES_REVERSE),
}


class AppendOnlyUnsupportedError(RuntimeError):
    """A database for which this migration has no append-only triggers."""


def _statements(schema_editor, forward: bool) -> list[str]:
    vendor = schema_editor.connection.vendor
    if vendor not in SQL:
        raise AppendOnlyUnsupportedError(
            f"the audit log's append-only triggers exist for SQLite and PostgreSQL, not for "
            f"{vendor!r}; use one of those two databases (SJ_DATABASE_URL)"
        )
    return SQL[vendor][0 if forward else 1]


def install(apps, schema_editor) -> None:
    for statement in _statements(schema_editor, forward=True):
        schema_editor.execute(statement, params=None)


def remove(apps, schema_editor) -> None:
    for statement in _statements(schema_editor, forward=False):
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(install, remove),
    ]
