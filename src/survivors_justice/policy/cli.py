"""``sj policy ...`` and ``sj screen FILE``: the policy engine from the command line.

Framework-free: nothing here imports Django. The commands that need the case store
(``sj screen --db``, ``sj policy replay``) live in ``survivors_justice.screening.cli``.

Exit codes: 0 success; 1 scenario failures; 2 bad input (facts, policy document, file).
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any

import polars as pl
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from survivors_justice.policy.errors import PolicyError
from survivors_justice.policy.evaluate import Decision, evaluate
from survivors_justice.policy.explain import explain as explain_decision
from survivors_justice.policy.facts import FACTS
from survivors_justice.policy.loader import load_policy
from survivors_justice.policy.model import OUTCOME_WORDS, Outcome, Policy
from survivors_justice.policy.scenarios import report, run_scenarios, scenario_files
from survivors_justice.policy.screen import ScreenSummary, screen_file
from survivors_justice.policy.simulate import Simulation, simulate

app = typer.Typer(
    name="policy",
    help="The Survivor's Justice Policy: evaluate a case, explain it, test it, simulate changes.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
err = Console(stderr=True)
out = Console()

PolicyOption = Annotated[
    Path | None,
    typer.Option("--policy", help="A policy document (.yaml); default: the office's policy."),
]
DateOption = Annotated[
    str | None,
    typer.Option("--decision-date", help="Decide as of this date (YYYY-MM-DD); default: today."),
]


def fail(message: str, code: int = 2) -> typer.Exit:
    err.print(f"[bold red]error:[/bold red] {message}", highlight=False)
    return typer.Exit(code)


def today() -> date:
    return datetime.now(UTC).date()


def load(path: Path | None) -> Policy:
    try:
        return load_policy(path)
    except PolicyError as exc:
        raise fail(str(exc)) from None


def parse_date(value: str | None) -> date:
    if value is None:
        return today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise fail(f"--decision-date {value!r} is not a date; write YYYY-MM-DD") from None


def read_facts(source: str) -> dict[str, Any]:
    """The facts JSON from a file or ``-`` (stdin); the decision date defaults to today."""
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except OSError as exc:
        raise fail(f"cannot read facts file {source!r}: {exc.strerror}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise fail(f"facts {source!r} are not JSON (line {exc.lineno}): {exc.msg}") from None
    if isinstance(data, dict) and data.get("decision_date") is None:
        data["decision_date"] = today().isoformat()
    if not isinstance(data, dict):
        raise fail(f"facts {source!r} must be a JSON object, got {type(data).__name__}")
    return data


def decide(facts: str, policy: Path | None) -> tuple[Policy, Decision]:
    pol = load(policy)
    try:
        return pol, evaluate(pol, read_facts(facts))
    except PolicyError as exc:
        raise fail(str(exc)) from None


FactsOption = Annotated[
    str, typer.Option("--facts", help="The case's facts as JSON (a file, or - for stdin).")
]


@app.command("evaluate")
def evaluate_command(facts: FactsOption, policy: PolicyOption = None) -> None:
    """Print the decision for a case as JSON."""
    _, decision = decide(facts, policy)
    typer.echo(decision.to_json())


@app.command("explain")
def explain_command(facts: FactsOption, policy: PolicyOption = None) -> None:
    """Print the decision for a case in plain English."""
    pol, decision = decide(facts, policy)
    typer.echo(explain_decision(decision, pol))


@app.command("show")
def show_command(policy: PolicyOption = None) -> None:
    """Print the policy: its sections, its rules in precedence order, and the facts they read."""
    pol = load(policy)
    out.print(
        f"[bold]{pol.title}[/bold]  id {pol.id}, version {pol.version}, "
        f"effective {pol.effective_from.isoformat()}"
    )
    if pol.summary:
        out.print(pol.summary)
    for section in pol.sections:
        out.print(f"\n[bold]§{section.id}[/bold] {section.title}\n  {section.text}")
    table = Table(title="Rules (the first that holds decides)")
    for name in ("#", "rule", "when", "outcome", "cites"):
        table.add_column(name)
    from survivors_justice.policy.conditions import describe

    for i, rule in enumerate(pol.rules, 1):
        table.add_row(
            str(i), rule.id, describe(rule.when), rule.outcome.value, ", ".join(rule.cites)
        )
    out.print(table)
    if pol.followups:
        followups = Table(title="Follow-ups (per action, the first that holds for a charge)")
        for name in ("follow-up", "when", "action", "owner", "due (days)", "cites"):
            followups.add_column(name)
        for f in pol.followups:
            followups.add_row(
                f.id,
                describe(f.when),
                f.action.value,
                f.owner_role,
                str(f.due_days),
                ", ".join(f.cites),
            )
        out.print(followups)
    facts = Table(title="Facts the rules read (unknown is never false)")
    facts.add_column("fact")
    facts.add_column("question")
    facts.add_column("give it as")
    for name in pol.facts:
        facts.add_row(name, FACTS[name].question, FACTS[name].supply)
    out.print(facts)


@app.command("test")
def test_command(
    files: Annotated[
        list[Path] | None, typer.Argument(help="Scenario files; default: every shipped one.")
    ] = None,
    policy: PolicyOption = None,
) -> None:
    """Run the scenario tests (facts in, outcome and rule out) and print a readable report."""
    pol = load(policy)
    try:
        results = run_scenarios(pol, files or scenario_files())
    except PolicyError as exc:
        raise fail(str(exc)) from None
    text, passed = report(results)
    typer.echo(f"Policy {pol.id} version {pol.version}" + text)
    if passed != len(results):
        raise typer.Exit(1)


@app.command("simulate")
def simulate_command(
    file: Annotated[
        Path, typer.Argument(help="An NYPD arrests CSV file.", exists=True, dir_okay=False)
    ],
    base: Annotated[Path, typer.Option("--base", help="The policy in force (.yaml).")],
    proposal: Annotated[Path, typer.Option("--proposal", help="The proposed policy (.yaml).")],
    csv: Annotated[Path | None, typer.Option("--csv", help="Also write the tables as CSV.")] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Also write JSON.")] = None,
    decision_date: DateOption = None,
) -> None:
    """How many arrests would change outcome under a proposal, from what to what, and for whom."""
    a, b = load(base), load(proposal)
    lf = pl.scan_csv(file, infer_schema=False)
    try:
        result = simulate(a, b, lf, decision_date=parse_date(decision_date))
    except PolicyError as exc:
        raise fail(str(exc)) from None
    print_simulation(result)
    if csv is not None:
        result.write_csv(csv)
        err.print(f"wrote {csv}")
    if json_out is not None:
        result.write_json(json_out)
        err.print(f"wrote {json_out}")


def print_simulation(result: Simulation) -> None:
    share = result.changed / result.rows if result.rows else 0.0
    out.print(
        f"[bold]{result.changed:,}[/bold] of {result.rows:,} arrests ({share:.1%}) change outcome "
        f"from {result.base.id} v{result.base.version} to {result.proposal.id} "
        f"v{result.proposal.version}."
    )
    t = Table(title="Outcomes: policy in force -> proposal")
    for col in ("from", "to", "arrests"):
        t.add_column(col, justify="right" if col == "arrests" else "left")
    for row in result.transitions.iter_rows(named=True):
        style = "bold" if row["from"] != row["to"] else None
        t.add_row(row["from"], row["to"], f"{row['arrests']:,}", style=style)
    out.print(t)
    if result.breakdown.height:
        bt = Table(title="Arrests that change outcome, by group")
        for col in ("dimension", "value", "from", "to", "arrests"):
            bt.add_column(col, justify="right" if col == "arrests" else "left")
        for row in result.breakdown.iter_rows(named=True):
            bt.add_row(
                row["dimension"], row["value"], row["from"], row["to"], f"{row['arrests']:,}"
            )
        out.print(bt)


def print_summary(summary: ScreenSummary) -> None:
    """Outcomes by role: one row per (role, outcome) that occurs, outcomes in a fixed order."""
    table = Table(title=f"{summary.rows:,} arrests screened: outcomes by role")
    table.add_column("role")
    table.add_column("outcome")
    table.add_column("arrests", justify="right")
    order = {o.value: i for i, o in enumerate(Outcome)}
    counts: dict[tuple[str, str], int] = {}
    for row in summary.by_role.iter_rows(named=True):
        key = (row["role"] or "(not prostitution)", row["outcome"])
        counts[key] = counts.get(key, 0) + row["arrests"]
    for role, outcome in sorted(counts, key=lambda k: (k[0].startswith("("), k[0], order[k[1]])):
        table.add_row(role, outcome, f"{counts[(role, outcome)]:,}")
    out.print(table)


def screen(
    file: Annotated[
        Path, typer.Argument(help="An NYPD arrests CSV file.", exists=True, dir_okay=False)
    ],
    output: Annotated[Path, typer.Option("-o", "--output", help="Where to write the CSV.")],
    policy: PolicyOption = None,
    decision_date: DateOption = None,
) -> None:
    """Screen an NYPD arrests file: one recommendation per arrest, then outcomes by role."""
    pol = load(policy)
    when = parse_date(decision_date)
    size = file.stat().st_size
    try:
        if size < 20_000_000 or not err.is_terminal:
            summary = screen_file(pol, file, output, decision_date=when)
        else:
            summary = _screen_with_progress(pol, file, output, when, size)
    except PolicyError as exc:
        raise fail(str(exc)) from None
    err.print(f"wrote {output} (policy {pol.id} v{pol.version}, decided {when.isoformat()})")
    print_summary(summary)


def _screen_with_progress(
    pol: Policy, file: Path, output: Path, when: date, size: int
) -> ScreenSummary:
    with file.open("rb") as f:
        sample = f.read(1_000_000)
    per_row = max(len(sample) / max(sample.count(b"\n"), 1), 1.0)
    estimate = int(size / per_row)
    with Progress(
        TextColumn("screening"),
        BarColumn(),
        TextColumn("{task.completed:,} rows"),
        TimeElapsedColumn(),
        console=err,
    ) as bar:
        task = bar.add_task("screen", total=estimate)
        summary = screen_file(
            pol,
            file,
            output,
            decision_date=when,
            progress=lambda n: bar.advance(task, n),
        )
        bar.update(task, total=summary.rows, completed=summary.rows)
    return summary


__all__ = ["OUTCOME_WORDS", "app", "screen"]
