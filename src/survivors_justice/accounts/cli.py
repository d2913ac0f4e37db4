"""`sj users …` (accounts), `sj demo` (development demo accounts) and `sj keys …` (encryption keys).

Register in the root ``cli.py``::

    app.add_typer(users_app, name="users")
    app.add_typer(keys_app, name="keys")
    app.command("demo")(demo)
"""

from __future__ import annotations

import getpass
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from survivors_justice.django_setup import setup

users_app = typer.Typer(
    help="Accounts: create, list, set-role, deactivate, reactivate, reset-password, unlock, "
    "reset-mfa, code.",
    no_args_is_help=True,
)
keys_app = typer.Typer(help="Encryption keys of the personal fields.", no_args_is_help=True)

out = Console()
err = Console(stderr=True, soft_wrap=True)

DEMO_PASSWORD = "queens-demo-only-passphrase"  # noqa: S105 (development demo accounts only)
DEMO_DOMAIN = "demo.sj.test"
DEMO_ORGANISATIONS = {"partner_staff": "Demo Partner Organisation"}


def _actor() -> str:
    return f"cli:{getpass.getuser()}"


def _fail(message: str) -> typer.Exit:
    err.print(f"[red]Error:[/red] {message}")
    return typer.Exit(2)


def _refuse_in_production(what: str) -> None:
    from django.conf import settings

    if settings.PRODUCTION:
        raise _fail(f"{what} is for development only; SJ_ENV is production. Nothing was done.")


@users_app.callback()
def users_group() -> None:
    """Accounts: one person, one email, one role; every account signs in with a TOTP code."""


@users_app.command("create")
def create(
    email: Annotated[str, typer.Argument(help="The person's email address (their sign-in name).")],
    role: Annotated[str, typer.Option(help="intake_ada, supervisor, trafficking_ada, advocate, "
                                          "partner_staff, panel_member, analyst or admin.")],
    org: Annotated[str, typer.Option(help="Organisation (partner staff: theirs).")] = "",
    password_stdin: Annotated[bool, typer.Option(
        "--password-stdin", help="Read the password from standard input (one line).")] = False,
) -> None:
    """Create an account and print the TOTP provisioning URI for its authenticator app."""
    setup()
    from survivors_justice.accounts import services

    if not password_stdin:
        raise _fail("pass --password-stdin and the password on standard input "
                    "(never on the command line, where other users can read it)")
    password = sys.stdin.readline().rstrip("\r\n")
    try:
        new = services.create_account(
            email=email, role=role, password=password, organisation=org, actor=_actor(),
            source="cli",
        )
    except (services.AccountExistsError, services.UnknownRoleError,
            services.WeakPasswordError) as exc:
        raise _fail(str(exc)) from None
    err.print(f"Created {new.user.email} ({new.user.get_role_display()}). Add this to the "
              "person's authenticator app (or let them scan the QR code at their first sign-in):")
    typer.echo(new.provisioning_uri)


@users_app.command("list")
def list_users() -> None:
    """List the accounts with their role, organisation and whether they are locked."""
    setup()
    from survivors_justice.accounts import services
    from survivors_justice.accounts.models import User
    from survivors_justice.accounts.otp import totp_device

    table = Table("email", "role", "organisation", "authenticator", "status", "last sign-in")
    for user in User.objects.order_by("email"):
        device = totp_device(user)
        status = "locked" if services.is_locked(user.email) else (
            "active" if user.is_active else "deactivated")
        table.add_row(
            user.email, user.role, user.organisation or "-",
            "enrolled" if device is not None and device.confirmed else "not yet enrolled",
            status, f"{user.last_login:%Y-%m-%d %H:%M}" if user.last_login else "never",
        )
    out.print(table)


@users_app.command("unlock")
def unlock(email: Annotated[str, typer.Argument(help="The locked account's email.")]) -> None:
    """Release an account locked after 5 failed sign-ins."""
    setup()
    from survivors_justice.accounts import services

    try:
        was_locked = services.is_locked(email)
        services.unlock_account(email=email, actor=_actor(), source="cli")
    except services.NoSuchAccountError as exc:
        raise _fail(str(exc)) from None
    err.print(f"{email} can sign in again." if was_locked
              else f"{email} was not locked; its failed attempts are cleared.")


