"""The court calendar page: plans stored as `sj court plan` makes them, adopted by two people,
encounter-free, and naming no one a role may not see."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from icalendar import Calendar
from tests.cases.factories import BUYING, make_case
from tests.factories import make_user, sign_in
from typer.testing import CliRunner

from survivors_justice.audit.models import AuditRecord
from survivors_justice.cases.flows import CaseState
from survivors_justice.courts.models import CourtPlan, PlanningRun
from survivors_justice.courts.services import (
    CourtPlanError,
    PlanBeingMade,
    adopt_plan,
    build_plan,
    office_key,
    planning_run,
)
from survivors_justice.permissions import visible_cases
from survivors_justice.scheduling.cli import app as cli_app

pytestmark = pytest.mark.django_db

# One part, one morning session of two slots, Monday 2027-01-04 to Friday 2027-01-08.
# Case B (filed first) has defendant D2; case A's survivor S1 must be kept apart from D2.
# First come, first served puts B then A in Monday's two slots: S1 and D2 wait together (one
# encounter). The best encounter-free plan hears the survivor's case A on Monday (0 days) and
# B on Tuesday (1 day): survivors' mean 0.0 days, everyone's mean 0.5 days.
PAIR_DOCKET: dict[str, Any] = {
    "start_date": "2027-01-04", "horizon_days": 5, "holidays": [],
    "parts": [{"id": "P", "slots_per_session": 2, "sessions": ["am"],
               "weekdays": [0, 1, 2, 3, 4]}],
    "cases": [
        {"id": "A", "parts": ["P"], "filed": "2026-12-01", "hearings": 1, "min_gap_days": 1,
         "ready_by": "2027-01-08", "attend": {"D1": "all", "S1": "all"}},
        {"id": "B", "parts": ["P"], "filed": "2026-11-01", "hearings": 1, "min_gap_days": 1,
         "ready_by": "2027-01-08", "attend": {"D2": "all"}},
    ],
    "keep_apart": [["S1", "D2"]],
    "unavailable": {},
}


def _upload(client: Client, docket: dict[str, Any], limit: str = "5") -> CourtPlan:
    before = set(CourtPlan.objects.values_list("pk", flat=True))
    response = client.post("/court/plans/new/", {
        "source": "upload", "time_limit": limit,
        "docket": SimpleUploadedFile("docket.json", json.dumps(docket).encode(),
                                     content_type="application/json")})
    assert response.status_code == 302, response.content[:500]
    plan = CourtPlan.objects.exclude(pk__in=before).get()
    assert response["Location"] == f"/court/plans/{plan.pk}/"
    return plan


def _signed_in(role: str, email: str) -> tuple[Any, Client]:
    user = make_user(role, email=email)
    return user, sign_in(Client(), user)


def test_the_stored_plan_is_what_sj_court_plan_writes(tmp_path: Path) -> None:
    _, client = _signed_in("trafficking_ada", "court-ada@example.test")
    plan = _upload(client, PAIR_DOCKET)
    docket_file, out = tmp_path / "docket.json", tmp_path / "plan.json"
    docket_file.write_text(json.dumps(PAIR_DOCKET))
    result = CliRunner().invoke(cli_app, ["plan", str(docket_file), "--time-limit", "5",
                                          "--json", str(out)])
    assert result.exit_code == 0, result.output
    cli = json.loads(out.read_text())
    stored = plan.result
    for doc in (cli, stored):  # wall-clock seconds differ between any two runs
        doc["plan"].pop("solver")
    assert stored == cli
    assert plan.docket == PAIR_DOCKET
    assert plan.state == "proposed" and plan.source == "upload" and plan.time_limit == 5.0
    audit = AuditRecord.objects.get(action="courts.build_plan", outcome="success")
    assert (audit.actor, audit.object_id) == ("court-ada@example.test", str(plan.pk))


def test_an_encounter_prone_pair_is_planned_apart() -> None:
    _, client = _signed_in("supervisor", "court-sup@example.test")
    plan = _upload(client, PAIR_DOCKET)
    hearings = {(h["case"], h["date"], h["session"]) for h in plan.result["plan"]["hearings"]}
    assert hearings == {("A", "2027-01-04", "am"), ("B", "2027-01-05", "am")}
    fifo = {(h["case"], h["date"]) for h in plan.result["fifo"]["hearings"]}
    assert fifo == {("A", "2027-01-04"), ("B", "2027-01-04")}
    mine, theirs = plan.result["plan"]["metrics"], plan.result["fifo"]["metrics"]
    assert (mine["encounters"], theirs["encounters"]) == (0, 1)
    assert (mine["survivor_days_mean"], mine["all_days_mean"]) == (0.0, 0.5)
    assert (theirs["survivor_days_mean"], theirs["all_days_mean"]) == (0.0, 0.0)
    assert mine["deadline_violations"] == mine["unscheduled_hearings"] == 0
    page = client.get(f"/court/plans/{plan.pk}/").content.decode()
    assert 'data-encounters="0"' in page
    assert "Encounters (a survivor and a person kept apart in one session)" in page
    assert "S1" not in page and "D2" not in page  # people appear only as labels
    assert "Survivor 1" not in page  # no encounter to name anyone in
    assert "Adopt this plan" not in page  # its builder
    assert "another supervisor adopts it" in page


def test_adoption_needs_a_second_supervisor_and_is_audited() -> None:
    builder, builder_client = _signed_in("supervisor", "court-builder@example.test")
    other, other_client = _signed_in("supervisor", "court-adopter@example.test")
    _, ada_client = _signed_in("trafficking_ada", "court-ada2@example.test")
    first = _upload(builder_client, PAIR_DOCKET, limit="2")
    # the builder: refused (and the refusal audited), by the page and by the service
    assert builder_client.post(f"/court/plans/{first.pk}/adopt/").status_code == 403
    with pytest.raises(CourtPlanError, match="another supervisor"):
        adopt_plan(actor=builder, plan_id=first.pk)
    # a trafficking prosecutor may build and read plans, never adopt
    assert ada_client.post(f"/court/plans/{first.pk}/adopt/").status_code == 403
    first.refresh_from_db()
    assert first.state == "proposed" and first.adopted_by is None
    assert "Adopt this plan" in other_client.get(f"/court/plans/{first.pk}/").content.decode()
    assert other_client.post(f"/court/plans/{first.pk}/adopt/").status_code == 302
    first.refresh_from_db()
    assert (first.state, first.adopted_by_id) == ("adopted", other.pk)
    record = AuditRecord.objects.get(action="courts.adopt_plan", outcome="success")
    assert (record.actor, record.object_id) == ("court-adopter@example.test", str(first.pk))
    # an adopted plan is not adopted again; a newer one supersedes it
    with pytest.raises(CourtPlanError, match="only a proposed plan"):
        adopt_plan(actor=make_user("supervisor", email="court-third@example.test"),
                   plan_id=first.pk)
    second = build_plan(actor=other, docket=PAIR_DOCKET, source="upload", time_limit=2)
    adopt_plan(actor=builder, plan_id=second.pk)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, second.state, second.adopted_by_id) == ("superseded", "adopted",
                                                                 builder.pk)
    assert AuditRecord.objects.filter(action="courts.adopt_plan", outcome="success").count() == 2


def test_office_docket_names_only_cases_the_viewer_may_open() -> None:
    case = make_case(BUYING, state=CaseState.PROSECUTING, given_name="Wilhelmina",
                     family_name="Okonkwo-Hart")
    sup, sup_client = _signed_in("supervisor", "court-sup2@example.test")
    ada, ada_client = _signed_in("trafficking_ada", "court-ada3@example.test")
    assert not visible_cases(ada).filter(pk=case.pk).exists()
    assert visible_cases(sup).filter(pk=case.pk).exists()
    response = ada_client.post("/court/plans/new/", {"source": "office", "time_limit": "3",
                                                    "start": "2018-01-08"})
    assert response.status_code == 302
    plan = CourtPlan.objects.get()
    assert plan.source == "office"
    assert [c["id"] for c in plan.docket["cases"]] == [case.number]
    hidden = ada_client.get(f"/court/plans/{plan.pk}/").content.decode()
    assert case.number not in hidden and "Case 1" in hidden
    assert "Okonkwo-Hart" not in hidden and f"D-{case.defendant_id}" not in hidden
    shown = sup_client.get(f"/court/plans/{plan.pk}/").content.decode()
    assert case.number in shown and "Okonkwo-Hart" not in shown
    ics = ada_client.get(f"/court/plans/{plan.pk}/calendar.ics")
    assert ics["Content-Type"].startswith("text/calendar")
    events = Calendar.from_ical(ics.content).walk("VEVENT")
    # a buyer's case (class A misdemeanor) has 2 hearings, all scheduled
    assert sorted(str(e["summary"]) for e in events) == ["Case Case 1, hearing 1",
                                                         "Case Case 1, hearing 2"]
    assert case.number.encode() not in ics.content


def test_one_plan_at_a_time_a_second_request_is_told_a_plan_is_being_made() -> None:
    first, _ = _signed_in("trafficking_ada", "court-first@example.test")
    _, client = _signed_in("supervisor", "court-second@example.test")
    with planning_run(actor=first, time_limit=30):  # a solve in progress
        with pytest.raises(PlanBeingMade, match="a plan is being made now"):
            build_plan(actor=first, docket=PAIR_DOCKET, source="upload", time_limit=5)
        response = client.post("/court/plans/new/", {
            "source": "upload", "time_limit": "5",
            "docket": SimpleUploadedFile("docket.json", json.dumps(PAIR_DOCKET).encode(),
                                         content_type="application/json")}, follow=True)
        page = response.content.decode()
        assert "No plan was made: a plan is being made now" in page
        assert "court-first@example.test" in page
        assert not CourtPlan.objects.exists()
    # the run ended: the next request plans, and leaves no run behind
    plan = _upload(client, PAIR_DOCKET)
    assert plan.result["plan"]["metrics"]["encounters"] == 0
    assert not PlanningRun.objects.exists()


def test_a_run_left_behind_by_a_stopped_server_is_taken_over() -> None:
    user, client = _signed_in("supervisor", "court-stale@example.test")
    PlanningRun.objects.create(office=office_key(), started_by=user, stale_after=40,
                               started_at=timezone.now() - timedelta(seconds=41))
    _upload(client, PAIR_DOCKET)
    assert not PlanningRun.objects.exists()


def test_the_calendar_page_has_a_planning_indicator_for_the_wait() -> None:
    _, client = _signed_in("supervisor", "court-indicator@example.test")
    page = client.get("/court/").content.decode()
    status = page.split('id="planning-status"')[1].split("</div>\n  </div>")[0]
    assert 'role="status"' in status and " hidden" in status and "Planning&hellip;" in status
    assert 'data-planning-status="planning-status"' in page
    assert "/static/sj/planning.js" in page
