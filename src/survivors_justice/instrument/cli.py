"""`sj instrument`: show the screening instrument and run its scenario files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from survivors_justice.instrument.errors import InstrumentError
from survivors_justice.instrument.loader import load_instrument
from survivors_justice.instrument.model import Instrument
from survivors_justice.instrument.scenarios import coverage, report, run_scenarios, scenario_files

app = typer.Typer(
    help="The screening instrument: its questions in every language, and its scenario tests.",
    no_args_is_help=True,
)
out = Console()
err = Console(stderr=True)

InstrumentOption = Annotated[
    Path | None,
    typer.Option("--instrument", help="An instrument document (.yaml); default: the office's."),
]


def _load(path: Path | None) -> Instrument:
    try:
        return load_instrument(path)
    except InstrumentError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None


@app.command("show")
def show(
    language: Annotated[
        str, typer.Option("--language", "-l", help="Language code (en, es, zh-Hans, ko, bn, ru).")
    ] = "en",
    instrument: InstrumentOption = None,
) -> None:
    """Print the questions, what facts each answers and the statutory elements, in a language."""
    ins = _load(instrument)
    if language not in ins.languages:
        err.print(
            f"[red]error:[/red] no {language!r} text; languages are {', '.join(ins.languages)}"
        )
        raise typer.Exit(2)
    lang = ins.languages[language]
    out.print(f"{ins.title} ({ins.key}), {lang.name}: translation {lang.status.value}")
    table = Table(show_lines=True)
    for col in ("#", "question", "asked when", "facts", "elements"):
        table.add_column(col)
    for i, q in enumerate(ins.questions, 1):
        when = f"{q.ask_if.question} = {' or '.join(q.ask_if.answer_in)}" if q.ask_if else "always"
        table.add_row(
            str(i),
            f"{q.id}\n{q.text[language]}",
            when,
            ", ".join(m.fact for m in q.facts),
            "\n".join(f"{e.statute}: {e.element}" for e in q.elements),
        )
    out.print(table)


@app.command("test")
def test_command(
    files: Annotated[
        list[Path] | None, typer.Argument(help="Scenario files; default: every shipped one.")
    ] = None,
    instrument: InstrumentOption = None,
) -> None:
    """Run the scenario files (answers in, facts out); check every mapping is covered."""
    ins = _load(instrument)
    try:
        results = run_scenarios(ins, files or scenario_files())
    except InstrumentError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    text, passed = report(results)
    typer.echo(f"Instrument {ins.key}\n{text}")
    missing = coverage(ins, results) if not files else []
    for m in missing:
        typer.echo(f"  not covered: {m}")
    if passed != len(results) or missing:
        raise typer.Exit(1)
