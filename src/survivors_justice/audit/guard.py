"""The database's append-only guard on the audit log, and the one test-only way past it.

Migration ``audit.0002_append_only`` installs triggers that refuse UPDATE, DELETE (and on
PostgreSQL TRUNCATE) of audit records and any chain-head move other than one link forward. They are
unconditional: no session setting or flag turns them off, so the only way past them is DDL (drop or
disable a trigger), which needs ownership of the table, a power that could remove the triggers
anyway.

:func:`append_only_lifted` is that DDL, wrapped so it is safe to use where it is needed: the test
suite's database flush (``audit/management/commands/flush.py``, which TransactionTestCase calls
between tests) and tests that tamper with the log to prove ``sj audit verify`` finds it. It refuses
to run outside a test run (:func:`in_test_run`) and always with ``SJ_ENV=production``, and it works
inside a transaction, so the triggers are back before it commits (or are never gone, when it
rolls back).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections, transaction

from survivors_justice.config import Environment, get_config

GUARDED_TABLES = ("audit_auditrecord", "audit_audithead")


class AuditGuardError(RuntimeError):
    """Lifting the audit log's append-only guard outside a test run."""


def in_test_run() -> bool:
    """Whether Django's test environment is set up in this process (pytest-django, `manage.py
    test`) and the configuration is not production's.

    ``django.test.utils.setup_test_environment`` marks itself with ``_TestState.saved_data``; it is
    Django's own check against being set up twice. Private, so should Django rename it this fails
    closed: the guard stays on and the test flushes say so.
    """
    from django.test import utils  # only here: the test utilities are not needed otherwise

    return (
        hasattr(utils._TestState, "saved_data")
        and get_config().env is not Environment.PRODUCTION
    )


def _require_test_run(what: str) -> None:
    if not in_test_run():
        raise AuditGuardError(
            f"{what} is refused (SJ_ENV={get_config().env}): the audit log is append-only, and "
            "its guard is lifted only inside a test run. To start over outside tests, create a "
            "new database and run `sj db upgrade`"
        )


@contextmanager
def append_only_lifted(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Tests only: run the body with the audit tables' triggers off, in one transaction.

    On SQLite the triggers are dropped and re-created from their stored SQL; on PostgreSQL the
    enabled user triggers of the two tables are disabled and re-enabled by name. When the body
    raises, the transaction (or savepoint) rolls back and with it the lifting.
    """
    _require_test_run("lifting the audit log's append-only guard")
    connection = connections[using]
    quote = connection.ops.quote_name
    with transaction.atomic(using=using):
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                    "AND tbl_name IN (%s, %s) ORDER BY name",
                    list(GUARDED_TABLES),
                )
                triggers = cursor.fetchall()
                for name, _sql in triggers:
                    cursor.execute(f"DROP TRIGGER {quote(name)}")
            yield
            with connection.cursor() as cursor:
                for _name, sql in triggers:
                    cursor.execute(sql)
        elif connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # The tables as unqualified names resolve for the app: through the search path.
                cursor.execute(
                    "SELECT c.relname, t.tgname FROM pg_trigger t "
                    "JOIN pg_class c ON c.oid = t.tgrelid "
                    "WHERE t.tgrelid IN (to_regclass(%s), to_regclass(%s)) "
                    "AND NOT t.tgisinternal AND t.tgenabled <> 'D' ORDER BY 1, 2",
                    list(GUARDED_TABLES),
                )
                triggers = cursor.fetchall()
                for table, name in triggers:
                    cursor.execute(f"ALTER TABLE {quote(table)} DISABLE TRIGGER {quote(name)}")
            yield
            with connection.cursor() as cursor:
                for table, name in triggers:
                    cursor.execute(f"ALTER TABLE {quote(table)} ENABLE TRIGGER {quote(name)}")
        else:
            yield


def refuse_flush_outside_tests() -> None:
    """Raise :class:`AuditGuardError` unless a database flush may empty the audit log."""
    _require_test_run("flushing the database (which empties the audit log)")
