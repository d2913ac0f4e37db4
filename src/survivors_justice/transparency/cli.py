"""`sj releases`: prepare a public release (an analyst) and approve it (a supervisor)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from survivors_justice.analytics.defaults import DEFAULT_THRESHOLD
from survivors_justice.django_setup import setup

releases_app = typer.Typer(help="Public releases: prepare (analyst), approve (supervisor).",
                           no_args_is_help=True)
err = Console(stderr=True)


def _user(email: str) -> object:
    from survivors_justice.accounts.models import User

    user = User.objects.filter(email__iexact=email, is_active=True).first()
    if user is None:
        err.print(f"[red]No active account {email!r}[/red]; `sj users list` shows accounts.")
        raise typer.Exit(2)
    return user


@releases_app.command("prepare")
def prepare(
    source: Annotated[Path | None, typer.Argument(help="NYPD arrests CSV.")] = None,
    db: Annotated[bool, typer.Option("--db", help="Use the case store instead of a file.")]
    = False,
    month_from: Annotated[str, typer.Option("--from", help="First month, YYYY-MM.")] = "",
    month_to: Annotated[str, typer.Option("--to", help="Last month, YYYY-MM.")] = "",
    threshold: Annotated[int, typer.Option(help="Counts under this are suppressed.", min=2)]
    = DEFAULT_THRESHOLD,
    by: Annotated[str, typer.Option("--by", help="Email of the analyst preparing it.")] = "",
) -> None:
    """Compute and freeze a release; print its id. It is public only once approved."""
    if (source is None) == (not db):
        err.print("[red]Give either SOURCE (an arrests CSV) or --db (the case store).[/red]")
        raise typer.Exit(2)
    if not (month_from and month_to and by):
        err.print("[red]--from, --to and --by are required[/red] (e.g. --from 2017-12 --to "
                  "2017-12 --by analyst@example.org).")
        raise typer.Exit(2)
    setup()
    from survivors_justice.analytics.errors import AnalyticsError
    from survivors_justice.arrests.frames import store_frame
    from survivors_justice.permissions import NotAllowed
    from survivors_justice.transparency.services import prepare_release

    actor = _user(by)
    try:
        release = prepare_release(actor=actor, source=source if source is not None
                                  else store_frame(), month_from=month_from, month_to=month_to,
                                  threshold=threshold)
    except (AnalyticsError, NotAllowed) as exc:
        err.print(f"[red]Not prepared:[/red] {exc}")
        raise typer.Exit(2) from None
    err.print(f"Prepared {release.arrests} arrests, {release.period}; a supervisor approves it "
              f"with `sj releases approve {release.slug} --by EMAIL`.")
    typer.echo(release.slug)


@releases_app.command("approve")
def approve(
    release_id: Annotated[str, typer.Argument(help="The release id `prepare` printed.")],
    by: Annotated[str, typer.Option("--by", help="Email of the approving supervisor.")],
) -> None:
    """Publish a prepared release (a supervisor other than the person who prepared it)."""
    setup()
    from survivors_justice.permissions import NotAllowed
    from survivors_justice.transparency.services import ReleaseRefused, approve_release

    actor = _user(by)
    try:
        release = approve_release(actor=actor, slug=release_id)
    except (ReleaseRefused, NotAllowed) as exc:
        err.print(f"[red]Not approved:[/red] {exc}")
        raise typer.Exit(2) from None
    typer.echo(f"Published {release.slug}: /transparency/{release.slug}/")


@releases_app.command("list")
def list_releases() -> None:
    """Every release with its state."""
    setup()
    from survivors_justice.transparency.models import Release

    for r in Release.objects.select_related("prepared_by", "approved_by"):
        typer.echo(f"{r.slug}\t{r.period}\t{r.state}\tprepared by {r.prepared_by.email}"
                   + (f"\tapproved by {r.approved_by.email}" if r.approved_by else ""))
