"""Court plans: a docket, the CP-SAT plan and the first-come-first-served baseline, as made.

A plan is a proposal until a supervisor other than the person who built it adopts it; adopting
one supersedes the plan adopted before. ``docket`` is the docket file's JSON and ``result`` the
document ``sj court plan --json`` writes for it, so the page and the command line agree.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class PlanState(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    ADOPTED = "adopted", "Adopted"
    SUPERSEDED = "superseded", "Superseded"


class PlanSource(models.TextChoices):
    OFFICE = "office", "The office's cases being prosecuted"
    UPLOAD = "upload", "An uploaded docket file"


class CourtPlan(models.Model):
    built_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="court_plans_built")
    built_at = models.DateTimeField()
    source = models.CharField(max_length=10, choices=PlanSource.choices)
    time_limit = models.FloatField()
    docket = models.JSONField()
    result = models.JSONField()
    state = models.CharField(max_length=12, choices=PlanState.choices,
                             default=PlanState.PROPOSED)
    adopted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="court_plans_adopted", null=True, blank=True)
    adopted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-built_at", "-pk"]

    def __str__(self) -> str:
        return f"court plan {self.pk} ({self.state})"


class PlanningRun(models.Model):
    """The plan being made now for an office (at most one: the solver has the machine's cores).

    A row exists while a solve runs and is deleted when it ends; one left behind by a stopped
    server is taken over once it is older than ``stale_after`` seconds.
    """

    office = models.CharField(max_length=20, unique=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                   related_name="+")
    started_at = models.DateTimeField()
    stale_after = models.FloatField(help_text="seconds after which the run is taken as dead")

    def __str__(self) -> str:
        return f"planning run for {self.office} since {self.started_at:%H:%M:%S}"
