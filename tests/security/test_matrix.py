"""Every role x every URL and API endpoint (DESIGN.md > Users; issue 5, item 2).

The URL list comes from Django's resolver: a URL added without a row in ``MATRIX`` fails
``test_every_url_is_in_the_matrix``. Each row probes the URL as every role and as a signed-out
visitor and says what each must get. Whatever the answer, no response may carry anything of a
defendant record the role may not see (name, case number) — not a refusal, not a list, not an
error message — and a refused write changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from tests.cases.factories import BUYING, SELLING, make_case
from tests.factories import EVERY_COUNTY, make_user, sign_in
from tests.review.factories import open_session
from tests.security.services_world import SURVIVOR_FAMILY_NAME, ServicesWorld, services_world

from survivors_justice.accounts.roles import Role
from survivors_justice.arrests.catalogs import catalog_version
from survivors_justice.audit.models import AuditRecord
from survivors_justice.cases import decisions
from survivors_justice.cases.flows import CaseState
from survivors_justice.cases.models import Case, CaseRecheck, ChargingDecision, FollowUpTask
from survivors_justice.law import load_catalog
from survivors_justice.permissions import visible_cases
from survivors_justice.policy import load_policy
from survivors_justice.review.models import DocketEntry, PanelSession
from survivors_justice.transparency.models import Release, ReleaseState, ReleaseTable

ANON = "anonymous"
ROLES = [r.value for r in Role]
EVERYONE = [*ROLES, ANON]
OFFICE = ["intake_ada", "supervisor", "trafficking_ada", "analyst", "admin"]
INTAKE_ROLES = {"intake_ada": 200, "supervisor": 200}
INTAKE_302 = {"intake_ada": 302, "supervisor": 302}
TRAFFICKING_AND_SUPERVISOR = {"trafficking_ada": 200, "supervisor": 200}
REASON = "The defendant recruited and managed the other people arrested with her."


@dataclass
class World:
    """Cases in every situation the rules distinguish, each with a defendant name to look for."""

    intake: Case  # a seller case in intake
    pending: Case  # an override waiting for a supervisor
    decision: ChargingDecision
    priority: Case  # decided, prosecuted with priority
    panel: Case  # with the review panel
    closed: Case  # declined and closed
    rechecked: Case  # decided (prosecuted), then a catalog correction changed its recommendation
    recheck: CaseRecheck  # open
    task: FollowUpTask  # an open referral in the advocates' queue
    svc: ServicesWorld  # a survivor, consent, referral, plan, booking... (survivor services)
    session: PanelSession  # an open review-panel session with the panel case on its docket
    entry: DocketEntry
    users: dict[str, Any] = field(default_factory=dict)
    published: Release | None = None  # a public release
    prepared: Release | None = None  # one waiting for a supervisor (not public)

    @property
    def cases(self) -> list[Case]:
        return [self.intake, self.pending, self.priority, self.panel, self.closed, self.rechecked]


def _world() -> World:
    intake_user = make_user("intake_ada", email="matrix-intake@example.test")
    intake = make_case(SELLING, given_name="Zephyrine", family_name="Abernathy-Quist")
    pending = make_case(SELLING, index=1, given_name="Odalys", family_name="Fenwick-Morrow")
    decision = decisions.override_recommendation(
        actor=intake_user,
        case_id=pending.pk,
        outcomes={"1": "prosecute"},
        reason_category="charge_misrecorded",
        reason_text=REASON,
    )
    priority = make_case("PL 230345A", given_name="Casimir", family_name="Thornbury-Vale")
    decisions.accept_recommendation(actor=intake_user, case_id=priority.pk)
    panel = make_case(
        BUYING, state=CaseState.PANEL_REVIEW, given_name="Henrike", family_name="Lindqvist-Obi"
    )
    closed = make_case(
        SELLING, index=2, state=CaseState.CLOSED, given_name="Perpetua", family_name="Marchetti"
    )
    rechecked = make_case(BUYING, given_name="Anselma", family_name="Rooksby-Dervish")
    accepted = decisions.accept_recommendation(actor=intake_user, case_id=rechecked.pk)
    recheck = CaseRecheck.objects.create(
        case=rechecked,
        decision=accepted,
        catalog=catalog_version(load_catalog(), "matrix test"),
        decided_priority="prosecute",
        recommended_priority="decline",
        decided_outcomes=["prosecute"],
        recommended_outcomes=["decline"],
        flagged_at=accepted.decided_at,
    )
    task = FollowUpTask.objects.create(
        case=closed, kind="refer_to_advocate", owner_role="advocate",
        due_date=accepted.decided_at.date(), rule="advocate-for-seller",
        created_at=accepted.decided_at,
    )
    for case in (intake, pending, priority, panel, closed, rechecked):
        case.refresh_from_db()
    session, _, _ = open_session(cases=[panel])
    world = World(intake, pending, decision, priority, panel, closed, rechecked, recheck, task,
                  services_world(), session, session.docket.get())
    world.published = _release("2017-12", ReleaseState.PUBLISHED)
    world.prepared = _release("2018-01", ReleaseState.PREPARED)
    # an intake prosecutor other accounts act on; the survivor's own advocate; staff of the
    # organisation the survivor was referred to
    world.users["intake_ada"] = make_user("intake_ada")
    world.users["advocate"] = world.svc.advocate
    world.users["partner_staff"] = world.svc.partner
    return world


def _release(slug: str, state: str) -> Release:
    """A release row with one table (the figures do not matter to who may see them)."""
    analyst = make_user("analyst", email=f"matrix-analyst-{slug}@example.test")
    release = Release.objects.create(
        slug=slug, month_from=slug, month_to=slug, threshold=11, measures=["sex"],
        source="matrix", arrests=30, findings=["Thirty arrests."], rule=[], methods=[],
        caveats=[], charts={"map": '<svg role="img" aria-label="Map"></svg>'}, digests={},
        state=state, prepared_by=analyst,
        prepared_at=timezone.now())
    ReleaseTable.objects.create(release=release, name="sex", title="Sex", by="sex", within="",
                                position=0, csv="geo_level,geo,group,count,suppressed\n",
                                digest="sha256:0")
    return release


@dataclass(frozen=True)
class Probe:
    method: str
    url: Callable[[World], str]
    # role -> the status it must get; roles not listed get ``denied``
    allowed: dict[str, int]
    denied: int
    anonymous: int = 302
    body: Callable[[World], dict[str, Any]] | None = None
    json_body: bool = False
    # after an allowed write, the world's intake case must be in this state (None: not checked)
    mutates: Callable[[World], Case] | None = None


def _all(status: int, roles: list[str] = ROLES) -> dict[str, int]:
    return dict.fromkeys(roles, status)


ADV = {"advocate": 200}
ADV_POST = {"advocate": 302}
PARTNER = {"partner_staff": 200}


def _sv(path: str) -> Callable[[World], str]:
    """A URL under /survivors/ with {s} the survivor, {c} consent, {r} referral, {d} diversion,
    {b} booking, {cert} certification, {room} the room, filled in from the world."""
    return lambda w: "/survivors/" + path.format(
        s=w.svc.survivor.pk, c=w.svc.consent.pk, r=w.svc.referral.pk, d=w.svc.diversion.pk,
        b=w.svc.booking.pk, cert=w.svc.certification.pk, room=w.svc.room.pk)


SERVICES_MATRIX: dict[str, list[Probe]] = {
    # the advocate's own caseload; other roles get 403 (lists) or 404 (records)
    "survivors:caseload": [Probe("GET", _sv(""), ADV, 403)],
    "survivors:new": [
        Probe("GET", _sv("new/"), ADV, 403),
        Probe("POST", _sv("new/"), ADV_POST, 403,
              body=lambda w: {"given_name": "Nadia", "language": "en", "reminder_channel": "none",
                              "sexual_orientation_choice": "not_recorded",
                              "gender_identity_choice": "declined_to_say"}),
    ],
    "survivors:detail": [Probe("GET", _sv("{s}/"), ADV, 404),
                         Probe("GET", _sv("99999999/"), {}, 404)],
    "survivors:edit": [Probe("GET", _sv("{s}/edit/"), ADV, 404)],
    "survivors:link_case": [
        Probe("POST", _sv("{s}/link-case/"), ADV_POST, 404,
              body=lambda w: {"case_number": w.panel.number, "relation": "victim"})
    ],
    "survivors:consent_new": [Probe("GET", _sv("{s}/consents/new/"), ADV, 404)],
    "survivors:consent_revoke": [Probe("POST", _sv("consents/{c}/revoke/"), ADV_POST, 404)],
    "survivors:shared_copy": [Probe("GET", _sv("{s}/shared/"), ADV, 404)],
    "survivors:referral_new": [Probe("GET", _sv("{s}/referrals/new/"), ADV, 404)],
    "survivors:referral_withdraw": [
        Probe("POST", _sv("referrals/{r}/withdraw/"), ADV_POST, 404)
    ],
    "survivors:plan": [
        Probe("GET", _sv("{s}/plan/"), ADV, 404),
        Probe("POST", _sv("{s}/plan/"), ADV_POST, 404,
              body=lambda w: {"kind": "goal", "goal-domain": "housing",
                              "goal-in_own_words": "A place of my own"}),
    ],
    "survivors:plan_print": [Probe("GET", _sv("{s}/plan/print/"), ADV, 404)],
    "survivors:diversion_offer": [
        Probe("POST", _sv("{s}/diversion/"), ADV_POST, 404, body=lambda w: {"programme": "X"})
    ],
    "survivors:diversion_update": [
        Probe("POST", _sv("diversions/{d}/"), ADV_POST, 404, body=lambda w: {"answer": "accepted"})
    ],
    "survivors:bookings": [Probe("GET", _sv("bookings/"), ADV, 403)],
    "survivors:booking_new": [Probe("GET", _sv("{s}/bookings/new/"), ADV, 404)],
    "survivors:booking_cancel": [Probe("POST", _sv("bookings/{b}/cancel/"), ADV_POST, 404)],
    "survivors:room_ics": [Probe("GET", _sv("rooms/{room}/bookings.ics"), ADV, 403)],
    "survivors:certifications": [Probe("GET", _sv("certifications/"), ADV, 403)],
    "survivors:certification_new": [
        Probe("POST", _sv("{s}/certifications/new/"), ADV_POST, 404,
              body=lambda w: {"kind": "t_visa_i914b"})
    ],
    "survivors:certification_update": [
        Probe("POST", _sv("certifications/{cert}/"), ADV_POST, 404,
              body=lambda w: {"state": "signed", "on": "2026-11-30"})
    ],
    # partner staff: their organisation's referrals, only with a current consent
    "survivors:partner_referrals": [Probe("GET", _sv("referrals/"), PARTNER, 403)],
    "survivors:referral": [
        Probe("GET", _sv("referrals/{r}/"), {"advocate": 200, "partner_staff": 200}, 404),
        Probe("GET", _sv("referrals/99999999/"), {}, 404),
    ],
    "survivors:referral_respond": [
        Probe("POST", _sv("referrals/{r}/respond/"), {"partner_staff": 302}, 404,
              body=lambda w: {"decision": "accept"})
    ],
    "survivors:referral_service": [
        Probe("POST", _sv("referrals/{r}/service/"), {"partner_staff": 302}, 404,
              body=lambda w: {"started_on": "2026-11-30"})
    ],
    "survivors:partner_bookings": [Probe("GET", _sv("partner-bookings/"), PARTNER, 403)],
    "survivors:partner_ics": [Probe("GET", _sv("partner-bookings.ics"), PARTNER, 403)],
    # the directory holds no person: advocates and partners search it
    "partners:directory": [
        Probe("GET", lambda w: "/partners/", {"advocate": 200, "partner_staff": 200}, 403),
        Probe("GET", lambda w: "/partners/?need=housing&language=es&borough=Queens",
              {"advocate": 200, "partner_staff": 200}, 403),
    ],
    "partners:organisation": [
        Probe("GET", lambda w: f"/partners/{w.svc.org_id}/",
              {"advocate": 200, "partner_staff": 200}, 403)
    ],
    "partners:mine": [Probe("GET", lambda w: "/partners/mine/", PARTNER, 403)],
}


def _decide_body(w: World) -> dict[str, Any]:
    return {"action": "accept", "policy_version": load_policy().version}


MATRIX: dict[str, list[Probe]] = {
    # signed-out pages
    "public:status": [Probe("GET", lambda w: "/", _all(200), 403, anonymous=200)],
    "accounts:sign_in": [Probe("GET", lambda w: "/accounts/sign-in/", {}, 302, anonymous=200)],
    "accounts:verify": [Probe("GET", lambda w: "/accounts/verify/", {}, 302)],
    "accounts:enrol": [Probe("GET", lambda w: "/accounts/enrol/", {}, 302)],
    "accounts:sign_out": [Probe("POST", lambda w: "/accounts/sign-out/", _all(302), 302)],
    "accounts:home": [Probe("GET", lambda w: "/home/", _all(200), 403)],
    "accounts:users": [Probe("GET", lambda w: "/accounts/users/", {"admin": 200}, 403)],
    "accounts:unlock": [
        Probe(
            "POST",
            lambda w: f"/accounts/users/{w.users['intake_ada'].pk}/unlock/",
            {"admin": 302},
            403,
        )
    ],
    "accounts:create": [
        Probe("GET", lambda w: "/accounts/users/new/", {"admin": 200}, 403),
        Probe(
            "POST",
            lambda w: "/accounts/users/new/",
            {"admin": 200},
            403,
            body=lambda w: {"email": "matrix-new@example.test", "role": "analyst",
                            "password": "matrix-long-passphrase-7"},
        ),
    ],
    "accounts:user": [
        Probe("GET", lambda w: f"/accounts/users/{w.users['intake_ada'].pk}/", {"admin": 200},
              403),
        Probe("GET", lambda w: "/accounts/users/99999999/", {"admin": 404}, 403),
    ],
    "accounts:change_role": [
        Probe(
            "POST",
            lambda w: f"/accounts/users/{w.users['intake_ada'].pk}/role/",
            {"admin": 302},
            403,
            body=lambda w: {"role": "analyst"},
        )
    ],
    "accounts:deactivate": [
        Probe("POST", lambda w: f"/accounts/users/{w.users['intake_ada'].pk}/deactivate/",
              {"admin": 302}, 403)
    ],
    "accounts:reactivate": [
        Probe("POST", lambda w: f"/accounts/users/{w.users['intake_ada'].pk}/reactivate/",
              {"admin": 302}, 403)
    ],
    "accounts:reset_mfa": [
        Probe("POST", lambda w: f"/accounts/users/{w.users['intake_ada'].pk}/reset-mfa/",
              {"admin": 200}, 403)
    ],
    # audit (administrators)
    "audit:log": [Probe("GET", lambda w: "/audit/", {"admin": 200}, 403)],
    "audit:verify": [Probe("POST", lambda w: "/audit/verify/", {"admin": 200}, 403)],
    # intake
    "cases:queue": [
        Probe("GET", lambda w: "/cases/intake/", {"intake_ada": 200, "supervisor": 200}, 403),
        # searching for a case the role may not see finds nothing of it (the page echoes the
        # search box, so search by the arrest key, which the matrix does not look for)
        Probe("GET", lambda w: f"/cases/intake/?q={w.closed.arrest.arrest_key}&status=any",
              INTAKE_ROLES, 403),
        Probe(
            "GET",
            lambda w: f"/cases/intake/?q={w.priority.arrest.arrest_key}&status=any"
            "&outcome=prosecute_priority",
            INTAKE_ROLES,
            403,
        ),
        Probe("GET", lambda w: "/cases/intake/?status=any&role=buyer&sort=-arrested", INTAKE_ROLES,
              403),
    ],
    "cases:queue_export": [
        Probe("GET", lambda w: "/cases/intake/export.csv", {"supervisor": 200}, 403),
        Probe("GET", lambda w: "/cases/intake/export.csv?status=any&outcome=decline",
              {"supervisor": 200}, 403),
        Probe("GET", lambda w: f"/cases/intake/export.csv?q={w.panel.number}&status=any",
              {"supervisor": 200}, 403),
    ],
    "cases:priority_list": [
        Probe("GET", lambda w: "/cases/priority/", {"trafficking_ada": 200}, 403)
    ],
    "cases:overrides": [Probe("GET", lambda w: "/cases/overrides/", {"supervisor": 200}, 403)],
    "cases:compliance": [Probe("GET", lambda w: "/cases/compliance/", {"supervisor": 200}, 403)],
    "cases:rechecks": [Probe("GET", lambda w: "/cases/rechecks/", INTAKE_ROLES, 403)],
    # only a role that may decide cases marks a recheck reviewed; the case's state never changes
    "cases:recheck_review": [
        Probe(
            "POST",
            lambda w: f"/cases/rechecks/{w.recheck.pk}/review/",
            {"intake_ada": 302},
            403,
            body=lambda w: {"note": "Looked again: the arrest report shows buying."},
        ),
        Probe(
            "POST",
            lambda w: "/cases/rechecks/99999999/review/",
            {"intake_ada": 404},
            403,
            body=lambda w: {"note": "Looked again: the arrest report shows buying."},
        ),
    ],
    "cases:detail": [
        Probe("GET", lambda w: f"/cases/{w.intake.pk}/", INTAKE_ROLES, 404),
        Probe("GET", lambda w: f"/cases/{w.pending.pk}/", INTAKE_ROLES, 404),
        # a supervisor sees any case; a decided case stays open to whoever decided it
        Probe("GET", lambda w: f"/cases/{w.priority.pk}/", TRAFFICKING_AND_SUPERVISOR, 404),
        Probe("GET", lambda w: f"/cases/{w.panel.pk}/", TRAFFICKING_AND_SUPERVISOR, 404),
        Probe("GET", lambda w: f"/cases/{w.closed.pk}/", {"supervisor": 200}, 404),
        # a decided case is back in intake's view while a recheck of it is open
        Probe("GET", lambda w: f"/cases/{w.rechecked.pk}/", INTAKE_ROLES, 404),
        Probe("GET", lambda w: "/cases/99999999/", {}, 404),
    ],
    "cases:accept": [
        Probe(
            "POST",
            lambda w: f"/cases/{w.intake.pk}/accept/",
            {"intake_ada": 302, "supervisor": 403},
            404,
            body=lambda w: {"policy_version": load_policy().version},
            mutates=lambda w: w.intake,
        )
    ],
    "cases:override": [
        Probe(
            "GET",
            lambda w: f"/cases/{w.intake.pk}/override/",
            {"intake_ada": 200, "supervisor": 403},
            404,
        ),
        Probe(
            "POST",
            lambda w: f"/cases/{w.intake.pk}/override/",
            {"intake_ada": 302, "supervisor": 403},
            404,
            body=lambda w: {
                "policy_version": load_policy().version,
                "outcome_1": "prosecute",
                "reason_category": "other",
                "reason_text": REASON,
            },
            mutates=lambda w: w.intake,
        ),
    ],
    "cases:review": [
        Probe(
            "POST",
            lambda w: f"/cases/overrides/{w.decision.pk}/review/",
            {"supervisor": 302},
            403,
            body=lambda w: {"decision": "approve"},
            mutates=lambda w: w.pending,
        )
    ],
    # facts, charge amendments, departures, decided cases, follow-ups
    # the screening instrument: only the advocate who took the case's referral (the world's
    # referral is untaken, so every advocate gets the 404 a stranger gets); the whole flow as
    # that advocate is in tests/review/test_instrument_pages.py
    "screenings:start": [
        Probe("GET", lambda w: f"/screenings/cases/{w.closed.pk}/start/", {"advocate": 404}, 403),
        Probe("POST", lambda w: f"/screenings/cases/{w.closed.pk}/start/", {"advocate": 404}, 403,
              body=lambda w: {"consent": "yes", "consent_method": "verbal", "language": "en"}),
    ],
    "screenings:question": [
        Probe("GET", lambda w: "/screenings/999999/", {"advocate": 404}, 403),
    ],
    "screenings:finish": [
        Probe("POST", lambda w: "/screenings/999999/finish/", {"advocate": 404}, 403),
    ],
    "screenings:stop": [
        Probe("POST", lambda w: "/screenings/999999/stop/", {"advocate": 404}, 403),
    ],
    "cases:facts": [
        Probe("POST", lambda w: f"/cases/{w.intake.pk}/facts/", INTAKE_302, 404,
              body=lambda w: {"source": "interview", "fact__indicators__force": "unknown"}),
    ],
    "cases:amend_charge": [
        Probe("POST", lambda w: f"/cases/{w.intake.pk}/charges/", INTAKE_302, 404,
              body=lambda w: {"action": "add", "law_code": "PL 2300400", "reason": REASON}),
    ],
    "cases:supervisor_decision": [
        Probe("GET", lambda w: f"/cases/{w.intake.pk}/supervisor-decision/",
              {"supervisor": 200, "intake_ada": 403}, 404),
    ],
    "cases:reopen": [
        Probe("POST", lambda w: f"/cases/{w.priority.pk}/reopen/",
              {"supervisor": 302, "trafficking_ada": 403}, 404,
              body=lambda w: {"reason": REASON}),
    ],
    "cases:decided": [
        Probe("GET", lambda w: "/cases/decided/", INTAKE_ROLES, 403),
        Probe("GET", lambda w: "/cases/decided/?all=1", INTAKE_ROLES, 403),
    ],
    "cases:bulk_accept": [Probe("GET", lambda w: "/cases/bulk-accept/", {"supervisor": 200}, 403)],
    "cases:followups": [
        Probe("GET", lambda w: "/cases/followups/", {"advocate": 200, "trafficking_ada": 200}, 403),
    ],
    "cases:task_take": [
        Probe("POST", lambda w: f"/cases/followups/{w.task.pk}/take/",
              {"advocate": 302, "trafficking_ada": 404}, 403),
    ],
    "cases:task_assign": [
        Probe("POST", lambda w: f"/cases/followups/{w.task.pk}/assign/",
              {"advocate": 302, "trafficking_ada": 404}, 403,
              body=lambda w: {"to": "nobody@example.test"}),
    ],
    "cases:task_close": [
        Probe("POST", lambda w: f"/cases/followups/{w.task.pk}/close/",
              {"advocate": 302, "trafficking_ada": 404}, 403, body=lambda w: {"outcome": "done"}),
    ],
    # the public transparency page: signed out, only published releases and their CSVs
    "transparency:index": [Probe("GET", lambda w: "/transparency/", _all(200), 403,
                                 anonymous=200)],
    "transparency:release": [
        Probe("GET", lambda w: "/transparency/2017-12/", _all(200), 403, anonymous=200),
        Probe("GET", lambda w: "/transparency/2018-01/", {}, 404, anonymous=404),
    ],
    "transparency:csv": [
        Probe("GET", lambda w: "/transparency/2017-12/sex.csv", _all(200), 403, anonymous=200),
        Probe("GET", lambda w: "/transparency/2018-01/sex.csv", {}, 404, anonymous=404),
        Probe("GET", lambda w: "/transparency/2017-12/none.csv", {}, 404, anonymous=404),
    ],
    "transparency:chart": [
        Probe("GET", lambda w: "/transparency/2017-12/chart/map.svg", _all(200), 403,
              anonymous=200),
        Probe("GET", lambda w: "/transparency/2018-01/chart/map.svg", {}, 404, anonymous=404),
    ],
    # releases (staff): analysts prepare, supervisors approve
    "transparency:staff": [Probe("GET", lambda w: "/releases/",
                                 {"analyst": 200, "supervisor": 200}, 403)],
    "transparency:prepare": [
        # a bad period: refused with a message, nothing prepared (a real one is tested in
        # tests/transparency)
        Probe("POST", lambda w: "/releases/prepare/", {"analyst": 302}, 403,
              body=lambda w: {"month_from": "2017-13", "month_to": "2017-12"}),
    ],
    "transparency:approve": [
        Probe("POST", lambda w: "/releases/2018-01/approve/", {"supervisor": 302}, 403),
    ],
    # the analyst's workspace (reports on the store; an upload without a file is refused)
    "workspace:index": [Probe("GET", lambda w: "/workspace/", {"analyst": 200}, 403)],
    "workspace:upload": [Probe("POST", lambda w: "/workspace/upload/", {"analyst": 302}, 403)],
    "workspace:report": [
        Probe("GET", lambda w: "/workspace/report/?source=store&by=race", {"analyst": 200}, 403),
        Probe("GET", lambda w: "/workspace/report/?source=..%2Fx&by=race", {"analyst": 400},
              403),
    ],
    "workspace:report_csv": [Probe("GET", lambda w: "/workspace/report.csv?by=sex",
                                   {"analyst": 200}, 403)],
    "workspace:report_html": [Probe("GET", lambda w: "/workspace/report.html?by=sex",
                                    {"analyst": 200}, 403)],
    "workspace:chart_svg": [Probe("GET", lambda w: "/workspace/chart/none.svg?by=sex",
                                  {"analyst": 404}, 403)],
    "workspace:chart_png": [Probe("GET", lambda w: "/workspace/chart/none.png?by=sex",
                                  {"analyst": 404}, 403)],
    # the what-if: the form, and a proposal that does not exist (explained, 400)
    "workspace:whatif": [
        Probe("GET", lambda w: "/workspace/whatif/", {"analyst": 200}, 403),
        Probe("GET", lambda w: "/workspace/whatif/?source=history&proposal=none",
              {"analyst": 400}, 403),
    ],
    # training and the supervisor's dashboard
    "training:records": [Probe("GET", lambda w: "/training/",
                               {"supervisor": 200, "admin": 200}, 403)],
    "training:record": [
        Probe("POST", lambda w: "/training/record/", {"supervisor": 302, "admin": 302}, 403,
              body=lambda w: {"user": w.users["intake_ada"].pk, "course": "policy",
                              "completed_on": "2026-01-05", "expires_on": "2027-01-05"}),
    ],
    "training:dashboard": [Probe("GET", lambda w: "/training/dashboard/", {"supervisor": 200},
                                 403)],
    # the review panel: a member reads packets only of sessions they sit on (the matrix's
    # panel member sits on none: 404, as for a packet that does not exist); supervisors coordinate
    "review:home": [Probe("GET", lambda w: "/panel/", {"panel_member": 200}, 403)],
    "review:positions": [Probe("GET", lambda w: "/panel/positions/", {"panel_member": 200}, 403)],
    "review:session": [
        Probe("GET", lambda w: f"/panel/sessions/{w.session.pk}/", {"panel_member": 404}, 403)
    ],
    "review:packet": [
        Probe("GET", lambda w: f"/panel/packets/{w.entry.pk}/", {"panel_member": 404}, 403),
        Probe("POST", lambda w: f"/panel/packets/{w.entry.pk}/", {"panel_member": 404}, 403,
              body=lambda w: {"finding": "involuntary", "recommended_outcome": "decline",
                              "reasons": ["coercion"]}),
    ],
    "review:conflict": [
        Probe("POST", lambda w: f"/panel/packets/{w.entry.pk}/conflict/", {"panel_member": 404},
              403, body=lambda w: {"reason": ""}),
    ],
    "review:roster": [Probe("GET", lambda w: "/panel/coordinate/", {"supervisor": 200}, 403)],
    "survivors:assign": [
        Probe("GET", lambda w: "/survivors/assign/", {"supervisor": 200}, 403),
        Probe("POST", lambda w: "/survivors/assign/", {"supervisor": 200}, 403,
              body=lambda w: {"survivor": ""}),  # incomplete: the form comes back with errors
    ],
    "review:member_new": [
        Probe("GET", lambda w: "/panel/coordinate/members/new/", {"supervisor": 200}, 403),
        Probe("POST", lambda w: "/panel/coordinate/members/new/", {"supervisor": 200}, 403,
              body=lambda w: {"seat": "expert"}),  # incomplete: the form comes back with errors
    ],
    "review:session_new": [
        Probe("GET", lambda w: "/panel/coordinate/sessions/new/", {"supervisor": 200}, 403)
    ],
    "review:docket": [
        Probe("GET", lambda w: f"/panel/coordinate/sessions/{w.session.pk}/", {"supervisor": 200},
              403),
        Probe("POST", lambda w: f"/panel/coordinate/sessions/{w.session.pk}/", {"supervisor": 302},
              403, body=lambda w: {"action": "attendance", "present": []}),
        Probe("GET", lambda w: "/panel/coordinate/sessions/99999999/", {"supervisor": 404}, 403),
    ],
    # the JSON API
    "api:api-root": [Probe("GET", lambda w: "/api/", {}, 404, anonymous=404)],
    "api:openapi-json": [Probe("GET", lambda w: "/api/openapi.json", _all(200, OFFICE), 403)],
    "api:openapi-view": [Probe("GET", lambda w: "/api/docs", _all(200, OFFICE), 403)],
    "api:list_cases": [
        Probe(
            "GET",
            lambda w: "/api/cases",
            {"intake_ada": 200, "supervisor": 200, "trafficking_ada": 200},
            403,
            anonymous=401,
        )
    ],
    "api:read_case": [
        Probe("GET", lambda w: f"/api/cases/{w.intake.pk}", {"intake_ada": 200, "supervisor": 200},
              404, anonymous=401),
        Probe("GET", lambda w: f"/api/cases/{w.priority.pk}", TRAFFICKING_AND_SUPERVISOR, 404,
              anonymous=401),
        Probe("GET", lambda w: f"/api/cases/{w.closed.pk}", {"supervisor": 200}, 404,
              anonymous=401),
    ],
    "api:record_decision": [
        Probe(
            "POST",
            lambda w: f"/api/cases/{w.intake.pk}/decision",
            {"intake_ada": 201, "supervisor": 403},
            404,
            anonymous=401,
            body=_decide_body,
            json_body=True,
            mutates=lambda w: w.intake,
        )
    ],
    "api:review_override": [
        Probe(
            "POST",
            lambda w: f"/api/overrides/{w.decision.pk}/review",
            {"supervisor": 200},
            403,
            anonymous=401,
            body=lambda w: {"approve": True},
            json_body=True,
            mutates=lambda w: w.pending,
        )
    ],
    "api:evaluate_policy": [
        Probe(
            "POST",
            lambda w: "/api/policy/evaluate",
            _all(200, OFFICE),
            403,
            anonymous=401,
            body=lambda w: {"charges": [{"section": "230.00"}]},
            json_body=True,
        )
    ],
    # a survivor's record given to a trained staff member (here its own advocate: no change)
    "api:assign_survivor": [
        Probe("POST", lambda w: f"/api/survivors/{w.svc.survivor.pk}/assignment",
              {"supervisor": 200}, 403, anonymous=401,
              body=lambda w: {"to": w.svc.advocate.email}, json_body=True),
    ],
    "api:give_seat": [
        Probe("POST", lambda w: "/api/panel/members", {"supervisor": 201}, 403, anonymous=401,
              body=lambda w: {"email": make_user("panel_member").email, "seat": "expert",
                              "term_start": "2026-01-01", "term_end": "2036-12-31"},
              json_body=True),
    ],
}
MATRIX.update(SERVICES_MATRIX)


def _court_plan(w: World) -> int:
    """A proposed court plan of the world's prosecuted cases, built by a supervisor of its own
    (so the probing supervisor is a second person who may adopt it)."""
    from survivors_justice.courts.docket import docket_from_db
    from survivors_justice.courts.services import build_plan

    builder = make_user("supervisor", email="matrix-court-builder@example.test")
    docket = docket_from_db(start=date(2018, 1, 8))
    return build_plan(actor=builder, docket=docket, source="office", time_limit=1).pk


COURT = {"supervisor": 200, "trafficking_ada": 200}
MATRIX.update({
    "courts:calendar": [Probe("GET", lambda w: "/court/", COURT, 403)],
    "courts:build": [
        Probe("POST", lambda w: "/court/plans/new/", {"supervisor": 302, "trafficking_ada": 302},
              403, body=lambda w: {"source": "office", "start": "2018-01-08", "time_limit": "1"}),
    ],
    "courts:plan": [
        Probe("GET", lambda w: f"/court/plans/{_court_plan(w)}/", COURT, 403),
        Probe("GET", lambda w: "/court/plans/99999999/",
              {"supervisor": 404, "trafficking_ada": 404}, 403),
    ],
    "courts:adopt": [
        Probe("POST", lambda w: f"/court/plans/{_court_plan(w)}/adopt/", {"supervisor": 302},
              403),
    ],
    "courts:ics": [Probe("GET", lambda w: f"/court/plans/{_court_plan(w)}/calendar.ics", COURT,
                         403)],
})


def _url_names(patterns: list[Any], namespace: str = "", prefix: str = "") -> Iterator[str]:
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _url_names(p.url_patterns, ns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield f"{namespace}{p.name}" if p.name else f"<unnamed {prefix}{p.pattern}>"


def test_every_url_is_in_the_matrix() -> None:
    names = set(_url_names(get_resolver().url_patterns))
    missing = sorted(names - set(MATRIX))
    assert not missing, f"URLs without a row in tests/security/test_matrix.py MATRIX: {missing}"
    stale = sorted(set(MATRIX) - names)
    assert not stale, f"MATRIX rows for URLs that no longer exist: {stale}"


def _identifying(case: Case) -> list[str]:
    return [case.defendant.given_name, case.defendant.family_name, case.number]


CASES = [
    (name, i, who)
    for name, probes in MATRIX.items()
    for i in range(len(probes))
    for who in EVERYONE
]


FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def fast_passwords(settings: Any) -> None:
    # The matrix creates an account per test; Argon2 would make it slow and is tested elsewhere.
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """The world, built once per file inside a transaction that is rolled back at the end.

    Each test runs in a savepoint inside it (pytest-django's ``django_db``), so whatever a probe
    writes is undone before the next probe, and every probe sees the world as built.
    """
    with django_db_blocker.unblock(), override_settings(
        PASSWORD_HASHERS=FAST_HASHERS, **EVERY_COUNTY
    ), transaction.atomic():
        yield _world()
        transaction.set_rollback(True)


# Every other case runs here and the rest in test_matrix_second_half.py, so that the two halves
# go to different test workers (the suite distributes whole files).
FIRST_HALF, SECOND_HALF = CASES[::2], CASES[1::2]


def ids(cases: list[tuple[str, int, str]]) -> list[str]:
    return [f"{n}[{i}]-{w}" for n, i, w in cases]


@pytest.mark.django_db
@pytest.mark.usefixtures("fast_passwords")
@pytest.mark.parametrize(("name", "index", "who"), FIRST_HALF, ids=ids(FIRST_HALF))
def test_role_gets_what_the_matrix_says(world: World, name: str, index: int, who: str) -> None:
    check_probe(world, name, index, who)


def check_probe(world: World, name: str, index: int, who: str) -> None:
    """One role (or a signed-out visitor) against one probe of the matrix."""
    probe = MATRIX[name][index]
    client = Client()
    if who != ANON:
        user = world.users[who] if who in world.users else make_user(who)
        sign_in(client, user)
        visible = set(visible_cases(user).values_list("pk", flat=True))
    else:
        visible = set()
    hidden = [c for c in world.cases if c.pk not in visible]
    before = {c.pk: c.state for c in Case.objects.all()}

    url = probe.url(world)
    if probe.method == "GET":
        response = client.get(url)
    elif probe.json_body:
        response = client.post(
            url,
            json.dumps(probe.body(world) if probe.body else {}),
            content_type="application/json",
        )
    else:
        response = client.post(url, probe.body(world) if probe.body else {})

    expected = probe.anonymous if who == ANON else probe.allowed.get(who, probe.denied)
    assert response.status_code == expected, (
        f"{who} {probe.method} {url}: got {response.status_code}, the matrix says {expected}"
    )
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    body = raw.decode(errors="replace")
    for case in hidden:
        for text in _identifying(case):
            assert text not in body, f"{who} {probe.method} {url} shows {text!r} of a hidden case"
    if who != "advocate":  # only the advocate may see who the survivor is
        assert SURVIVOR_FAMILY_NAME not in body, f"{who} {probe.method} {url} shows the survivor"
    granted = who != ANON and who in probe.allowed and 200 <= expected < 400
    after = {c.pk: c.state for c in Case.objects.all()}
    if probe.mutates is not None and granted:
        target = probe.mutates(world)
        assert after[target.pk] != before[target.pk], f"{who}'s allowed write changed nothing"
    if not granted:
        assert after == before, f"{who}'s refused {probe.method} {url} changed a case"
    refusals = AuditRecord.objects.filter(outcome__in=["refused", "not_found"])
    if who != ANON and response.status_code in (403, 404):
        # a refusal is audited: who, what (permission and path), from where, and nothing else
        record = refusals.get()
        outcome = {403: "refused", 404: "not_found"}[response.status_code]
        assert (record.actor, record.outcome, record.object_type, record.object_id) == (
            user.email, outcome, "path", url.split("?")[0])
        assert record.source == "127.0.0.1"
        assert record.details == {"method": probe.method, "status": response.status_code}
        for case in world.cases:
            for text in _identifying(case):
                assert text not in f"{record.action} {record.object_id}"
    elif who == ANON:
        assert not refusals.exists(), "a signed-out visitor's refusal was audited"
