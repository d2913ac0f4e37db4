"""Refuse every insert into the audit tables but an append at the chain head.

Migration 0002 refuses UPDATE and DELETE; an INSERT could still rewrite history: SQLite's
``INSERT OR REPLACE`` (and ``REPLACE``) deletes the conflicting row without firing DELETE triggers
(unless a connection turns ``recursive_triggers`` on, which a forger's would not), then inserts a
record with a recomputed hash; the same on the head table moves the head anywhere. These BEFORE
INSERT triggers fire before any conflict is resolved and accept only:

* ``audit_auditrecord``: ``seq`` = head seq + 1, ``prev_hash`` = the head's hash, and no stored
  record with the same ``id``, ``seq`` or ``hash`` (so nothing can be replaced). The head is the
  head row, or, when that row was deleted, the last record (``record_event`` re-seeds it so).
* ``audit_audithead``: only when there is no head row, and only pointing at the last record.

On PostgreSQL ``INSERT ... ON CONFLICT DO UPDATE`` runs the UPDATE triggers of 0002, which refuse;
the INSERT triggers here check the same head rule. The SQL is written out, as in 0002.
"""

# ruff: noqa: S608 (the SQL is assembled from constants only, no input)

from django.db import migrations

RECORD = "audit_auditrecord"
HEAD = "audit_audithead"
GENESIS = "0" * 64
RECORD_REFUSED = (
    f"INSERT on {RECORD} refused: records are only appended at the chain head (seq = head + 1, "
    "prev_hash = the head hash), never replaced; record_event() appends them"
)
HEAD_REFUSED = (
    f"INSERT on {HEAD} refused: the chain head is only created when missing, pointing at the "
    "last record (record_event() creates it)"
)

SQLITE_HEAD_SEQ = (
    f"coalesce((SELECT seq FROM {HEAD} WHERE id = 1), (SELECT max(seq) FROM {RECORD}), 0)"
)
SQLITE_HEAD_HASH = (
    f"coalesce((SELECT hash FROM {HEAD} WHERE id = 1), "
    f"(SELECT hash FROM {RECORD} ORDER BY seq DESC LIMIT 1), '{GENESIS}')"
)
SQLITE_FORWARD = [
    f"""CREATE TRIGGER {RECORD}_append_at_head BEFORE INSERT ON {RECORD}
    FOR EACH ROW WHEN NOT (
        NEW.seq = {SQLITE_HEAD_SEQ} + 1
        AND NEW.prev_hash = {SQLITE_HEAD_HASH}
        AND NOT EXISTS (SELECT 1 FROM {RECORD} r
                        WHERE r.id = NEW.id OR r.seq = NEW.seq OR r.hash = NEW.hash)
    )
    BEGIN SELECT RAISE(ABORT, '{RECORD_REFUSED}'); END""",
    f"""CREATE TRIGGER {HEAD}_insert_at_tail BEFORE INSERT ON {HEAD}
    FOR EACH ROW WHEN NOT (
        NOT EXISTS (SELECT 1 FROM {HEAD})
        AND NEW.id = 1
        AND NEW.seq = coalesce((SELECT max(seq) FROM {RECORD}), 0)
        AND NEW.hash = coalesce((SELECT hash FROM {RECORD} ORDER BY seq DESC LIMIT 1),
                                '{GENESIS}')
    )
    BEGIN SELECT RAISE(ABORT, '{HEAD_REFUSED}'); END""",
]
SQLITE_REVERSE = [
    f"DROP TRIGGER IF EXISTS {HEAD}_insert_at_tail",
    f"DROP TRIGGER IF EXISTS {RECORD}_append_at_head",
]

# No `%` anywhere below: Django passes schema SQL through the driver's parameter formatting.
POSTGRES_FORWARD = [
    f"""CREATE FUNCTION {RECORD}_append_at_head() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        head_seq bigint;
        head_hash varchar;
    BEGIN
        SELECT h.seq, h.hash INTO head_seq, head_hash FROM {HEAD} h WHERE h.id = 1;
        IF NOT FOUND THEN
            SELECT r.seq, r.hash INTO head_seq, head_hash FROM {RECORD} r
            ORDER BY r.seq DESC LIMIT 1;
            IF NOT FOUND THEN
                head_seq := 0;
                head_hash := '{GENESIS}';
            END IF;
        END IF;
        IF NEW.seq = head_seq + 1 AND NEW.prev_hash = head_hash THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION USING
            ERRCODE = 'integrity_constraint_violation',
            MESSAGE = '{RECORD_REFUSED}',
            DETAIL = 'head #' || head_seq || ', new record #' || NEW.seq;
    END
    $$""",
    f"""CREATE TRIGGER {RECORD}_append_at_head BEFORE INSERT ON {RECORD}
    FOR EACH ROW EXECUTE FUNCTION {RECORD}_append_at_head()""",
    f"""CREATE FUNCTION {HEAD}_insert_at_tail() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        last_seq bigint;
        last_hash varchar;
    BEGIN
        SELECT r.seq, r.hash INTO last_seq, last_hash FROM {RECORD} r
        ORDER BY r.seq DESC LIMIT 1;
        IF NOT FOUND THEN
            last_seq := 0;
            last_hash := '{GENESIS}';
        END IF;
        IF NEW.id = 1 AND NEW.seq = last_seq AND NEW.hash = last_hash THEN
            IF NOT EXISTS (SELECT 1 FROM {HEAD}) THEN
                RETURN NEW;
            END IF;
            IF EXISTS (SELECT 1 FROM {HEAD} h WHERE h.seq = NEW.seq AND h.hash = NEW.hash) THEN
                RETURN NULL;  -- two first writers seeded the same head: keep the one stored
            END IF;
        END IF;
        RAISE EXCEPTION USING
            ERRCODE = 'integrity_constraint_violation',
            MESSAGE = '{HEAD_REFUSED}';
    END
    $$""",
    f"""CREATE TRIGGER {HEAD}_insert_at_tail BEFORE INSERT ON {HEAD}
    FOR EACH ROW EXECUTE FUNCTION {HEAD}_insert_at_tail()""",
]
POSTGRES_REVERSE = [
    f"DROP TRIGGER IF EXISTS {HEAD}_insert_at_tail ON {HEAD}",
    f"DROP FUNCTION IF EXISTS {HEAD}_insert_at_tail()",
    f"DROP TRIGGER IF EXISTS {RECORD}_append_at_head ON {RECORD}",
    f"DROP FUNCTION IF EXISTS {RECORD}_append_at_head()",
]

SQL = {
    "sqlite": (SQLITE_FORWARD, SQLITE_REVERSE),
    "postgresql": (POSTGRES_FORWARD, POSTGRES_REVERSE),
}


def _run(schema_editor, forward: bool) -> None:
    vendor = schema_editor.connection.vendor
    # 0002 already refused any other database.
    for statement in SQL.get(vendor, ([], []))[0 if forward else 1]:
        schema_editor.execute(statement, params=None)


def install(apps, schema_editor) -> None:
    _run(schema_editor, forward=True)


def remove(apps, schema_editor) -> None:
    _run(schema_editor, forward=False)


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0002_append_only"),
    ]

    operations = [
        migrations.RunPython(install, remove),
    ]
