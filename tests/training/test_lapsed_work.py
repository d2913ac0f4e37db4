"""Lapsed training refuses a panel seat and a survivor assignment: in the services, the pages and
the JSON API, and a renewal lets the same request through.

Every expected refusal comes from training dates written here by hand (completed, expires), and
the reason is the sentence a supervisor reads, course and date spelled out below.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone
from tests.factories import make_user, sign_in
from tests.review.factories import open_session
from tests.survivors.factories import make_survivor
from tests.survivors.from_intake import minors_referral_task

from survivors_justice.accounts.models import User
from survivors_justice.audit.models import AuditRecord
from survivors_justice.cases import followups
from survivors_justice.cases.models import FollowUpTask
from survivors_justice.review import services as review
from survivors_justice.review.models import PanelMember
from survivors_justice.review.rules import may_read_packet, sitting_gap
from survivors_justice.survivors import services as survivors
from survivors_justice.survivors.models import Survivor
from survivors_justice.training.models import TrainingRecord

pytestmark = pytest.mark.django_db
PANEL = ("trauma_informed", "policy", "screening_instrument", "confidentiality")
SURVIVOR = ("trauma_informed", "policy", "confidentiality")


def _record(user: User, course: str, completed: date, expires: date) -> None:
    TrainingRecord.objects.create(user=user, course=course, completed_on=completed,
                                  expires_on=expires, recorded_by=user,
                                  recorded_at=timezone.now())


def _lapsed(role: str, courses: tuple[str, ...], *, policy_lapsed_on: date) -> User:
    """Everything current for a year, except the policy course, which lapsed on the date given."""
    user = make_user(role, trained=False)
    today = timezone.localdate()
    for course in courses:
        if course == "policy":
            _record(user, course, policy_lapsed_on - timedelta(days=365), policy_lapsed_on)
        else:
            _record(user, course, today - timedelta(days=10), today + timedelta(days=355))
    return user


def _renew_policy(user: User) -> None:
    today = timezone.localdate()
    _record(user, "policy", today - timedelta(days=1), today + timedelta(days=364))


def _seat_reason(day: date) -> str:
    return ("Cannot be given a seat on the review panel: training has lapsed: The office's "
            f"prostitution and trafficking policy (lapsed {day.isoformat()}). A supervisor or "
            "administrator records renewed training on the Training page.")


def _survivor_reason(day: date) -> str:
    return ("Cannot be given work with survivors: training has lapsed: The office's "
            f"prostitution and trafficking policy (lapsed {day.isoformat()}). A supervisor or "
            "administrator records renewed training on the Training page.")


def _enrol(coordinator: User, user: User, seat: str = "prosecutor") -> PanelMember:
    today = timezone.localdate()
    return review.enrol_member(actor=coordinator, user=user, seat=seat,
                               term_start=today - timedelta(days=5),
                               term_end=today + timedelta(days=360),
                               training_current_until=today + timedelta(days=360))


# --- panel seat: the service ---------------------------------------------------------------


def test_a_prosecutor_seat_is_refused_while_the_policy_course_has_lapsed() -> None:
    coordinator = make_user("supervisor")
    lapsed_on = timezone.localdate() - timedelta(days=3)
    member = _lapsed("panel_member", PANEL, policy_lapsed_on=lapsed_on)
    with pytest.raises(review.TrainingLapsed) as refused:
        # the membership's own "training current until" date says a year: the records decide
        _enrol(coordinator, member)
    assert str(refused.value) == f"{member.email}: {_seat_reason(lapsed_on)}"
    assert not PanelMember.objects.filter(user=member).exists()
    _renew_policy(member)
    seat = _enrol(coordinator, member)
    assert (seat.user_id, seat.seat, seat.active) == (member.pk, "prosecutor", True)


def test_a_member_with_no_screening_course_recorded_is_refused_a_seat() -> None:
    coordinator = make_user("supervisor")
    member = _lapsed("panel_member", SURVIVOR, policy_lapsed_on=timezone.localdate()
                     + timedelta(days=100))  # nothing lapsed, one course never taken
    with pytest.raises(review.TrainingLapsed, match="no training is recorded in The "
                                                    "trafficking screening instrument"):
        _enrol(coordinator, member, seat="expert")


def test_a_seat_given_while_trained_stops_when_a_course_lapses() -> None:
    coordinator = make_user("supervisor")
    today = timezone.localdate()
    member_user = _lapsed("panel_member", PANEL, policy_lapsed_on=today + timedelta(days=20))
    member = _enrol(coordinator, member_user, seat="expert")
    review.sign_confidentiality(actor=member_user)
    member.refresh_from_db()
    assert sitting_gap(member, on=today + timedelta(days=19)) is None
    # on the expiry day itself the course no longer counts (expires_on is the first day off)
    assert sitting_gap(member, on=today + timedelta(days=20)) == _seat_reason(
        today + timedelta(days=20))


def test_a_seated_member_whose_course_lapsed_cannot_read_the_packet() -> None:
    session, _, members = open_session()
    entry = session.docket.first()
    assert entry is not None
    seated = members[0]
    assert may_read_packet(seated, entry, at=timezone.now())
    # the policy course is replaced by one that lapsed yesterday (records only; the membership's
    # date is untouched)
    yesterday = timezone.localdate() - timedelta(days=1)
    TrainingRecord.objects.filter(user=seated.user, course="policy").delete()
    _record(seated.user, "policy", yesterday - timedelta(days=365), yesterday)
    seated.refresh_from_db()
    assert not may_read_packet(seated, entry, at=timezone.now())
    with pytest.raises(review.MemberMayNotSit, match="lapsed " + yesterday.isoformat()):
        review.record_position(actor=seated.user, entry=entry, finding="voluntary",
                               recommended_outcome="decline", reasons=[])


# --- survivor assignment: the service ------------------------------------------------------


def test_a_prosecutor_with_lapsed_training_is_refused_a_survivor() -> None:
    supervisor = make_user("supervisor")
    survivor = make_survivor()
    advocate_id = survivor.advocate_id
    lapsed_on = timezone.localdate() - timedelta(days=40)
    prosecutor = _lapsed("trafficking_ada", SURVIVOR, policy_lapsed_on=lapsed_on)
    with pytest.raises(survivors.TrainingLapsed) as refused:
        survivors.assign_survivor(actor=supervisor, survivor_id=survivor.pk, to=prosecutor,
                                  source="test")
    assert str(refused.value) == (
        f"{prosecutor.email} cannot be assigned survivor {survivor.pk}: "
        + _survivor_reason(lapsed_on))
    assert Survivor.objects.get(pk=survivor.pk).advocate_id == advocate_id
    _renew_policy(prosecutor)
    survivors.assign_survivor(actor=supervisor, survivor_id=survivor.pk, to=prosecutor,
                              source="test")
    assert Survivor.objects.get(pk=survivor.pk).advocate_id == prosecutor.pk
    event = AuditRecord.objects.get(action="survivor.assign")
    assert (event.actor, event.object_id, event.details["to"]) == (
        supervisor.email, str(survivor.pk), prosecutor.email)


def test_assignment_refuses_a_role_that_does_not_work_with_survivors() -> None:
    survivor = make_survivor()
    analyst = make_user("analyst")
    with pytest.raises(survivors.ServicesError, match=f"^{analyst.email} has the role analyst, "
                                                      "which does not work with survivors"):
        survivors.assign_survivor(actor=make_user("supervisor"), survivor_id=survivor.pk,
                                  to=analyst, source="test")


def test_only_a_supervisor_assigns_survivors() -> None:
    survivor = make_survivor()
    with pytest.raises(PermissionError):
        survivors.assign_survivor(actor=survivor.advocate, survivor_id=survivor.pk,
                                  to=make_user("advocate"), source="test")


def test_a_referral_to_an_advocate_is_neither_given_to_nor_taken_by_a_lapsed_advocate() -> None:
    task = minors_referral_task()
    colleague = make_user("advocate")
    lapsed_on = timezone.localdate() - timedelta(days=1)
    lapsed = _lapsed("advocate", SURVIVOR, policy_lapsed_on=lapsed_on)
    with pytest.raises(followups.FollowUpError) as given:
        followups.assign(actor=colleague, task_id=task.pk, to=lapsed)
    assert str(given.value) == (f"{lapsed.email} cannot take task {task.pk}: "
                                + _survivor_reason(lapsed_on))
    with pytest.raises(followups.FollowUpError, match="lapsed " + lapsed_on.isoformat()):
        followups.take(actor=lapsed, task_id=task.pk)
    assert FollowUpTask.objects.get(pk=task.pk).owner_id is None
    _renew_policy(lapsed)
    followups.assign(actor=colleague, task_id=task.pk, to=lapsed)
    assert FollowUpTask.objects.get(pk=task.pk).owner_id == lapsed.pk


# --- the pages -----------------------------------------------------------------------------


def _error_at(html: str, field_id: str) -> str:
    """The error message shown in the form group of the field ``field_id``."""
    start = html.index(f'for="{field_id}"')
    group = html[html.rindex("usa-form-group", 0, start):html.index(f'id="{field_id}"', start)]
    return group


def test_the_seat_page_shows_the_reason_at_the_account_field() -> None:
    supervisor = make_user("supervisor")
    lapsed_on = timezone.localdate() - timedelta(days=3)
    member = _lapsed("panel_member", PANEL, policy_lapsed_on=lapsed_on)
    client = sign_in(Client(), supervisor)
    today = timezone.localdate()
    form = {"user": member.pk, "seat": "prosecutor", "term_start": today.isoformat(),
            "term_end": (today + timedelta(days=300)).isoformat(),
            "training_current_until": (today + timedelta(days=300)).isoformat()}
    page = client.post("/panel/coordinate/members/new/", form)
    assert page.status_code == 200
    html = page.content.decode()
    assert "usa-form-group--error" in _error_at(html, "id_user")
    assert _seat_reason(lapsed_on).replace("'", "&#x27;") in _error_at(html, "id_user")
    assert not PanelMember.objects.filter(user=member).exists()
    _renew_policy(member)
    assert client.post("/panel/coordinate/members/new/", form).status_code == 302
    assert PanelMember.objects.filter(user=member, seat="prosecutor").exists()


def test_the_assignment_page_shows_the_reason_at_the_staff_field() -> None:
    supervisor = make_user("supervisor")
    survivor = make_survivor()
    lapsed_on = timezone.localdate() - timedelta(days=40)
    prosecutor = _lapsed("intake_ada", SURVIVOR, policy_lapsed_on=lapsed_on)
    client = sign_in(Client(), supervisor)
    form = {"survivor": survivor.pk, "to": prosecutor.email.upper()}
    page = client.post("/survivors/assign/", form)
    assert page.status_code == 200
    html = page.content.decode()
    assert _survivor_reason(lapsed_on).replace("'", "&#x27;") in _error_at(html, "id_to")
    assert survivor.given_name not in html  # the page names no survivor
    _renew_policy(prosecutor)
    assert client.post("/survivors/assign/", form).status_code == 302
    assert Survivor.objects.get(pk=survivor.pk).advocate_id == prosecutor.pk


# --- the JSON API --------------------------------------------------------------------------


def _post(client: Client, url: str, body: dict[str, object]):  # type: ignore[no-untyped-def]
    return client.post(url, json.dumps(body), content_type="application/json")


def test_the_api_refuses_a_lapsed_seat_with_the_reason_then_gives_it() -> None:
    lapsed_on = timezone.localdate() - timedelta(days=3)
    member = _lapsed("panel_member", PANEL, policy_lapsed_on=lapsed_on)
    client = sign_in(Client(), make_user("supervisor"))
    body = {"email": member.email, "seat": "prosecutor", "term_start": "2026-01-01",
            "term_end": "2030-12-31"}
    refused = _post(client, "/api/panel/members", body)
    assert refused.status_code == 409
    assert refused.json() == {"detail": f"{member.email}: {_seat_reason(lapsed_on)}"}
    _renew_policy(member)
    given = _post(client, "/api/panel/members", body)
    assert given.status_code == 201
    seat = PanelMember.objects.get(user=member)
    assert given.json() == {"member": seat.pk, "email": member.email, "seat": "prosecutor",
                            "term_start": "2026-01-01", "term_end": "2030-12-31"}


def test_the_api_refuses_a_lapsed_survivor_assignment_then_makes_it() -> None:
    survivor = make_survivor()
    lapsed_on = timezone.localdate() - timedelta(days=40)
    prosecutor = _lapsed("trafficking_ada", SURVIVOR, policy_lapsed_on=lapsed_on)
    client = sign_in(Client(), make_user("supervisor"))
    url = f"/api/survivors/{survivor.pk}/assignment"
    refused = _post(client, url, {"to": prosecutor.email})
    assert refused.status_code == 409
    assert refused.json() == {"detail": f"{prosecutor.email} cannot be assigned survivor "
                                        f"{survivor.pk}: {_survivor_reason(lapsed_on)}"}
    unknown = _post(client, url, {"to": "nobody@example.test"})
    assert unknown.status_code == 422
    assert "nobody@example.test" in unknown.json()["detail"]
    _renew_policy(prosecutor)
    made = _post(client, url, {"to": prosecutor.email})
    assert made.status_code == 200
    assert made.json() == {"survivor": survivor.pk, "assigned_to": prosecutor.email}
    assert Survivor.objects.get(pk=survivor.pk).advocate_id == prosecutor.pk


def test_an_assignment_through_a_token_is_logged_as_the_token_of_its_owner() -> None:
    from survivors_justice.accounts import tokens

    survivor = make_survivor()
    advocate = make_user("advocate")
    owner = make_user("supervisor")
    _, secret = tokens.create_api_token(actor="test", name="caseload-sync", role="supervisor",
                                        owner_email=owner.email)  # fmt: skip
    made = Client().post(f"/api/survivors/{survivor.pk}/assignment",
                         data=json.dumps({"to": advocate.email}), content_type="application/json",
                         HTTP_AUTHORIZATION=f"Bearer {secret}")  # fmt: skip
    assert made.status_code == 200
    record = AuditRecord.objects.filter(action="survivor.assign").latest("seq")
    assert record.actor == f"token:caseload-sync ({owner.email})"
