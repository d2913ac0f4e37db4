"""The `sj` command: everything a person runs, one Typer application."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Annotated

import typer
from rich.console import Console

from survivors_justice.django_setup import setup

app = typer.Typer(
    name="sj",
    help=(
        "Survivor's Justice: case store, policy screening, disparity reports and the office "
        "web app."
    ),
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
db_app = typer.Typer(help="The database: create or upgrade its tables.", no_args_is_help=True)
app.add_typer(db_app, name="db")

console = Console(stderr=True, soft_wrap=True)


@app.callback()
def _start() -> None:
    """Every sub-command: files this process creates are private to its account."""
    from survivors_justice.files import private_by_default

    private_by_default()


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or upgrade the tables (Django migrations) of the configured database."""
    setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1)
    from django.conf import settings

    from survivors_justice.config import get_config
    from survivors_justice.files import secure_store

    config = get_config()
    on_sqlite = settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")
    sqlite = config.sqlite_path if on_sqlite else None
    for path in secure_store(config.var_dir, sqlite):
        console.print(f"Made private to this account: {path}")


def default_web_workers() -> int:
    """Gunicorn's rule for a server's processes: two per CPU core this process may use, plus one.

    Pages are Python work that holds the interpreter lock, so processes, not threads, let requests
    run side by side; a kept-alive connection stays with the process that accepted it."""
    return 2 * len(os.sched_getaffinity(0)) + 1


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int | None, typer.Option(
        help="Web worker processes [default: 2 x the CPU cores this process may use, + 1].",
        min=1)] = None,
    threads: Annotated[int, typer.Option(help="Threads per worker.", min=1)] = 2,
) -> None:
    """Serve the web application (gunicorn, the production server configuration)."""
    workers = workers or default_web_workers()
    setup()
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    console.print(f"Serving on [bold]http://{host}:{port}[/bold] (Ctrl-C to stop)")
    cmd = [
        sys.executable, "-m", "gunicorn", "survivors_justice.wsgi:application",
        "--bind", f"{host}:{port}", "--workers", str(workers), "--threads", str(threads),
        "--access-logfile", "-",
    ]
    raise typer.Exit(subprocess.call(cmd, env=os.environ.copy()))  # noqa: S603 (fixed argv)


def _register() -> None:
    """Add the sub-commands each area defines in its own cli module."""
    from survivors_justice.arrests.cli import import_app, status
    from survivors_justice.audit.cli import audit_app

    app.add_typer(import_app, name="import")
    app.command("status")(status)
    app.add_typer(audit_app, name="audit")

    from survivors_justice.store.cli import backup_command, restore_command

    app.command("backup")(backup_command)
    app.command("restore")(restore_command)

    from survivors_justice.accounts.cli import demo, keys_app, users_app

    app.add_typer(users_app, name="users")
    app.add_typer(keys_app, name="keys")
    app.command("demo")(demo)

    from survivors_justice.cases.cli import cases_app, tokens_app

    app.add_typer(tokens_app, name="tokens")
    app.add_typer(cases_app, name="cases")

    from survivors_justice.analytics.cli import app as report_app
    from survivors_justice.analytics.cli import register_store_source
    from survivors_justice.arrests.frames import store_frame

    register_store_source(store_frame)
    from survivors_justice.instrument.cli import app as instrument_app
    from survivors_justice.law.cli import app as law_app
    from survivors_justice.policy.cli import app as policy_app
    from survivors_justice.screening.cli import replay, screen

    policy_app.command("replay")(replay)
    app.add_typer(law_app, name="law")
    app.add_typer(policy_app, name="policy")
    app.add_typer(instrument_app, name="instrument")

    from survivors_justice.review.cli import app as panel_app

    app.add_typer(panel_app, name="panel")
    app.command("screen")(screen)
    app.add_typer(report_app, name="report")

    from survivors_justice.transparency.cli import releases_app

    app.add_typer(releases_app, name="releases")

    from survivors_justice.partners.cli import app as partners_app

    app.add_typer(partners_app, name="partners")

    from survivors_justice.courts.cli import app as court_app

    app.add_typer(court_app, name="court")


_register()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
