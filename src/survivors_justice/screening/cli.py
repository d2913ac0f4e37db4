"""``sj screen [FILE | --db] -o OUT.csv`` and ``sj policy replay CASE``: the Django-backed half.

``sj screen FILE`` is the framework-free file screening of ``policy.cli``; ``--db`` screens the
imported cases instead and stores each decision with its policy id and version.
"""

from __future__ import annotations

import csv
import getpass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from survivors_justice.django_setup import setup
from survivors_justice.policy import cli as policy_cli
from survivors_justice.policy.screen import OUTPUT as SCREEN_OUTPUT

if TYPE_CHECKING:
    from survivors_justice.screening.services import Difference

err = Console(stderr=True, soft_wrap=True)
out = Console()

# The file screen's columns, then the case number.
OUTPUT_COLUMNS = (*SCREEN_OUTPUT, "case")


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no passwd entry for this uid (containers)
        return "cli:unknown"


def screen(
    file: Annotated[
        Path | None,
        typer.Argument(help="An NYPD arrests CSV file (or use --db).", dir_okay=False),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Where to write the CSV.")
    ] = None,
    db: Annotated[
        bool, typer.Option("--db", help="Screen the imported cases and store the decisions.")
    ] = False,
    policy: policy_cli.PolicyOption = None,
    decision_date: policy_cli.DateOption = None,
) -> None:
    """Screen arrests: one recommendation per arrest (CSV), then outcomes by role."""
    if output is None:
        raise policy_cli.fail("give -o OUT.csv, where to write the recommendations")
    if db == (file is not None):
        raise policy_cli.fail("give either an arrests FILE or --db (the imported cases)")
    if file is not None:
        if not file.is_file():
            raise policy_cli.fail(f"no such file: {file}")
        policy_cli.screen(file, output, policy, decision_date)
        return
    _screen_db(output, policy, decision_date)


def _screen_db(output: Path, policy: Path | None, decision_date: str | None) -> None:
    setup()
    from rich.progress import BarColumn, Progress, TextColumn

    from survivors_justice.cases.models import Case
    from survivors_justice.screening.services import screen_cases

    pol = policy_cli.load(policy)
    when: date = policy_cli.parse_date(decision_date)
    total = Case.objects.count()
    with Progress(
        TextColumn("screening cases"),
        BarColumn(),
        TextColumn("{task.completed:,}/{task.total:,}"),
        console=err,
        transient=True,
        disable=total < 5000 or not err.is_terminal,
    ) as bar:
        task = bar.add_task("cases", total=total)
        run = screen_cases(
            actor=_actor(),
            source="cli",
            policy=pol,
            on=when,
            progress=lambda n: bar.advance(task, n),
        )
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=OUTPUT_COLUMNS)
        writer.writeheader()
        writer.writerows(run.rows)
    err.print(
        f"screened {run.cases:,} cases with {pol.id} v{pol.version} (decided {when.isoformat()}); "
        f"decisions stored; {run.followups_opened:,} follow-up tasks opened; wrote {output}"
    )
    table = Table(title="Outcomes by role (charges)")
    table.add_column("role")
    table.add_column("outcome")
    table.add_column("charges", justify="right")
    counts: dict[tuple[str, str], int] = {}
    for row in run.rows:
        key = (row["role"] or "(not prostitution)", row["outcome"])
        counts[key] = counts.get(key, 0) + 1
    for (role, outcome), n in sorted(counts.items()):
        table.add_row(role, outcome, f"{n:,}")
    out.print(table)


def replay(
    case: Annotated[str, typer.Argument(help="The case number (or id).")],
    policy: policy_cli.PolicyOption = None,
    catalog: Annotated[
        Path | None,
        typer.Option(
            "--catalog",
            help="Today's charge catalog, if not the shipped one (a catalog YAML file).",
            dir_okay=False,
        ),
    ] = None,
    screening: Annotated[
        int | None,
        typer.Option("--screening", help="Replay this stored screening of the case (its id)."),
    ] = None,
) -> None:
    """Re-evaluate a stored screening from its stored facts: under the policy text and catalog
    that made it, and under today's policy and catalog (and say why they differ).

    Exit code 1 only when the stored policy and catalog no longer reproduce their own decision.
    """
    setup()
    from survivors_justice.arrests.catalogs import CatalogFileError, read_catalog_file
    from survivors_justice.screening.services import (
        CaseNotFoundError,
        NoStoredDecisionError,
        ScreeningNotOfCaseError,
        case_screenings,
        find_case,
    )
    from survivors_justice.screening.services import replay as replay_case

    pol = policy_cli.load(policy)
    try:
        today = None if catalog is None else read_catalog_file(catalog)
        found = find_case(case)
        result = replay_case(
            case=found,
            actor=_actor(),
            source="cli",
            policy=pol,
            catalog=today,
            screening_id=screening,
        )
    except (
        CaseNotFoundError, NoStoredDecisionError, ScreeningNotOfCaseError, CatalogFileError
    ) as exc:
        raise policy_cli.fail(str(exc)) from None
    stored = result.stored
    out.print(
        f"Case {case}: screening #{stored.pk} of {stored.screened_at:%Y-%m-%d %H:%M} UTC by "
        f"{stored.policy_id} v{stored.policy_version} with catalog {result.stored_catalog}: "
        f"{stored.case_priority}"
    )
    made = f"v{stored.policy_version} and catalog {result.stored_catalog.split(' ')[0]}"
    if result.same_version is None:
        out.print(f"  (a) Could not replay under the stored version: {result.same_version_note}")
    else:
        if result.catalog_note:
            out.print(f"  Note: {result.catalog_note}")
            made = f"v{stored.policy_version} and the shipped catalog"
        if result.same_version_note:
            out.print(f"  Note: {result.same_version_note}")
        if result.reproduced:
            out.print(f"  (a) Replayed under {made}: identical.")
        else:
            why = (
                "the shipped catalog stood in for the one that made it"
                if result.catalog_note
                else "the engine changed"
            )
            out.print(f"  (a) Replayed under {made}: DIFFERS ({why}).")
            _differences(result.differences_same_version)
    today_label = f"{pol.id} v{pol.version} and catalog {result.current_catalog}"
    if result.differences_current:
        out.print(f"  (b) Under today's {today_label}: would decide differently:")
        _differences(result.differences_current)
    else:
        out.print(f"  (b) Under today's {today_label}: no change.")
    if result.policy_changed:
        out.print(f"      The policy changed: {result.policy_changed}.")
    if result.readings_changed:
        out.print("      The catalog reads these charges differently now:")
        _differences(result.readings_changed)
    elif result.differences_current:
        out.print("      The catalog reads every charge as it did.")
    others = [s for s in case_screenings(found) if s.pk != stored.pk]
    if others:
        listed = ", ".join(
            f"#{s.pk} ({s.screened_at:%Y-%m-%d %H:%M}, "
            f"catalog {s.catalog.digest[:12] if s.catalog else 'not recorded'})"
            for s in others[:10]
        )
        out.print(f"  Other stored screenings of this case (--screening ID): {listed}")
    if result.same_version is not None and result.replayed_as_made and not result.reproduced:
        raise typer.Exit(1)  # the same policy and catalog no longer give the same decision


def _differences(diffs: tuple[Difference, ...]) -> None:
    table = Table()
    for col in ("what", "stored", "now"):
        table.add_column(col)
    for d in diffs:
        table.add_row(d.what, d.stored, d.now)
    out.print(table)
