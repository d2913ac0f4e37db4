"""Training: the predicate, the permission module's refusal, the page that records training,
and the supervisor's dashboard figures (counted by hand from the decisions made here)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone
from tests.cases.factories import BUYING, SELLING, make_case
from tests.factories import make_user, sign_in

from survivors_justice.audit.models import AuditRecord
from survivors_justice.cases import decisions as case_services
from survivors_justice.permissions import Action, NotAllowed, can, why_not
from survivors_justice.training.models import TrainingRecord
from survivors_justice.training.rules import training_gap
from survivors_justice.training.services import TrainingError, record_training

pytestmark = pytest.mark.django_db
ALL = ("trauma_informed", "policy", "screening_instrument", "confidentiality")


def _train(user, courses=ALL, *, completed=None, expires=None):  # type: ignore[no-untyped-def]
    boss = make_user("supervisor")
    today = timezone.localdate()
    for course in courses:
        record_training(actor=boss, user=user, course=course,
                        completed_on=completed or today - timedelta(days=30),
                        expires_on=expires or today + timedelta(days=300))


def test_current_training_allows_the_work() -> None:
    ada = make_user("trafficking_ada", trained=False)
    member = make_user("panel_member", trained=False)
    assert training_gap(ada, "panel_seat") is not None  # nothing recorded
    assert not can(member, Action.PANEL_SEAT) and not can(ada, Action.SURVIVOR_WORK)
    _train(ada)
    _train(member)
    assert training_gap(ada, "panel_seat") is None
    assert training_gap(ada, "survivor_work") is None
    assert can(member, Action.PANEL_SEAT) and can(ada, Action.SURVIVOR_WORK)


def test_lapsed_training_is_refused_with_the_reason() -> None:
    ada = make_user("trafficking_ada", trained=False)
    member = make_user("panel_member", trained=False)
    today = timezone.localdate()
    _train(ada, ("trauma_informed", "policy", "confidentiality"))
    _train(ada, ("screening_instrument",), completed=today - timedelta(days=400),
           expires=today - timedelta(days=35))
    gap = training_gap(ada, "panel_seat")
    assert gap is not None
    assert "screening instrument" in gap and "lapsed" in gap
    assert (today - timedelta(days=35)).isoformat() in gap
    assert training_gap(ada, "survivor_work") is None  # survivor work needs no screening course
    _train(member, ("trauma_informed", "policy", "confidentiality"))
    _train(member, ("screening_instrument",), completed=today - timedelta(days=400),
           expires=today - timedelta(days=35))
    assert not can(member, Action.PANEL_SEAT)
    assert why_not(member, Action.PANEL_SEAT) == training_gap(member, "panel_seat") == gap
    assert can(ada, Action.SURVIVOR_WORK)


def test_training_expiring_today_has_lapsed_and_missing_courses_are_named() -> None:
    ada = make_user("intake_ada", trained=False)
    today = timezone.localdate()
    _train(ada, ("trauma_informed", "policy"), expires=today)
    gap = training_gap(ada, "survivor_work")
    assert gap is not None
    assert "Trauma-informed practice" in gap and "Confidentiality" in gap
    assert not can(ada, Action.SURVIVOR_WORK)
    assert training_gap(ada, "survivor_work", today=today - timedelta(days=1)) is not None
    with pytest.raises(ValueError, match="unknown work"):
        training_gap(ada, "cooking")


def test_roles_that_never_do_the_work_are_refused_whatever_their_training() -> None:
    analyst = make_user("analyst")
    _train(analyst)
    assert not can(analyst, Action.PANEL_SEAT)
    assert not can(analyst, Action.SURVIVOR_WORK)
    assert why_not(analyst, Action.PANEL_SEAT) == "the Analyst role does not do this work"


def test_only_supervisors_and_administrators_record_training() -> None:
    ada = make_user("intake_ada", trained=False)
    with pytest.raises(NotAllowed):
        record_training(actor=make_user("analyst"), user=ada, course="policy",
                        completed_on=date(2026, 1, 5), expires_on=date(2027, 1, 5))
    with pytest.raises(TrainingError, match="not after"):
        record_training(actor=make_user("admin"), user=ada, course="policy",
                        completed_on=date(2026, 1, 5), expires_on=date(2026, 1, 5))
    assert not TrainingRecord.objects.exists()


def test_the_training_page_records_and_shows_why_someone_is_not_eligible() -> None:
    ada = make_user("trafficking_ada", email="lapsed@example.test", trained=False)
    client = sign_in(Client(), make_user("supervisor"))
    page = client.get("/training/").content.decode()
    assert "lapsed@example.test" in page and "no training is recorded" in page
    response = client.post("/training/record/", {
        "user": ada.pk, "course": "policy", "completed_on": "2026-01-05",
        "expires_on": "2027-01-05"})
    assert response.status_code == 302
    record = TrainingRecord.objects.get(user=ada)
    assert (record.user, record.course, record.expires_on) == (ada, "policy", date(2027, 1, 5))
    assert AuditRecord.objects.filter(action="training.record", object_id=str(ada.pk)).exists()


def test_dashboard_shows_each_prosecutor_beside_their_peers() -> None:
    one = make_user("intake_ada", email="one@example.test")
    two = make_user("intake_ada", email="two@example.test")
    # one: two accepts and one override; two: one accept
    for i in range(2):
        case = make_case(BUYING, index=10 + i)
        case_services.accept_recommendation(actor=one, case_id=case.pk)
    case = make_case(SELLING, index=20)
    case_services.override_recommendation(
        actor=one, case_id=case.pk, outcomes={"1": "prosecute"},
        reason_category="victim_safety", reason_text="The safety of a named person.")
    case = make_case(BUYING, index=30)
    case_services.accept_recommendation(actor=two, case_id=case.pk)
    client = sign_in(Client(), make_user("supervisor"))
    page = client.get("/training/dashboard/").content.decode()
    row_one = page.split('data-prosecutor="one@example.test"')[1].split("</tr>")[0]
    row_two = page.split('data-prosecutor="two@example.test"')[1].split("</tr>")[0]
    # one: 3 decisions, 1 departure (33%); peers (two): 0 of 1 (0%)
    assert _cells(row_one) == ["3", "1", "33%", "0%"]
    assert "victim_safety: 1" in row_one
    # two: 1 decision, none departed; peers (one): 1 of 3 (33%)
    assert _cells(row_two) == ["1", "0", "0%", "33%"]


def _cells(row: str) -> list[str]:
    return [c.split(">", 1)[1].split("</td>")[0].strip() for c in row.split("<td")[1:5]]


def test_home_says_which_training_keeps_a_panel_member_from_the_panel() -> None:
    from tests.factories import signed_in_client, train

    from survivors_justice.accounts.roles import Role

    client, user = signed_in_client(Role.PANEL_MEMBER, trained=False)
    page = client.get("/home/").content.decode()
    assert "Some of your work waits for current training" in page
    assert "a seat on the review panel" in page and "no training is recorded" in page
    assert "Panel sessions" not in page and "nothing for your role" not in page
    train(user)
    page = client.get("/home/").content.decode()
    assert "waits for current training" not in page and "Panel sessions" in page
