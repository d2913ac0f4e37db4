"""``sj court plan DOCKET.json``: the CP-SAT plan beside first come, first served.

Framework-free (no Django). Exit codes: 0 a plan was made (it may leave hearings unscheduled:
the explanation says why); 1 the solver found no calendar in the time given; 2 bad input.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from survivors_justice.scheduling.docket import Docket, DocketError, load_docket
from survivors_justice.scheduling.fifo import fifo_plan
from survivors_justice.scheduling.metrics import Hearing, Metrics, compute_metrics
from survivors_justice.scheduling.model import DEFAULT_TIME_LIMIT, PlanResult, solve

app = typer.Typer(
    name="court",
    help="Court calendars: survivors' cases first, no encounters, CPL 30.30 dates kept.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
out = Console()
err = Console(stderr=True)

ROWS = (
    ("survivor_days_mean", "Survivors' days to last hearing (mean)"),
    ("survivor_days_p90", "Survivors' days to last hearing (90th percentile)"),
    ("all_days_mean", "Everyone's days to last hearing (mean)"),
    ("encounters", "Encounters (survivor meets a person kept apart)"),
    ("deadline_violations", "Cases heard after their CPL 30.30 date"),
    ("capacity_violations", "Hearings beyond a session's slots"),
    ("unscheduled_hearings", "Hearings left unscheduled"),
    ("survivor_sessions", "Sessions survivors spend in the courthouse"),
)


def _fmt(value: float | int | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def metrics_table(plan: Metrics, fifo: Metrics) -> Table:
    table = Table(title="Court plan beside first come, first served")
    table.add_column("Measure")
    table.add_column("Plan (CP-SAT)", justify="right")
    table.add_column("First come, first served", justify="right")
    for key, label in ROWS:
        table.add_row(label, _fmt(getattr(plan, key)), _fmt(getattr(fifo, key)))
    return table


def plan_json(docket: Docket, result: PlanResult, fifo: list[Hearing]) -> dict[str, Any]:
    """The JSON document of ``--json``: ``plan`` and ``fifo`` with hearings and metrics."""
    return {
        "start_date": docket.start_date.isoformat(),
        "horizon_days": docket.horizon_days,
        "plan": {
            "hearings": [h.to_json() for h in result.hearings],
            "metrics": result.metrics.to_json(),
            "status": result.status,
            "objective": result.objective,
            "objective_bound": result.bound,
            "gap": result.gap,
            "solver": result.solver_json(),
            "explanation": list(result.explanation),
        },
        "fifo": {
            "hearings": [h.to_json() for h in fifo],
            "metrics": compute_metrics(docket, fifo).to_json(),
        },
    }


@app.callback()
def court() -> None:
    """Court calendars: plan a docket, or write one from the office's open cases."""


@app.command("plan")
def plan(
    docket_file: Annotated[Path, typer.Argument(metavar="DOCKET.json", help="The docket file.")],
    time_limit: Annotated[
        float, typer.Option("--time-limit", min=0.5, help="Seconds the solver may take in all.")
    ] = DEFAULT_TIME_LIMIT,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Write both plans and their metrics here.")
    ] = None,
    ics_dir: Annotated[
        Path | None, typer.Option("--ics", help="Write iCalendar files per part and person here.")
    ] = None,
) -> None:
    """Plan a docket with CP-SAT and compare it with first come, first served."""
    try:
        docket = load_docket(docket_file)
    except DocketError as exc:
        err.print(f"[red]Cannot plan this docket:[/red] {exc}", highlight=False)
        raise typer.Exit(2) from None
    fifo = fifo_plan(docket)
    with err.status("Solving…"):
        result = solve(docket, time_limit=time_limit)
    out.print(metrics_table(result.metrics, compute_metrics(docket, fifo)))
    gap = "—" if result.gap is None else f"{result.gap:.2%}"
    out.print(
        f"Solver: {result.status}; objective {_fmt(result.objective)}, bound "
        f"{_fmt(result.bound)}, gap {gap}, {result.seconds:.1f} s.",
        highlight=False,
    )
    for line in result.explanation:
        out.print(f"• {line}", highlight=False)
    if json_out is not None:
        json_out.write_text(json.dumps(plan_json(docket, result, fifo), indent=2) + "\n",
                            encoding="utf-8")
        out.print(f"Wrote {json_out}", highlight=False)
    if ics_dir is not None:
        from survivors_justice.scheduling.ics import write_ics

        files = write_ics(docket, result.hearings, ics_dir)
        out.print(f"Wrote {len(files)} calendar files to {ics_dir}", highlight=False)
    if not result.hearings and any(c.hearings for c in docket.cases) and result.status not in (
        "OPTIMAL", "FEASIBLE"
    ):
        raise typer.Exit(1)
