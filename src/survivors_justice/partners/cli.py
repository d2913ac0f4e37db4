"""`sj partners import --hsds DIR`, `sj partners export --hsds DIR`, `sj partners search`,
`sj partners member EMAIL ORGANISATION_ID`.

Exit codes: 0 success; 1 some rows rejected (the rest imported); 2 bad input.
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from survivors_justice.django_setup import setup

app = typer.Typer(help="The partner directory (Open Referral HSDS 3.0).", no_args_is_help=True)
out = Console()
err = Console(stderr=True)


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:unknown"


@app.command("import")
def import_command(
    hsds: Annotated[Path, typer.Option("--hsds", help="Folder of an HSDS 3.0 tabular package.")],
    rejects: Annotated[Path | None, typer.Option(
        help="Where to write rejected rows (default: DIR/hsds-rejects.csv).")] = None,
) -> None:
    """Import organisations, locations and services from HSDS CSV files (idempotent)."""
    setup()
    from survivors_justice.partners.hsds import HsdsError, import_hsds

    try:
        summary = import_hsds(hsds, actor=_actor())
    except HsdsError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    table = Table("table", "imported", "kept as given", title="HSDS import")
    for name in sorted(set(summary.imported) | set(summary.kept_verbatim)):
        table.add_row(name, str(summary.imported.get(name, 0)),
                      str(summary.kept_verbatim.get(name, 0)))
    out.print(table)
    if summary.rejects:
        path = rejects or hsds / "hsds-rejects.csv"
        summary.write_rejects(path)
        err.print(f"[yellow]{len(summary.rejects)} row(s) rejected[/yellow]; table, row and "
                  f"reason are in {path}")
        raise typer.Exit(1)


@app.command("export")
def export_command(
    hsds: Annotated[Path, typer.Option("--hsds", help="Folder to write the package to.")],
) -> None:
    """Export the directory as an HSDS 3.0 tabular package (CSV files and datapackage.json)."""
    setup()
    from survivors_justice.partners.hsds import export_hsds

    counts = export_hsds(hsds)
    out.print(f"Wrote {sum(counts.values())} rows in {len(counts)} tables to {hsds}")


@app.command("search")
def search_command(
    need: Annotated[str, typer.Option(help="A need code, e.g. housing.")] = "",
    language: Annotated[str, typer.Option(help="ISO 639 code or name, e.g. es.")] = "",
    borough: Annotated[str, typer.Option(help="e.g. Queens.")] = "",
) -> None:
    """Services by need, language and borough."""
    setup()
    from survivors_justice.partners.search import search_services

    table = Table("organisation", "service", "languages", "boroughs")
    for svc in search_services(need=need, language=language, borough=borough).prefetch_related(
            "languages", "areas"):
        table.add_row(svc.organisation.name, svc.name,
                      ", ".join(lang.code for lang in svc.languages.all()),
                      ", ".join(a.name for a in svc.areas.all()))
    out.print(table)


@app.command("member")
def member_command(
    email: Annotated[str, typer.Argument(help="A partner-staff account's email.")],
    organisation_id: Annotated[int, typer.Argument(help="The organisation's number.")],
) -> None:
    """Link a partner-staff account to its organisation (it then sees that one's referrals)."""
    setup()
    from survivors_justice.accounts.models import User
    from survivors_justice.partners.models import Organisation
    from survivors_justice.partners.services import add_member

    user = User.objects.filter(email=email.lower()).first()
    if user is None or user.role != "partner_staff":
        err.print(f"[red]{email} is not a partner-staff account; create it with "
                  "`sj users create --role partner_staff`[/red]")
        raise typer.Exit(2)
    if not Organisation.objects.filter(pk=organisation_id).exists():
        err.print(f"[red]no organisation {organisation_id}; see `sj partners search`[/red]")
        raise typer.Exit(2)
    add_member(actor=_actor(), user=user, organisation_id=organisation_id)
    out.print(f"{email} now works for organisation {organisation_id}.")
