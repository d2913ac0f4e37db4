"""`sj audit …`: check the hash-chained audit log, and anchor its head outside the database."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

from survivors_justice.django_setup import setup

audit_app = typer.Typer(help="The audit log: verify its hash chain.", no_args_is_help=True)


@audit_app.callback()
def audit_group() -> None:
    """The append-only, hash-chained audit log."""


def _unreadable(exc: Exception) -> typer.Exit:
    Console(stderr=True).print(Text(
        f"BROKEN: the audit log cannot be read ({type(exc).__name__}: {exc}). Its table is "
        "missing or damaged: the log was removed or the store was not created. Check that "
        "SJ_DATABASE_URL / SJ_VAR_DIR name the right store; restore the last backup "
        "(`sj restore`) if it was removed.",
        style="red",
    ), soft_wrap=True)
    return typer.Exit(2)


@audit_app.command("verify")
def verify_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Check every audit record's hash and link; exit 1 at the first changed, removed or
    reordered record, 2 when the log cannot be read. Interrupted imports are reported."""
    setup()
    from django.db import DatabaseError

    from survivors_justice.audit.runs import unfinished_runs
    from survivors_justice.audit.services import verify

    try:
        result = verify()
        runs = unfinished_runs()
    except DatabaseError as exc:
        raise _unreadable(exc) from None
    if as_json:
        out_json = result.as_dict()
        out_json["interrupted_runs"] = [r.as_dict() for r in runs]
        typer.echo(json.dumps(out_json, indent=2))
    else:
        out = Console()
        if result.ok:
            out.print(
                f"[green]OK[/green]: {result.checked:,} audit records, chain intact; "
                f"head #{result.head_seq} {result.head_hash}"
            )
        else:
            brk = result.first_break
            assert brk is not None  # not ok means a break was found
            where = f"record #{brk.seq}" if brk.seq is not None else "chain head"
            Console(stderr=True).print(
                f"[red]BROKEN[/red] at {where} ({brk.kind}): {brk.reason}. "
                f"{result.checked:,} records before it are intact."
            )
        for run in runs:
            style = "yellow" if run.finished_by is None else "default"
            out.print(Text(f"Interrupted: {run.sentence()}.", style=style), soft_wrap=True)
    if not result.ok:
        raise typer.Exit(1)
