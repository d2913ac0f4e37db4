"""`sj audit …`: check the hash-chained audit log."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console

from survivors_justice.django_setup import setup

audit_app = typer.Typer(help="The audit log: verify its hash chain.", no_args_is_help=True)


@audit_app.callback()
def audit_group() -> None:
    """The append-only, hash-chained audit log."""


@audit_app.command("verify")
def verify_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Check every audit record's hash and link; exit 1 at the first changed, removed or
    reordered record."""
    setup()
    from survivors_justice.audit.services import verify

    result = verify()
    if as_json:
        typer.echo(json.dumps(result.as_dict(), indent=2))
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
    if not result.ok:
        raise typer.Exit(1)
