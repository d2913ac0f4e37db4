"""`sj backup OUT` and `sj restore IN`."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

from survivors_justice.django_setup import setup


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no passwd entry for this uid (containers)
        return "cli:unknown"


def backup_command(
    out: Annotated[Path, typer.Argument(help="A new (or empty) folder to write the backup to.")],
) -> None:
    """Back up the store: a consistent snapshot of the database (SQLite's backup API, or pg_dump
    of one snapshot), the audit anchor file and a manifest with digests and the store's counts;
    files are private (0600). The anchor key is not copied."""
    setup()
    from django.db import DatabaseError

    from survivors_justice.store.backup import BackupError, backup

    try:
        manifest = backup(out, actor=_actor())
    except (BackupError, DatabaseError, OSError) as exc:
        Console(stderr=True).print(Text(f"Backup failed: {exc}", style="red"), soft_wrap=True)
        raise typer.Exit(2) from None
    head = manifest["audit_head"]
    Console().print(Text(
        f"Backed up to {out}: {', '.join(manifest['files'])}; {manifest['status']['arrests']:,} "
        f"arrests, {manifest['status']['cases']:,} cases, audit head #{head['seq']}."
    ), soft_wrap=True)


def restore_command(
    folder: Annotated[Path, typer.Argument(help="A backup folder written by `sj backup`.")],
) -> None:
    """Restore a backup into an empty store (a store with records is refused), then check that
    the audit chain verifies and the counts and audit head are the backup's."""
    setup()
    from django.db import DatabaseError

    from survivors_justice.store.backup import BackupError, restore

    err = Console(stderr=True)
    try:
        result = restore(folder)
    except (BackupError, DatabaseError, OSError) as exc:
        err.print(Text(f"Restore refused: {exc}", style="red"), soft_wrap=True)
        raise typer.Exit(2) from None
    if result.anchors:
        Console().print(Text(result.anchors))
    if not result.ok:
        err.print(Text(
            f"Restored, but the check failed: chain intact {result.chain_ok}, audit head as "
            f"backed up {result.head_matches}, counts as backed up {result.counts_match}. Run "
            "`sj audit verify` and `sj status`.",
            style="red",
        ), soft_wrap=True)
        raise typer.Exit(1)
    head = result.manifest["audit_head"]
    Console().print(Text(
        f"Restored {folder}: audit chain intact to #{head['seq']}, counts as backed up "
        f"({result.manifest['status']['arrests']:,} arrests, "
        f"{result.manifest['status']['cases']:,} cases)."
    ), soft_wrap=True)
