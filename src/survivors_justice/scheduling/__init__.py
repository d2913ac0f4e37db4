"""Court-calendar planning: dockets, the first-come-first-served baseline, the CP-SAT plan.

Plain Python (no Django). The CLI, the web app and the tests all call the same functions:
:func:`parse_docket`, :func:`fifo_plan`, :func:`solve`, :func:`compute_metrics`.
"""

from survivors_justice.scheduling.docket import (
    Case,
    Docket,
    DocketError,
    Part,
    load_docket,
    parse_docket,
)
from survivors_justice.scheduling.fifo import fifo_plan
from survivors_justice.scheduling.metrics import Hearing, Metrics, compute_metrics
from survivors_justice.scheduling.model import PlanResult, solve

__all__ = [
    "Case",
    "Docket",
    "DocketError",
    "Hearing",
    "Metrics",
    "Part",
    "PlanResult",
    "compute_metrics",
    "fifo_plan",
    "load_docket",
    "parse_docket",
    "solve",
]