@users_app.command("reset-mfa")
def reset_mfa(email: Annotated[str, typer.Argument(help="The account's email.")]) -> None:
    """Replace a lost authenticator: prints a new provisioning URI (enrolled at next sign-in)."""
    setup()
    from survivors_justice.accounts import services

    try:
        new = services.reset_mfa(email=email, actor=_actor(), source="cli")
    except services.NoSuchAccountError as exc:
        raise _fail(str(exc)) from None
    typer.echo(new.provisioning_uri)


@users_app.command("reset-password")
def reset_password(
    email: Annotated[str, typer.Argument(help="The account's email.")],
    password_stdin: Annotated[bool, typer.Option(
        "--password-stdin", help="Read the new password from standard input (one line).")] = False,
) -> None:
    """Set a new password (it must pass the password rules); also releases a lock."""
    setup()
    from survivors_justice.accounts import services

    if not password_stdin:
        raise _fail("pass --password-stdin and the new password on standard input "
                    "(never on the command line, where other users can read it)")
    password = sys.stdin.readline().rstrip("\r\n")
    try:
        user = services.reset_password(email=email, password=password, actor=_actor(),
                                       source="cli")
    except (services.NoSuchAccountError, services.WeakPasswordError) as exc:
        raise _fail(str(exc)) from None
    err.print(f"The password of {user.email} is changed. Tell the person in person.")


@users_app.command("deactivate")
def deactivate(email: Annotated[str, typer.Argument(help="The account's email.")]) -> None:
    """Stop an account from signing in (its history is kept; its API tokens are revoked)."""
    setup()
    from survivors_justice.accounts import services

    try:
        was_active = services.get_account(email).is_active
        user = services.deactivate_account(email=email, actor=_actor(), source="cli")
    except services.NoSuchAccountError as exc:
        raise _fail(str(exc)) from None
    err.print(f"{user.email} can no longer sign in." if was_active
              else f"{user.email} was already deactivated; nothing changed.")


@users_app.command("reactivate")
def reactivate(email: Annotated[str, typer.Argument(help="The account's email.")]) -> None:
    """Let a deactivated account sign in again (revoked API tokens stay revoked)."""
    setup()
    from survivors_justice.accounts import services

    try:
        user = services.reactivate_account(email=email, actor=_actor(), source="cli")
    except services.NoSuchAccountError as exc:
        raise _fail(str(exc)) from None
    err.print(f"{user.email} can sign in again.")


@users_app.command("set-role")
def set_role(
    email: Annotated[str, typer.Argument(help="The account's email.")],
    role: Annotated[str, typer.Argument(help="The new role (see `sj users create --help`).")],
) -> None:
    """Give an account another role (its API tokens are revoked)."""
    setup()
    from survivors_justice.accounts import services

    try:
        user = services.get_account(email)
        old = user.role
        user = services.change_role(user_id=user.pk, role=role, actor=_actor(), source="cli")
    except (services.NoSuchAccountError, services.UnknownRoleError) as exc:
        raise _fail(str(exc)) from None
    err.print(f"{user.email} is now {user.role}." if old != user.role
              else f"{user.email} already has the role {user.role}; nothing changed.")


@users_app.command("code")
def code(email: Annotated[str, typer.Argument(help="The account's email.")]) -> None:
    """Development only: print the account's current one-time code."""
    setup()
    _refuse_in_production("`sj users code`")
    from survivors_justice.accounts import services
    from survivors_justice.accounts.otp import current_code, totp_device

    try:
        user = services.get_account(email)
    except services.NoSuchAccountError as exc:
        raise _fail(str(exc)) from None
    device = totp_device(user)
    if device is None:
        raise _fail(f"{email} has no authenticator; run `sj users reset-mfa {email}`")
    typer.echo(current_code(device))


