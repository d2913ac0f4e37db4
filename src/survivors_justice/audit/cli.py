"""`sj audit …`: check the hash-chained audit log, and anchor its head outside the database."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

from survivors_justice.django_setup import setup

audit_app = typer.Typer(help="The audit log: verify its hash chain.", no_args_is_help=True)


@audit_app.callback()
def audit_group() -> None:
    """The append-only, hash-chained audit log."""


def _unreadable(exc: Exception) -> typer.Exit:
    Console(stderr=True, soft_wrap=True).print(Text(
        f"BROKEN: the audit log cannot be read ({type(exc).__name__}: {exc}). Its table is "
        "missing or damaged: the log was removed or the store was not created. Check that "
        "SJ_DATABASE_URL / SJ_VAR_DIR name the right store; restore the last backup "
        "(`sj restore`) if it was removed.",
        style="red",
    ), soft_wrap=True)
    return typer.Exit(2)


def _key(create: bool) -> object:
    """The anchor signing key: SJ_AUDIT_ANCHOR_KEY_FILE (default var/audit-anchor.key). Created
    (mode 0600) when missing in development and tests, or with --create-key; production never
    creates it silently and refuses one readable by others."""
    from survivors_justice.audit.anchors import create_key, load_key
    from survivors_justice.config import Environment, get_config

    config = get_config()
    path = config.anchor_key_path
    production = config.env is Environment.PRODUCTION
    if not path.exists() and (create or not production):
        key = create_key(path)
        Console(stderr=True, soft_wrap=True).print(Text(
            f"Created the anchor key {path} (mode 0600). Keep it off the database server's "
            "backups and give auditors its public half (`sj audit anchor --public-key`).",
            style="yellow",
        ), soft_wrap=True)
        return key
    return load_key(path, require_private_mode=production)


@audit_app.command("anchor")
def anchor_command(
    file: Annotated[Path | None, typer.Option(
        "--file", help="The anchor file to append to (default SJ_AUDIT_ANCHOR_FILE or "
        "var/audit-anchors.jsonl).")] = None,
    every: Annotated[int | None, typer.Option(
        "--every", min=1, help="Keep running: write an anchor every SECONDS (a service).")] = None,
    create_key: Annotated[bool, typer.Option(
        "--create-key", help="Create the key file when it is missing (production too).")] = False,
    public_key: Annotated[bool, typer.Option(
        "--public-key", help="Print the key's public half (PEM) for auditors, and stop.")] = False,
) -> None:
    """Sign the audit chain head (its seq and hash) with the anchor key, kept outside the
    database, and append it to the anchor file; `sj audit verify --anchors FILE` then detects any
    rewrite or truncation of the log up to the last anchor."""
    setup()
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from django.db import DatabaseError

    from survivors_justice.audit.anchors import (
        AnchorFileError,
        AnchorKeyError,
        append_anchor,
        public_pem,
    )
    from survivors_justice.audit.services import AnchorHeadError, head_for_anchor
    from survivors_justice.config import get_config

    err = Console(stderr=True, soft_wrap=True)
    try:
        key = _key(create_key)
    except AnchorKeyError as exc:
        err.print(Text(f"Refused: {exc}", style="red"), soft_wrap=True)
        raise typer.Exit(2) from None
    assert isinstance(key, Ed25519PrivateKey)
    if public_key:
        typer.echo(public_pem(key), nl=False)
        return
    path = file or get_config().anchor_path
    while True:
        try:
            seq, digest = head_for_anchor()
            line = append_anchor(path, key, seq=seq, head_hash=digest)
        except AnchorHeadError as exc:
            err.print(Text(f"Refused: {exc}", style="red"), soft_wrap=True)
            raise typer.Exit(1) from None
        except AnchorFileError as exc:
            err.print(Text(f"Refused: {exc}", style="red"), soft_wrap=True)
            raise typer.Exit(2) from None
        except DatabaseError as exc:
            raise _unreadable(exc) from None
        except OSError as exc:
            err.print(Text(f"Refused: cannot write {path} ({exc.strerror})", style="red"))
            raise typer.Exit(2) from None
        Console().print(Text(
            f"Anchored audit record #{seq} {digest} at {line['at']} in {path} "
            f"(key {line['key']})."
        ), soft_wrap=True)
        if every is None:
            return
        time.sleep(every)


@audit_app.command("verify")
def verify_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    anchors: Annotated[Path | None, typer.Option(
        "--anchors", help="An anchor file (`sj audit anchor`): also detect a rewrite or "
        "truncation of the log since its last anchor.")] = None,
    public_key: Annotated[Path | None, typer.Option(
        "--public-key", help="The anchor key's public half (PEM) to check the anchors with "
        "(default: the key file, SJ_AUDIT_ANCHOR_KEY_FILE).")] = None,
) -> None:
    """Check every audit record's hash and link; exit 1 at the first changed, removed or
    reordered record (or, with --anchors, a rewrite or truncation since an anchor, or a forged
    anchor), 2 when the log or the anchors cannot be read. Interrupted imports are reported."""
    setup()
    from django.db import DatabaseError

    from survivors_justice.audit.anchors import (
        AnchorFileError,
        AnchorKeyError,
        check_anchors,
        load_public_key,
        read_anchors,
    )
    from survivors_justice.audit.runs import unfinished_runs
    from survivors_justice.audit.services import stored_hash, verify
    from survivors_justice.config import get_config

    err = Console(stderr=True, soft_wrap=True)
    loaded = None
    if anchors is not None:
        try:
            public = load_public_key(public_key or get_config().anchor_key_path)
            loaded = read_anchors(anchors, public)
        except (AnchorKeyError, AnchorFileError) as exc:
            if isinstance(exc, AnchorFileError) and "cannot read" not in str(exc):
                err.print(Text(f"BROKEN: {exc}", style="red"), soft_wrap=True)
                raise typer.Exit(1) from None
            err.print(Text(f"Refused: {exc}", style="red"), soft_wrap=True)
            raise typer.Exit(2) from None
    try:
        result = verify()
        runs = unfinished_runs()
        anchored = None if loaded is None else check_anchors(
            loaded, head_seq=result.head_seq, hash_of=stored_hash
        )
    except DatabaseError as exc:
        raise _unreadable(exc) from None
    if as_json:
        out_json = result.as_dict()
        out_json["interrupted_runs"] = [r.as_dict() for r in runs]
        if anchored is not None:
            out_json["anchors"] = anchored.as_dict()
        typer.echo(json.dumps(out_json, indent=2))
    else:
        out = Console()
        if result.ok:
            out.print(
                f"[green]OK[/green]: {result.checked:,} audit records, chain intact; "
                f"head #{result.head_seq} {result.head_hash}"
            )
        else:
            brk = result.first_break
            assert brk is not None  # not ok means a break was found
            where = f"record #{brk.seq}" if brk.seq is not None else "chain head"
            Console(stderr=True, soft_wrap=True).print(
                f"[red]BROKEN[/red] at {where} ({brk.kind}): {brk.reason}. "
                f"{result.checked:,} records before it are intact."
            )
        if anchored is not None and anchored.ok:
            last = anchored.last
            out.print(Text(
                f"Anchors OK: {anchored.anchors:,} anchor(s) hold"
                + (f"; the last, #{last.seq} on {last.at}, is in the log unchanged" if last
                   else "")
            ), soft_wrap=True)
        elif anchored is not None:
            err.print(Text(f"BROKEN: {anchored.problem}.", style="red"), soft_wrap=True)
        for run in runs:
            style = "yellow" if run.finished_by is None else "default"
            out.print(Text(f"Interrupted: {run.sentence()}.", style=style), soft_wrap=True)
    if not result.ok or (anchored is not None and not anchored.ok):
        raise typer.Exit(1)
