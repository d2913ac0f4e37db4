"""``sj law ...``: look up the charge catalog from the command line.

Framework-free (no Django). The lead registers ``app`` in the root ``sj`` command as ``law``.
Exit codes: 0 success; 2 bad input (an unreadable date or law code).
"""

from __future__ import annotations

import functools
import json
from datetime import date
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from survivors_justice.law.catalog import load_catalog
from survivors_justice.law.model import CatalogEntry, ResolvedCharge

app = typer.Typer(
    name="law",
    help="The charge catalog: New York prostitution and trafficking offenses, by date.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
out = Console()


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(
            f"{value!r} is not a date; write YYYY-MM-DD", param_hint=option
        ) from exc


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def _entry_dict(entry: CatalogEntry) -> dict[str, object]:
    return {
        "citation": entry.citation,
        "section": entry.section,
        "subdivision": entry.subdivision,
        "title": entry.title,
        "offense_class": entry.offense_class,
        "role": entry.role.value,
        "family": entry.family.value,
        "minor": entry.minor,
        "coercion": entry.coercion,
        "in_force_from": None if entry.in_force_from is None else entry.in_force_from.isoformat(),
        "in_force_to": None if entry.in_force_to is None else entry.in_force_to.isoformat(),
        "source_url": entry.source_url,
    }


def _resolved_dict(r: ResolvedCharge) -> dict[str, object]:
    return {
        "law_code": r.law_code,
        "status": r.status.value,
        "section": r.section,
        "subdivision": r.subdivision,
        "role": None if r.role is None else r.role.value,
        "in_force": r.in_force,
        "entry": None if r.entry is None else _entry_dict(r.entry),
        "note": r.note,
    }


@app.command("resolve")
def resolve(
    law_code: Annotated[str, typer.Argument(help="NYPD LAW_CODE ('PL 2302502') or a citation.")],
    pd_cd: Annotated[str | None, typer.Option("--pd", help="The record's PD_CD.")] = None,
    on: Annotated[
        str | None,
        typer.Option(
            "--on",
            "--date",
            help="Arrest date, YYYY-MM-DD; without it the latest text is shown and whether it "
            "was in force is not checked.",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """What a recorded charge meant on the arrest date, and why."""
    day = _day(on, "--on")
    r = load_catalog().resolve(law_code=law_code, pd_cd=pd_cd, on=day)
    if as_json:
        out.print_json(json.dumps(_resolved_dict(r)))
        return
    # Notes and titles are data: printed without Rich markup ("[reading ...]" is text).
    say = functools.partial(out.print, markup=False, highlight=False, soft_wrap=True)
    say(f"{law_code}: {r.status.value}")
    if r.entry is not None:
        e = r.entry
        say(f"{e.citation} {e.title} ({e.offense_class})")
        if r.in_force is None:
            in_force = "not checked (no arrest date; give --on YYYY-MM-DD)"
        else:
            in_force = f"{'yes' if r.in_force else 'no'} (on {day})"
        say(
            f"role: {e.role.value}; family: {e.family.value}; minor: {_yes(e.minor)}; "
            f"coercion: {_yes(e.coercion)}; in force on the arrest date: {in_force}"
        )
        say(f"source: {e.source_url}")
    elif r.section is not None:
        say(f"PL {r.section}" + (f" subdivision {r.subdivision}" if r.subdivision else ""))
    if r.note:
        say(f"note: {r.note}")


@app.command("catalog")
def catalog(
    on: Annotated[str | None, typer.Option(help="Only versions in force on this date.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Every catalogued offense (each version of its text), with its role and dates."""
    day = _day(on, "--on")
    entries = [e for e in load_catalog().entries if day is None or e.in_force_on(day)]
    if as_json:
        out.print_json(json.dumps([_entry_dict(e) for e in entries]))
        return
    table = Table("citation", "title", "class", "role", "minor", "coercion", "from", "to")
    # Titles contain parentheses and brackets: plain text, never Rich markup.
    for e in entries:
        table.add_row(
            Text(e.citation),
            Text(e.title),
            e.offense_class,
            e.role.value,
            "yes" if e.minor else "",
            "yes" if e.coercion else "",
            str(e.in_force_from or ""),
            str(e.in_force_to or ""),
        )
    out.print(table)
