"""`sj import arrests FILE`, `sj import resolve [--dry-run]` and `sj status [--json]`.

Exit codes: 0 success; 2 bad input (a file that is not this schema, an unreadable catalog file).
"""

from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import Annotated, Any

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
from rich.text import Text

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
        ImportStoppedError,
        import_arrests,
    )
    from survivors_justice.arrests.schema import NotArrestsFileError

    err = Console(stderr=True, soft_wrap=True)
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
    except (ImportStoppedError, KeyboardInterrupt) as exc:
        why = str(exc) if isinstance(exc, ImportStoppedError) else "the import was interrupted"
        err.print(Text(
            f"Stopped: {why}. The chunks committed before it stay in the store and the audit "
            f"log's failed record counts them; import {file} again to finish.",
            style="red",
        ))
        raise typer.Exit(143 if isinstance(exc, ImportStoppedError) else 130) from None

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


RESOLVE_TABLE_ROWS = 30  # the change table shows the largest transitions first, then a count


def _changes_table(summary: Any) -> Table:
    table = Table(title=f"Charges read again: {summary.changed:,} of {summary.charges:,} change")
    table.add_column("field")
    table.add_column("stored")
    table.add_column("")
    table.add_column("now")
    table.add_column("charges", justify="right")
    rows = summary.transitions()
    # Values are data (notes contain "[reading ...]"): plain text, never Rich markup.
    for row in sorted(rows, key=lambda r: -r["charges"])[:RESOLVE_TABLE_ROWS]:
        table.add_row(
            row["field"], Text(_short(row["from"])), "->", Text(_short(row["to"])),
            f"{row['charges']:,}",
        )
    if len(rows) > RESOLVE_TABLE_ROWS:
        left = rows[RESOLVE_TABLE_ROWS:]
        table.add_row(
            f"... {len(left):,} more", "", "", "", f"{sum(r['charges'] for r in left):,}"
        )
    return table


def _short(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _cases_table(summary: Any) -> Table:
    """What the dry pass found, before anything changes."""
    table = Table(show_header=False)
    table.add_column("what")
    table.add_column("count", justify="right")
    for label, value in (
        ("charges read again", summary.charges),
        ("charges that would change", summary.changed),
        ("arrests with a changed charge", summary.arrests_changed),
        ("existing cases affected", summary.cases_affected),
        ("cases to be opened (the charge now opens one)", summary.cases_opened),
        ("cases to be screened again", summary.rescreened),
        ("  whose stored recommendation changes", summary.recommendations_changed),
        ("  decided cases to be flagged for a second look", summary.flagged),
        ("charges last read by another catalog", summary.other_catalog),
    ):
        table.add_row(label, f"{value:,}")
    return table


@import_app.command("resolve")
def resolve_command(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would change; change nothing.")
    ] = False,
    catalog: Annotated[
        Path | None,
        typer.Option(
            help="A charge catalog YAML file to read the charges with (default: the shipped "
            "catalog, the one the policy engine reads); to preview a proposed correction."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Read every stored charge again with the charge catalog, after the catalog was corrected.

    Shows what would change (by field, old value -> new value) before changing anything; then,
    unless --dry-run, updates the charges, opens the cases an import would now open, screens the
    affected cases again (new recommendations, old ones kept) and flags decided cases whose
    recommendation changed: their decision stands. A second run finds nothing to change.
    """
    setup()
    from survivors_justice.arrests.catalogs import SHIPPED, CatalogFileError, read_catalog_file
    from survivors_justice.arrests.resolve import resolve_charges

    err = Console(stderr=True, soft_wrap=True)
    out = Console()
    try:
        chosen = None if catalog is None else read_catalog_file(catalog)
    except CatalogFileError as exc:
        # One unwrapped line: the path and the reason stay whole for a reader and a script.
        err.print(Text(f"Refused: {exc}", style="red"), soft_wrap=True)
        raise typer.Exit(2) from None
    options: dict[str, Any] = {
        "actor": _actor(),
        "source": "cli",
        "catalog": chosen,
        "catalog_source": SHIPPED if catalog is None else str(catalog)[:255],
    }
    plan = resolve_charges(dry_run=True, **options)
    if as_json and dry_run:
        typer.echo(json.dumps(plan.as_dict(), indent=2))
        return
    if not as_json:
        source = "the shipped catalog" if catalog is None else str(catalog)
        out.print(Text(f"Catalog {plan.catalog[:16]} ({source}); policy {plan.policy}."))
        if plan.nothing_to_change:
            out.print(
                f"Nothing to change: all {plan.charges:,} stored charges already read as this "
                "catalog reads them."
            )
        else:
            out.print(_changes_table(plan))
        out.print(_cases_table(plan))
        if plan.flagged_cases:
            out.print("Decided cases whose recommendation changes: " + ", ".join(
                plan.flagged_cases[:20]) + (" ..." if plan.flagged > 20 else ""))
    if dry_run:
        if not plan.nothing_to_change:
            out.print("Dry run: nothing was changed. Run without --dry-run to apply.")
        return
    summary = resolve_charges(dry_run=False, **options)
    if as_json:
        typer.echo(json.dumps({**summary.as_dict(), "audit_seq": summary.audit_seq}, indent=2))
        return
    if summary.nothing_to_change:
        out.print(
            f"Recorded the catalog on the stored charges; audit record #{summary.audit_seq}; "
            f"{summary.seconds:.1f} s."
        )
        return
    out.print(
        f"Applied: {summary.changed:,} charge(s) updated, {summary.cases_opened:,} case(s) "
        f"opened, {summary.rescreened:,} case(s) screened again, {summary.flagged:,} decided "
        f"case(s) flagged for a second look (their decisions stand). Audit record "
        f"#{summary.audit_seq}; {summary.seconds:.1f} s."
    )


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
    table.add_row("prostitution-related arrests", f"{counts['related_arrests']:,}")
    table.add_row(
        f"  in the office's scope ({counts['office']['scope']})",
        f"{counts['related_arrests_in_scope']:,}",
    )
    table.add_row("  in other counties (no case)", f"{counts['related_arrests_other_counties']:,}")
    table.add_row(
        "  before the intake start date (no case)", f"{counts['related_arrests_before_start']:,}"
    )
    table.add_row("unknown charges", f"{counts['unknown_charges']:,}")
    table.add_row("charges read by another catalog", f"{counts['charges_other_catalog']:,}")
    table.add_row("decided cases to look at again", f"{counts['cases_to_recheck']:,}")
    table.add_row("audit records", f"{counts['audit_records']:,}")
    table.add_row("interrupted imports not finished", f"{len(counts['interrupted_imports']):,}")
    Console().print(table)
    for run in counts["interrupted_imports"]:
        left = ", ".join(f"{n:,} {k}" for k, n in run["counts"].items()) or "no rows"
        Console().print(Text(
            f"Interrupted import: {run['file']} (sha256 {run['sha256'][:16]}...), started at "
            f"audit record #{run['started_seq']} ({run['started_at']}), stopped after "
            f"{run['chunks_committed']:,} committed chunk(s) that left {left}. Import the same "
            "file again to finish it.",
            style="yellow",
        ))
    if counts["charges_other_catalog"]:
        Console().print(
            f"{counts['charges_other_catalog']:,} stored charge(s) were read by another charge "
            f"catalog than the one in force ({counts['catalog'][:16]}); run `sj import resolve` "
            "to see what changes and bring them up to date."
        )
