"""Django's ``flush``, which knows the audit log is append-only.

TransactionTestCase (pytest's ``django_db(transaction=True)``, live-server browser tests) empties
every table after each test with ``call_command("flush")``; the audit log's triggers would refuse
that. Inside a test run this command lifts them for the flush's own transaction
(:func:`~survivors_justice.audit.guard.append_only_lifted`); anywhere else it refuses before
touching anything, with a message saying why and what to do instead.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError
from django.core.management.commands import flush
from django.db import connections

from survivors_justice.audit.guard import (
    AuditGuardError,
    append_only_lifted,
    refuse_flush_outside_tests,
)
from survivors_justice.audit.models import RECORD_TABLE


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        database = options["database"]
        if RECORD_TABLE not in connections[database].introspection.table_names():
            super().handle(**options)
            return
        try:
            refuse_flush_outside_tests()
        except AuditGuardError as exc:
            raise CommandError(str(exc)) from None
        with append_only_lifted(using=database):
            super().handle(**options)
