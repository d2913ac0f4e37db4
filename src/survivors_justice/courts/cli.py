"""``sj court docket --from-db``: write a docket file from the office's open cases."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from survivors_justice.django_setup import setup
from survivors_justice.scheduling.cli import app as court_app
from survivors_justice.scheduling.ics import COURT_TZ

err = Console(stderr=True)


@court_app.command("docket")
def docket(
    from_db: Annotated[bool, typer.Option("--from-db", help="Read the open cases of the store.")],
    out: Annotated[Path | None, typer.Option("--out", help="Write here (default: print).")] = None,
    start: Annotated[
        str | None, typer.Option(help="First day, YYYY-MM-DD (default: next Monday).")
    ] = None,
    horizon_days: Annotated[int, typer.Option(min=1, max=366)] = 60,
    parts: Annotated[int, typer.Option(min=1, max=50, help="Courtroom parts Q-1..Q-N.")] = 6,
    slots: Annotated[int, typer.Option(min=1, max=100, help="Slots a session.")] = 2,
) -> None:
    """Write a docket of the cases being prosecuted (CPL 30.30 dates from their top charge)."""
    if not from_db:
        err.print("Say where the cases come from: --from-db (the office's store).")
        raise typer.Exit(2)
    try:
        first = date.fromisoformat(start) if start else None
    except ValueError:
        err.print(f"--start {start!r} is not a date; write YYYY-MM-DD.", highlight=False)
        raise typer.Exit(2) from None
    setup()
    from survivors_justice.courts.docket import docket_from_db, next_monday

    first = first or next_monday(datetime.now(tz=COURT_TZ).date())
    data = docket_from_db(start=first, horizon_days=horizon_days, parts=parts,
                          slots_per_session=slots)
    text = json.dumps(data, indent=2) + "\n"
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        err.print(f"Wrote {len(data['cases'])} open cases to {out}", highlight=False)


app = court_app
