"""`sj import arrests FILE` and `sj status [--json]`."""

from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.table import Table

from survivors_justice.django_setup import setup

import_app = typer.Typer(help="Import data into the store.", no_args_is_help=True)


@import_app.callback()
def import_group() -> None:
    """Import data into the store (idempotent: importing a file twice adds nothing)."""


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no passwd entry for this uid (containers)
        return "cli:unknown"


@import_app.command("arrests")
def import_arrests_command(
    file: Annotated[Path, typer.Argument(help="NYPD Arrests Data CSV (historic or year-to-date).")],
    rejects: Annotated[
        Path | None,
        typer.Option(help="Where to write rejected rows (default: var/rejects/<file>-<time>.csv)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Import NYPD arrests: new keys are added, changed rows updated, bad rows quarantined to a
    rejects CSV; a file that is not this schema is refused."""
    setup()
    from survivors_justice.arrests.importer import (
        ArrestFileEncodingError,
        ArrestFileNotFoundError,
        import_arrests,
    )
    from survivors_justice.arrests.schema import NotArrestsFileError

    err = Console(stderr=True)
    try:
        with Progress(
            TextColumn(f"Importing {file.name}"), BarColumn(), DownloadColumn(),
            TransferSpeedColumn(), TimeRemainingColumn(), console=err, transient=True,
            disable=as_json,
        ) as progress:
            size = file.stat().st_size if file.is_file() else None
            task = progress.add_task("import", total=size)

            def on_progress(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            summary = import_arrests(
                file, actor=_actor(), source="cli", rejects_path=rejects, on_progress=on_progress
            )
    except (NotArrestsFileError, ArrestFileNotFoundError, ArrestFileEncodingError) as exc:
        err.print(f"[red]Refused[/red]: {exc}")
        raise typer.Exit(2) from None

    if as_json:
        typer.echo(json.dumps(summary.as_dict(), indent=2))
        return
    out = Console()
    table = Table(title=f"Import of {summary.file}", show_header=False)
    table.add_column("what")
    table.add_column("rows", justify="right")
    for label, value in (
        ("rows read", summary.rows_read), ("new", summary.new), ("updated", summary.updated),
        ("unchanged", summary.unchanged), ("rejected", summary.rejected),
        ("cases opened", summary.cases_opened),
        ("prostitution-related", summary.prostitution_related),
    ):
        table.add_row(label, f"{value:,}")
    for role, n in sorted(summary.by_role.items()):
        table.add_row(f"  role: {role}", f"{n:,}")
    table.add_row("unknown charges", f"{summary.unknown_charges:,}")
    out.print(table)
    if summary.nothing_new:
        out.print(
            f"Nothing new: all {summary.unchanged:,} valid rows of {summary.file} were already "
            "in the store, unchanged."
        )
    if summary.rejected:
        out.print(
            f"[yellow]{summary.rejected:,} row(s) rejected[/yellow]; row, column and reason are in "
            f"{summary.rejects_file}"
        )
    if summary.ignored_columns:
        out.print(f"Ignored extra column(s): {', '.join(summary.ignored_columns)}")
    out.print(f"Audit record #{summary.audit_seq}; {summary.seconds:.1f} s.")


def status(
    as_json: Annotated[bool, typer.Option("--json", help="Print the counts as JSON.")] = False,
) -> None:
    """What the store holds: arrests, cases, charges by role, unknown charges, audit records."""
    setup()
    from survivors_justice.arrests.stats import store_counts

    counts = store_counts()
    if as_json:
        typer.echo(json.dumps(counts, indent=2, sort_keys=True))
        return
    table = Table(title="Survivor's Justice store", show_header=False)
    table.add_column("what")
    table.add_column("count", justify="right")
    table.add_row("arrests", f"{counts['arrests']:,}")
    table.add_row("cases", f"{counts['cases']:,}")
    table.add_row("charges", f"{counts['charges']:,}")
    table.add_row("prostitution-related charges", f"{counts['prostitution_related']:,}")
    for role, n in counts["charges_by_role"].items():
        table.add_row(f"  role: {role}", f"{n:,}")
    table.add_row("unknown charges", f"{counts['unknown_charges']:,}")
    table.add_row("audit records", f"{counts['audit_records']:,}")
    Console().print(table)
