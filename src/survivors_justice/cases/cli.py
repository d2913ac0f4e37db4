"""`sj tokens`: API tokens for machine clients, each scoped to one role and revocable.
`sj cases refresh`: store the policy's recommendation again where the stored one is stale."""

from __future__ import annotations

import getpass
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from survivors_justice.django_setup import setup

tokens_app = typer.Typer(
    help="API tokens for machine clients: one role each, stored only as a hash, revocable.",
    no_args_is_help=True,
)
console = Console(stderr=True, soft_wrap=True)


def _actor() -> str:
    return f"cli:{getpass.getuser()}"


@tokens_app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="A name for the client, e.g. 'records-sync'.")],
    role: Annotated[str, typer.Option(help="The role the token acts as (e.g. intake_ada).")],
    owner: Annotated[str, typer.Option(help="Email of the accountable person.")],
) -> None:
    """Create a token and print it once (only its hash is kept)."""
    setup()
    from survivors_justice.accounts.tokens import TokenError, create_api_token

    try:
        token, secret = create_api_token(actor=_actor(), name=name, role=role, owner_email=owner)
    except TokenError as exc:
        console.print(f"[red]Error:[/red] {exc}")
        raise typer.Exit(2) from exc
    console.print(f"Token [bold]{token.name}[/bold] ({token.role}, owner {owner}). Keep it secret:")
    typer.echo(secret)


@tokens_app.command("revoke")
def revoke(name: Annotated[str, typer.Argument(help="The token's name.")]) -> None:
    """Revoke a token at once."""
    setup()
    from survivors_justice.accounts.tokens import TokenError, revoke_api_token

    try:
        revoke_api_token(actor=_actor(), name=name)
    except TokenError as exc:
        console.print(f"[red]Error:[/red] {exc}")
        raise typer.Exit(2) from exc
    console.print(f"Token [bold]{name}[/bold] revoked.")


@tokens_app.command("list")
def list_tokens() -> None:
    """List tokens (never their secrets)."""
    setup()
    from survivors_justice.cases.models import ApiToken

    table = Table("name", "role", "owner", "prefix", "created", "last used", "revoked")
    for t in ApiToken.objects.select_related("owner").order_by("name"):
        table.add_row(
            t.name,
            t.role,
            t.owner.email,
            t.prefix + "…",
            f"{t.created_at:%Y-%m-%d}",
            f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "never",
            f"{t.revoked_at:%Y-%m-%d}" if t.revoked_at else "",
        )
    Console().print(table)


cases_app = typer.Typer(
    help="The cases' stored recommendations (what the queues filter and sort on).",
    no_args_is_help=True,
)


@cases_app.command("refresh")
def refresh(
    everything: Annotated[
        bool, typer.Option("--all", help="Every case, not only those whose stored one is stale.")
    ] = False,
) -> None:
    """Store each case's recommendation again under the policy in force and today's date.

    Run it after a new policy version or catalog is installed, and nightly (a dated change of
    the law, such as a repeal, takes effect at midnight). Until then the intake queue evaluates
    the stale cases itself as it filters (slower) and says how many there are."""
    setup()
    from django.db import transaction

    from survivors_justice.audit.services import record_event
    from survivors_justice.cases.stored_recommendation import policy_key
    from survivors_justice.cases.stored_recommendation import refresh as refresh_cases

    stored = refresh_cases(everything=everything)
    with transaction.atomic():
        record_event(
            actor=_actor(),
            action="cases.recommendations.refresh",
            object_type="cases",
            source="cli",
            details={"cases": stored, "all": everything, "policy": policy_key()},
        )
    console.print(f"Stored the recommendation of {stored:,} case(s) under {policy_key()}.")
