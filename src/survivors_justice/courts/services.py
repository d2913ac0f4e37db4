"""The only writer of court plans: build one (solve, then store) and adopt one (two people)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from survivors_justice.audit.services import record_event
from survivors_justice.courts.models import CourtPlan, PlanningRun, PlanSource, PlanState
from survivors_justice.permissions import Action, NotAllowed, can
from survivors_justice.scheduling import fifo_plan, parse_docket, solve
from survivors_justice.scheduling.cli import plan_json


class CourtPlanError(ValueError):
    """A plan that cannot be built or adopted (the message says why and what to do)."""


class PlanBeingMade(CourtPlanError):
    """Another plan is being made for the office now; one solve at a time."""


STALE_MARGIN = 60.0  # seconds past a run's time limit before it counts as left behind


def office_key() -> str:
    return f"county-{getattr(settings, 'SJ_OFFICE_COUNTY', 'Q')}"


@contextmanager
def planning_run(*, actor: Any, time_limit: float) -> Iterator[PlanningRun]:
    """Hold the office's one planning run while the block runs (PlanBeingMade when taken).

    The solver uses every core it is given, so two solves at once would each get half the
    machine and both plans would be worse; a second request is told a plan is being made.
    """
    office = office_key()
    now = timezone.now()
    stale = time_limit + STALE_MARGIN
    with transaction.atomic():
        current = PlanningRun.objects.select_for_update().filter(office=office).first()
        if current is not None and now - current.started_at < timedelta(
                seconds=current.stale_after):
            raise PlanBeingMade(
                f"a plan is being made now (started by {current.started_by.email} at "
                f"{timezone.localtime(current.started_at):%H:%M:%S}); wait until it is ready, "
                "then build yours")
        if current is not None:
            current.delete()  # left behind by a server that stopped mid-solve
    try:
        with transaction.atomic():
            run = PlanningRun.objects.create(office=office, started_by=actor, started_at=now,
                                             stale_after=stale)
    except IntegrityError:  # another request took it between the two transactions
        raise PlanBeingMade("a plan is being made now; wait until it is ready, then build "
                            "yours") from None
    try:
        yield run
    finally:
        PlanningRun.objects.filter(pk=run.pk).delete()


def build_plan(*, actor: Any, docket: dict[str, Any], source: str,
               time_limit: float) -> CourtPlan:
    """Plan ``docket`` (its JSON value) with CP-SAT beside first come, first served; store it.

    Raises :class:`survivors_justice.scheduling.DocketError` for a docket that cannot be read,
    :class:`PlanBeingMade` while another plan for the office is being made.
    """
    if not can(actor, Action.BUILD_COURT_PLAN):
        raise NotAllowed(actor, Action.BUILD_COURT_PLAN)
    if source not in PlanSource.values:
        raise CourtPlanError(f"plan source {source!r} is not one of {', '.join(PlanSource.values)}")
    parsed = parse_docket(docket)
    fifo = fifo_plan(parsed)
    with planning_run(actor=actor, time_limit=time_limit):
        result = solve(parsed, time_limit=time_limit)  # outside a transaction: it takes seconds
    document = plan_json(parsed, result, fifo)
    with transaction.atomic():
        plan = CourtPlan.objects.create(
            built_by=actor, built_at=timezone.now(), source=source, time_limit=time_limit,
            docket=docket, result=document)
        metrics = document["plan"]["metrics"]
        record_event(actor=actor.email, action="courts.build_plan", object_type="court_plan",
                     object_id=str(plan.pk),
                     details={"source": source, "cases": len(parsed.cases),
                              "status": result.status, "encounters": metrics["encounters"],
                              "deadline_violations": metrics["deadline_violations"],
                              "unscheduled_hearings": metrics["unscheduled_hearings"]})
    return plan


def adopt_plan(*, actor: Any, plan_id: int) -> CourtPlan:
    """Adopt a proposed plan; the plan adopted before is superseded. Never by its builder."""
    with transaction.atomic():
        plan = CourtPlan.objects.select_for_update().get(pk=plan_id)
        if plan.built_by_id == getattr(actor, "pk", None):
            raise CourtPlanError(
                f"court plan {plan.pk} was built by {actor.email}; another supervisor must adopt "
                "it (two people)")
        if plan.state != PlanState.PROPOSED:
            raise CourtPlanError(f"court plan {plan.pk} is {plan.state}; only a proposed plan "
                                 "can be adopted — build a new one")
        if not can(actor, Action.ADOPT_COURT_PLAN, plan):
            raise NotAllowed(actor, Action.ADOPT_COURT_PLAN, plan)
        before = list(CourtPlan.objects.select_for_update()
                      .filter(state=PlanState.ADOPTED).values_list("pk", flat=True))
        CourtPlan.objects.filter(pk__in=before).update(state=PlanState.SUPERSEDED)
        plan.state = PlanState.ADOPTED
        plan.adopted_by = actor
        plan.adopted_at = timezone.now()
        plan.save(update_fields=["state", "adopted_by", "adopted_at"])
        record_event(actor=actor.email, action="courts.adopt_plan", object_type="court_plan",
                     object_id=str(plan.pk),
                     details={"built_by": plan.built_by_id, "superseded": before})
    return plan