def demo() -> None:
    """Development only: one demo account per role, and how to sign in with each."""
    setup()
    _refuse_in_production("`sj demo`")
    from survivors_justice.accounts.demo import ensure_demo_accounts

    accounts = ensure_demo_accounts(password=DEMO_PASSWORD, domain=DEMO_DOMAIN,
                                    organisations=DEMO_ORGANISATIONS, actor=_actor())
    from survivors_justice.survivors.demo import ensure_demo_services
    from survivors_justice.training.demo import ensure_demo_training

    ensure_demo_training(domain=DEMO_DOMAIN)
    from survivors_justice.review.demo import ensure_demo_seat

    ensure_demo_seat(domain=DEMO_DOMAIN)
    ensure_demo_services(domain=DEMO_DOMAIN)
    table = Table("role", "email", "code now", title="Demo accounts (development only)")
    for account in accounts:
        table.add_row(account.role_label, account.email, account.code)
    out.print(table)
    out.print(
        f"Sign in at [bold]http://127.0.0.1:8000/accounts/sign-in/[/bold] with any email above, "
        f"the password [bold]{DEMO_PASSWORD}[/bold], and the 6-digit code.\n"
        "Codes change every 30 seconds: get a fresh one with "
        "[bold].venv/bin/sj users code EMAIL[/bold] (e.g. "
        f".venv/bin/sj users code {accounts[0].email})."
    )


@keys_app.callback()
def keys_group() -> None:
    """AES-256-GCM keys of the personal fields (SJ_ENCRYPTION_KEYS_FILE / SJ_ENCRYPTION_KEYS)."""


@keys_app.command("generate")
def keys_generate(
    key_id: Annotated[str | None, typer.Option("--id", help="Key id (default: random).")] = None,
) -> None:
    """Print a new `key_id:base64key` line (add it as the LAST line of the keys file)."""
    from survivors_justice import crypto

    typer.echo(crypto.new_key_line(key_id))


@keys_app.command("add")
def keys_add(
    key_id: Annotated[str | None, typer.Option("--id", help="Key id (default: random).")] = None,
) -> None:
    """Append a new newest key to the keys file in use; new writes use it from now on."""
    setup()
    from survivors_justice import crypto
    from survivors_justice.config import get_config

    path = crypto.keys_file(get_config())
    if path is None:
        raise _fail("the keys come from SJ_ENCRYPTION_KEYS; append the line printed by "
                    "`sj keys generate` to that variable (after a `;`) instead")
    ring = crypto.keyring()
    line = crypto.new_key_line(key_id)
    new_id = line.split(":", 1)[0]
    if new_id in ring.keys:
        raise _fail(f"key id {new_id!r} is already in {path}; choose another --id")
    with path.open("a", encoding="utf-8") as fh:
        fh.write(line + "\n")
    crypto.forget_cached_keys()
    err.print(f"Added key {new_id} to {path}. Deploy the file to every web worker, then run "
              "`sj keys rotate`.")


@keys_app.command("rotate")
def keys_rotate(
    batch_size: Annotated[int, typer.Option(help="Rows per transaction.")] = 500,
    pause: Annotated[float, typer.Option(help="Seconds to pause between batches.")] = 0.0,
) -> None:
    """Re-encrypt every personal value under the newest key, in batches, without downtime."""
    setup()
    from survivors_justice.accounts.keyrotation import rotate

    report = rotate(batch_size=batch_size, pause_seconds=pause, actor=_actor(), source="cli")
    table = Table("field", "values re-encrypted", title=f"Now under key {report.newest}")
    for name, count in sorted(report.rewritten.items()):
        table.add_row(name, f"{count:,}")
    out.print(table)
    err.print(f"{report.scanned_rows:,} rows read; {sum(report.rewritten.values()):,} values "
              f"re-encrypted; {report.skipped_changed:,} changed by the application meanwhile "
              "(already under the newest key).")


@keys_app.command("status")
def keys_status() -> None:
    """How many stored values each key encrypts, per personal field."""
    setup()
    from survivors_justice import crypto
    from survivors_justice.accounts.keyrotation import key_usage

    ring = crypto.keyring()
    table = Table("field", "values per key", title=f"Keys: {', '.join(ring.keys)} "
                  f"(newest {ring.newest}; {ring.source})")
    for name, counts in sorted(key_usage().items()):
        table.add_row(name, ", ".join(f"{k}: {v:,}" for k, v in sorted(counts.items())) or "-")
    out.print(table)
