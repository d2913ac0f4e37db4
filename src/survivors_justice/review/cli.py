"""`sj panel`: the review panel from the command line (administrators)."""

from __future__ import annotations

import getpass
import json
from typing import Annotated

import typer
from rich.console import Console

from survivors_justice.django_setup import setup

app = typer.Typer(help="The review panel: de-identified case packets.", no_args_is_help=True)
err = Console(stderr=True)


@app.command("packet")
def packet(
    case_ref: Annotated[str, typer.Argument(help="A case number (NYPD-…) or an NYPD arrest key.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the packet as JSON.")] = False,
) -> None:
    """Print the de-identified packet panel members read for a case (audited)."""
    setup()
    from django.db.models import Q

    from survivors_justice.audit.services import record_event
    from survivors_justice.cases.models import Case
    from survivors_justice.review.models import DocketEntry
    from survivors_justice.review.packets import build_packet

    ref = case_ref.strip()
    case = (
        Case.objects.select_related("arrest", "defendant")
        .filter(Q(number=ref) | Q(arrest__arrest_key=ref))
        .first()
    )
    if case is None:
        err.print(
            f"[red]error:[/red] no case {ref!r}: give a case number such as NYPD-176543210 "
            "or an NYPD arrest key (see the intake queue or `sj status`)"
        )
        raise typer.Exit(2)
    entry = DocketEntry.objects.filter(case=case).select_related("session").order_by("-pk").first()
    data = build_packet(case, entry)
    record_event(
        actor=f"cli:{getpass.getuser()}",
        action="review.packet.read",
        object_type="Case",
        object_id=str(case.pk),
        source="cli",
    )
    if as_json:
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    typer.echo(
        f"{data['packet']}: {data['age_band']}, {data['borough']}, arrested {data['arrest_month']}"
    )
    for c in data["charges"]:
        typer.echo(f"  {c['law_code']} {c['title']} ({c['role']}): {c['outcome']}")
    typer.echo(f"Missing facts: {', '.join(data['missing_facts']) or 'none'}")
    typer.echo(f"Narrative ({'confirmed' if data['narrative_confirmed'] else 'not confirmed'}):")
    typer.echo(data["narrative"] or "(none)")
