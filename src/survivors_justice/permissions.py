"""Who may see and do what: DESIGN.md > Users as code, in one module.

Every view, API endpoint, list and export asks this module, and only this module:

- :func:`can` answers "may this person do this (to this object)?";
- :func:`visible_cases` (and friends) scope a query to the records a person may see, so a list,
  a search or an export can never show more than the detail page would;
- :func:`require` and :func:`case_view` wrap Django views: a refused action is a 403, and a
  record the person may not see is a 404 indistinguishable from a record that does not exist.
  Neither response carries anything of the record.

A *principal* is anything with a ``role`` and ``is_authenticated``: a signed-in :class:`User` or
an API token's client (``survivors_justice.api``). Roles are the only input; nothing here reads
request data, so the same answer holds for the web pages, the API and the command line.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.views import defaults

from survivors_justice.accounts.roles import Role
from survivors_justice.cases.flows import CaseState

if TYPE_CHECKING:
    from survivors_justice.cases.models import Case, CaseRecheck, ChargingDecision, FollowUpTask
    from survivors_justice.survivors.consent import PartnerView
    from survivors_justice.survivors.models import Booking, Referral, Survivor


class Principal(Protocol):
    """What the rules need to know about whoever is asking."""

    @property
    def role(self) -> str: ...

    @property
    def is_authenticated(self) -> bool: ...


class Action(StrEnum):
    """Everything the rules distinguish. Object actions take the object as ``obj``."""

    INTAKE_QUEUE = "cases.intake_queue"  # the list of new cases and their recommendations
    EXPORT_CASES = "cases.export"  # a CSV file of the (filtered) intake queue
    PRIORITY_LIST = "cases.priority_list"  # priority and panel cases (trafficking prosecutors)
    VIEW_CASE = "cases.view"  # obj: Case — defendant identity, charges, recommendation
    DECIDE_CASE = "cases.decide"  # obj: Case — accept or override the recommendation
    OVERRIDE_QUEUE = "cases.override_queue"  # overrides waiting for a supervisor
    REVIEW_OVERRIDE = "cases.review_override"  # obj: ChargingDecision — approve or refuse
    COMPLIANCE = "cases.compliance"  # figures: selling-sex cases declined, overridden, by whom
    RECHECKS = "cases.rechecks"  # decided cases whose recommendation a catalog correction changed
    REVIEW_RECHECK = "cases.review_recheck"  # obj: CaseRecheck — mark it looked at, with a note
    RECORD_FACTS = "cases.record_facts"  # obj: Case — answer the policy's questions, amend charges
    SUPERVISOR_DECIDE = "cases.supervisor_decide"  # obj: Case — decide a panel case, with reason
    REOPEN_DECISION = "cases.reopen"  # obj: Case — reopen a decided case, with a reason
    BULK_ACCEPT = "cases.bulk_accept"  # accept the recommendation for a filtered set of declines
    DECIDED_CASES = "cases.decided"  # decided cases: one's own ("my decisions"), or all
    FOLLOWUP_QUEUE = "cases.followups"  # the follow-up tasks of one's role
    WORK_FOLLOWUP = "cases.work_followup"  # obj: FollowUpTask — take, assign, close
    EVALUATE_POLICY = "policy.evaluate"  # run facts (no person in them) through the policy
    API_DOCS = "api.docs"  # the OpenAPI description of the JSON API
    MANAGE_USERS = "accounts.manage"  # accounts, roles, lockout release
    AUDIT_LOG = "audit.log"  # read the audit log and run its verification
    ANALYST_WORKSPACE = "analytics.workspace"  # disparity reports and what-ifs in the browser
    RELEASES = "releases.list"  # the staff list of releases, prepared and published
    PREPARE_RELEASE = "releases.prepare"  # compute and freeze a public release
    APPROVE_RELEASE = "releases.approve"  # publish a release someone else prepared
    RECORD_TRAINING = "training.record"  # record staff training (dates and expiry)
    STAFF_DASHBOARD = "training.dashboard"  # decisions per prosecutor beside their peers
    SURVIVOR_WORK = "training.survivor_work"  # be assigned work with a survivor (needs training)
    # survivor services (issue 11)
    CASELOAD = "survivors.caseload"  # the advocate's own survivors and referral tasks
    VIEW_SURVIVOR = "survivors.view"  # obj: Survivor — the whole record (its advocate)
    EDIT_SURVIVOR = "survivors.edit"  # obj: Survivor — record, consent, refer, plan, book...
    OPEN_SURVIVOR = "survivors.open"  # open a new survivor record (and take it on)
    ASSIGN_SURVIVOR = "survivors.assign"  # give a survivor's record to a trained staff member
    PARTNER_REFERRALS = "referrals.partner_list"  # a partner's referrals (consented ones only)
    VIEW_REFERRAL = "referrals.view"  # obj: Referral
    RESPOND_REFERRAL = "referrals.respond"  # obj: Referral — accept, decline, record service
    DIRECTORY = "partners.directory"  # search the partner directory (no person in it)
    EDIT_DIRECTORY_ENTRY = "partners.edit_entry"  # obj: Organisation — its own entry
    PARTNER_BOOKINGS = "bookings.partner_list"  # a partner's on-site bookings (consented only)
    CERTIFICATIONS = "certifications.list"  # T/U visa certification requests, CP referrals
    PANEL_SEAT = "review.seat"  # sit on the panel: own sessions, packets, positions (trained)
    PANEL_PACKET = "review.packet"  # obj: DocketEntry — read a de-identified packet, vote
    PANEL_COORDINATE = "review.coordinate"  # roster, sessions, dockets, redaction, determinations
    ADMINISTER_INSTRUMENT = "review.instrument"  # obj: Case — screen the person, with consent
    # court calendar (issue 12)
    COURT_CALENDAR = "courts.calendar"  # court plans: proposals, the adopted one, their calendars
    BUILD_COURT_PLAN = "courts.build_plan"  # plan the office's docket (or an uploaded one)
    ADOPT_COURT_PLAN = "courts.adopt_plan"  # obj: CourtPlan — adopt a plan someone else built


# Cases "in intake" (DESIGN.md > Users): new, or waiting on a supervisor's answer to an override.
INTAKE_STATES: frozenset[str] = frozenset({CaseState.INTAKE, CaseState.OVERRIDE_PENDING})
PRIORITY_OUTCOME = "prosecute_priority"

_OFFICE_STAFF = frozenset(
    {Role.INTAKE_ADA, Role.SUPERVISOR, Role.TRAFFICKING_ADA, Role.ANALYST, Role.ADMIN}
)

# Role-level grants. Object rules below narrow them further; a role absent here may not act at all.
ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    Role.INTAKE_ADA: frozenset(
        {
            Action.INTAKE_QUEUE,
            Action.VIEW_CASE,
            Action.DECIDE_CASE,
            Action.RECHECKS,
            Action.REVIEW_RECHECK,
            Action.RECORD_FACTS,
            Action.DECIDED_CASES,
            Action.EVALUATE_POLICY,
            Action.API_DOCS,
            Action.SURVIVOR_WORK,
        }
    ),
    Role.SUPERVISOR: frozenset(
        {
            Action.INTAKE_QUEUE,
            Action.EXPORT_CASES,
            Action.VIEW_CASE,
            Action.OVERRIDE_QUEUE,
            Action.REVIEW_OVERRIDE,
            Action.COMPLIANCE,
            Action.RECHECKS,
            Action.RECORD_FACTS,
            Action.SUPERVISOR_DECIDE,
            Action.REOPEN_DECISION,
            Action.BULK_ACCEPT,
            Action.DECIDED_CASES,
            Action.EVALUATE_POLICY,
            Action.API_DOCS,
            Action.RELEASES,
            Action.APPROVE_RELEASE,
            Action.RECORD_TRAINING,
            Action.STAFF_DASHBOARD,
            Action.SURVIVOR_WORK,
            Action.ASSIGN_SURVIVOR,
            Action.PANEL_COORDINATE,
            Action.COURT_CALENDAR,
            Action.BUILD_COURT_PLAN,
            Action.ADOPT_COURT_PLAN,
        }
    ),
    Role.TRAFFICKING_ADA: frozenset(
        {
            Action.PRIORITY_LIST,
            Action.VIEW_CASE,
            Action.RECORD_FACTS,
            Action.FOLLOWUP_QUEUE,
            Action.WORK_FOLLOWUP,
            Action.EVALUATE_POLICY,
            Action.API_DOCS,
            Action.SURVIVOR_WORK,
            Action.COURT_CALENDAR,
            Action.BUILD_COURT_PLAN,
        }
    ),
    Role.ADVOCATE: frozenset(
        {
            Action.FOLLOWUP_QUEUE,
            Action.WORK_FOLLOWUP,
            Action.SURVIVOR_WORK,
            Action.CASELOAD,
            Action.VIEW_SURVIVOR,
            Action.EDIT_SURVIVOR,
            Action.OPEN_SURVIVOR,
            Action.VIEW_REFERRAL,
            Action.DIRECTORY,
            Action.CERTIFICATIONS,
            Action.ADMINISTER_INSTRUMENT,
        }
    ),
    Role.PARTNER_STAFF: frozenset(
        {
            Action.SURVIVOR_WORK,
            Action.PARTNER_REFERRALS,
            Action.VIEW_REFERRAL,
            Action.RESPOND_REFERRAL,
            Action.DIRECTORY,
            Action.EDIT_DIRECTORY_ENTRY,
            Action.PARTNER_BOOKINGS,
        }
    ),
    Role.PANEL_MEMBER: frozenset({Action.PANEL_SEAT, Action.PANEL_PACKET}),
    Role.ANALYST: frozenset(
        {
            Action.EVALUATE_POLICY,
            Action.API_DOCS,
            Action.ANALYST_WORKSPACE,
            Action.RELEASES,
            Action.PREPARE_RELEASE,
        }
    ),
    Role.ADMIN: frozenset(
        {
            Action.EVALUATE_POLICY,
            Action.API_DOCS,
            Action.MANAGE_USERS,
            Action.AUDIT_LOG,
            Action.RECORD_TRAINING,
        }
    ),
}

# Training decides who may take work with survivors or a panel seat (training.rules).
TRAINED_WORK: dict[Action, str] = {
    Action.SURVIVOR_WORK: "survivor_work",
    Action.PANEL_SEAT: "panel_seat",
}


class RoleTableError(RuntimeError):
    """``ROLE_ACTIONS`` breaks one of the rules below; the message says which and how to fix it."""


def check_role_table(table: dict[str, frozenset[Action]]) -> None:
    """The role table's own rules; checked at import (a plain ``if``: it survives ``python -O``)."""
    if set(table) != set(Role.values):
        raise RoleTableError(
            "every role needs a row in ROLE_ACTIONS; missing "
            f"{sorted(set(Role.values) - set(table))}, "
            f"unknown {sorted(set(table) - set(Role.values))}"
        )
    for role, acts in table.items():
        # An export is a list: whoever may export may see the list, and the cases in it.
        if Action.EXPORT_CASES in acts and not {Action.INTAKE_QUEUE, Action.VIEW_CASE} <= acts:
            raise RoleTableError(f"{role} may export cases but not see the queue and the cases")
        if Action.EVALUATE_POLICY in acts and role not in _OFFICE_STAFF:
            raise RoleTableError(f"{role} may evaluate the policy but is not office staff")
        # Marking a recheck reviewed answers for a charging decision: only a role that may decide
        # cases, and one that can find the rechecks.
        if Action.REVIEW_RECHECK in acts and not {Action.DECIDE_CASE, Action.RECHECKS} <= acts:
            raise RoleTableError(f"{role} may review rechecks but not decide cases or list them")
        # Whoever lists the rechecks may open those cases.
        if Action.RECHECKS in acts and Action.VIEW_CASE not in acts:
            raise RoleTableError(f"{role} may list rechecks but not open the cases")


check_role_table(ROLE_ACTIONS)

# API tokens: a token acts as its owner's role, or as a role named here as narrower for that
# owner's role. A narrower role may do no more than the owner's (its grants are a
# subset) and opens no record at all, so a token never reads what its owner cannot. Any other
# pair is refused: a partner's or an advocate's token is never a supervisor's or a prosecutor's.
# Tokens reach only the API, so "less" is counted over the actions the API checks (the analyst's
# workspace and releases are pages a token cannot open).
API_ACTIONS: frozenset[Action] = frozenset(
    {
        Action.API_DOCS,
        Action.EVALUATE_POLICY,
        Action.INTAKE_QUEUE,
        Action.VIEW_CASE,
        Action.DECIDE_CASE,
        Action.REVIEW_OVERRIDE,
        Action.ASSIGN_SURVIVOR,
        Action.PANEL_COORDINATE,
    }
)
TOKEN_NARROWER_ROLES: dict[str, frozenset[str]] = {
    Role.INTAKE_ADA: frozenset({Role.ANALYST}),
    Role.SUPERVISOR: frozenset({Role.ANALYST}),
    Role.TRAFFICKING_ADA: frozenset({Role.ANALYST}),
    Role.ADMIN: frozenset({Role.ANALYST}),
    Role.ANALYST: frozenset(),
    Role.ADVOCATE: frozenset(),
    Role.PARTNER_STAFF: frozenset(),
    Role.PANEL_MEMBER: frozenset(),
}


def check_token_table(
    narrower: dict[str, frozenset[str]], roles: dict[str, frozenset[Action]]
) -> None:
    """Each narrower role does strictly less than its owner's role and opens no record."""
    if set(narrower) != set(roles):
        raise RoleTableError("every role needs a row in TOKEN_NARROWER_ROLES")
    for owner_role, lesser in narrower.items():
        for role in lesser:
            if not roles[role] & API_ACTIONS <= roles[owner_role] & API_ACTIONS:
                raise RoleTableError(
                    f"a {owner_role} token may not act as {role}: {role} may do more in the API "
                    f"than {owner_role}"
                )
            if Action.VIEW_CASE in roles[role]:
                raise RoleTableError(f"{role} opens cases, so it is no narrower token role")


check_token_table(TOKEN_NARROWER_ROLES, ROLE_ACTIONS)


def token_roles(owner_role: str) -> frozenset[str]:
    """The roles a token owned by an account of ``owner_role`` may act as (none if unknown)."""
    if owner_role not in TOKEN_NARROWER_ROLES:
        return frozenset()
    return frozenset({owner_role}) | TOKEN_NARROWER_ROLES[owner_role]


def token_role_allowed(owner: Any, role: str) -> bool:
    """May a token owned by ``owner`` act as ``role``? Only for an active account."""
    owner_role = role_of(owner)
    return owner_role is not None and role in token_roles(owner_role)


class NotAllowed(PermissionError):
    """A service was asked to do something its actor may not do (the views refuse it first)."""

    def __init__(self, actor: object, action: Action, obj: object = None) -> None:
        what = f" on {type(obj).__name__} {getattr(obj, 'pk', '')}".rstrip() if obj else ""
        super().__init__(
            f"{actor} (role {getattr(actor, 'role', '?')!r}) may not {action.value}{what}; "
            "ask a person whose role allows it (DESIGN.md > Users)"
        )


def role_of(principal: Principal | Any) -> str | None:
    """The principal's role, or None when signed out or the account has no usable role."""
    if principal is None or not getattr(principal, "is_authenticated", False):
        return None
    if not getattr(principal, "is_active", True):
        return None
    role = getattr(principal, "role", None)
    return role if role in ROLE_ACTIONS else None


def _is_priority(case: Case) -> bool:
    """The case was decided with a priority charge (and is being prosecuted)."""
    from survivors_justice.cases.predicates import is_priority_case

    return is_priority_case(case)


def open_recheck_filter() -> Q:
    """Cases with a recheck nobody has marked reviewed yet (a ``Case`` query filter)."""
    from survivors_justice.cases.models import CaseRecheck

    return Q(pk__in=CaseRecheck.objects.filter(reviewed_at__isnull=True).values("case_id"))


def _has_open_recheck(case: Case) -> bool:
    from survivors_justice.cases.models import CaseRecheck

    return CaseRecheck.objects.filter(case_id=case.pk, reviewed_at__isnull=True).exists()


def _took_part(principal: Any, case: Case) -> bool:
    """``principal`` decided the case, or approved or refused its override."""
    from survivors_justice.cases.models import ChargingDecision

    pk = getattr(principal, "pk", None)
    return ChargingDecision.objects.filter(
        Q(decided_by_id=pk) | Q(reviewed_by_id=pk), case_id=case.pk
    ).exists()


def _has_open_lead(case: Case) -> bool:
    from survivors_justice.cases.models import FollowUpTask

    return FollowUpTask.objects.filter(
        case_id=case.pk, owner_role=Role.TRAFFICKING_ADA, state__in=("open", "in_progress")
    ).exists()


_DECIDED_STATES = frozenset({CaseState.DECLINED, CaseState.PROSECUTING, CaseState.PANEL_REVIEW})


def _case_rule(role: str, principal: Any, action: Action, case: Case) -> bool:
    if role == Role.SUPERVISOR:
        if action in (Action.VIEW_CASE, Action.RECORD_FACTS):
            return True  # a supervisor's view of any case
        if action is Action.SUPERVISOR_DECIDE:
            return case.state == CaseState.INTAKE
        if action is Action.REOPEN_DECISION:
            return case.state in _DECIDED_STATES
        return False
    if role == Role.INTAKE_ADA:
        if action is Action.VIEW_CASE:
            # New cases; a decided case while a catalog correction asks a person to look at it
            # again (an open CaseRecheck); and every case the prosecutor decided.
            return (
                case.state in INTAKE_STATES
                or _has_open_recheck(case)
                or _took_part(principal, case)
            )
        if action is Action.DECIDE_CASE:
            return case.state == CaseState.INTAKE
        if action is Action.RECORD_FACTS:
            return case.state in INTAKE_STATES
        return False
    if role == Role.TRAFFICKING_ADA and action in (Action.VIEW_CASE, Action.RECORD_FACTS):
        return (
            case.state == CaseState.PANEL_REVIEW
            or _is_priority(case)
            or _has_open_lead(case)
            or _intake_priority(case)
        )
    return False


def _intake_priority(case: Case) -> bool:
    """A case in intake whose latest screening makes it a priority or panel case."""
    if case.state not in INTAKE_STATES:
        return False
    from survivors_justice.cases.models import Case as CaseModel

    return CaseModel.objects.filter(intake_priority_filter(), pk=case.pk).exists()


def intake_priority_filter() -> Q:
    """Cases in intake whose latest stored screening is a priority or panel case: the few
    screenings with that priority (indexed), kept when no later screening of the case exists."""
    from django.db.models import Exists, OuterRef

    from survivors_justice.screening.models import PolicyDecision

    later = PolicyDecision.objects.filter(case_id=OuterRef("case_id")).filter(
        Q(screened_at__gt=OuterRef("screened_at"))
        | Q(screened_at=OuterRef("screened_at"), pk__gt=OuterRef("pk"))
    )
    latest_priority = (
        PolicyDecision.objects.filter(case_priority__in=(PRIORITY_OUTCOME, "panel_review"))
        .exclude(Exists(later))
        .values("case_id")
    )
    return Q(state__in=INTAKE_STATES) & Q(pk__in=latest_priority)


def _followup_rule(role: str, action: Action, task: FollowUpTask) -> bool:
    return action is Action.WORK_FOLLOWUP and task.owner_role == role and task.state in (
        "open",
        "in_progress",
    )


def _decision_rule(role: str, principal: Any, action: Action, decision: ChargingDecision) -> bool:
    from survivors_justice.cases.models import DecisionStatus

    if action is Action.REVIEW_OVERRIDE:
        return (
            role == Role.SUPERVISOR
            and decision.status == DecisionStatus.PENDING
            and decision.decided_by_id != getattr(principal, "pk", None)
        )
    return False


def _recheck_rule(role: str, action: Action, recheck: CaseRecheck) -> bool:
    # Role grants already limit this to roles that may decide cases; only an open one.
    return action is Action.REVIEW_RECHECK and recheck.reviewed_at is None


def why_not(principal: Principal | Any, action: Action) -> str | None:
    """Why ``principal`` may not do ``action`` in plain words, or None when they may. For the
    trained kinds of work this names the training that lapsed."""
    role = role_of(principal)
    if role is None or action not in ROLE_ACTIONS[role]:
        if role is None:
            return "an account without a working role does not do this work"
        return f"the {Role(role).label} role does not do this work"
    work = TRAINED_WORK.get(action)
    if work is not None:
        from survivors_justice.training.rules import training_gap

        return training_gap(principal, work)
    return None


def _packet_rule(principal: Any, action: Action, entry: Any) -> bool:
    """A packet is read only by a seated, unconflicted member who may sit, while in session."""
    from django.utils import timezone

    from survivors_justice.review.models import PanelMember
    from survivors_justice.review.rules import may_read_packet

    if action is not Action.PANEL_PACKET:
        return False
    pk = getattr(principal, "pk", None)
    member = PanelMember.objects.filter(user_id=pk).first() if pk is not None else None
    if member is None:
        return False
    from survivors_justice.accounts.models import User

    if isinstance(principal, User):
        member.user = principal  # the signed-in account: its training is read, not it again
    return may_read_packet(member, entry, at=timezone.now())


def _instrument_rule(principal: Any, case: Case) -> bool:
    """An advocate screens the person of a case whose advocate referral they have taken."""
    from survivors_justice.cases.models import FollowUpKind, FollowUpTask

    return FollowUpTask.objects.filter(
        case_id=case.pk,
        kind=FollowUpKind.REFER_TO_ADVOCATE,
        owner_id=getattr(principal, "pk", None),
    ).exists()


def can(principal: Principal | Any, action: Action, obj: object = None) -> bool:
    """May ``principal`` do ``action`` (to ``obj``)? Unknown roles, signed-out users: never."""
    role = role_of(principal)
    if role == Role.ADVOCATE and action is Action.RECORD_FACTS and obj is not None:
        # The screening's answers go to the case of the referral the advocate took (never a
        # page of its own: without a case this stays refused).
        from survivors_justice.cases.models import Case

        return isinstance(obj, Case) and _instrument_rule(principal, obj)
    if role is None or action not in ROLE_ACTIONS[role]:
        return False
    if action in TRAINED_WORK:
        return why_not(principal, action) is None
    if obj is None:
        return True
    from survivors_justice.cases.models import Case, CaseRecheck, ChargingDecision, FollowUpTask

    if isinstance(obj, Case) and action is Action.ADMINISTER_INSTRUMENT:
        return _instrument_rule(principal, obj)
    if isinstance(obj, Case):
        return _case_rule(role, principal, action, obj)
    if isinstance(obj, FollowUpTask):
        return _followup_rule(role, action, obj)
    if isinstance(obj, ChargingDecision):
        return _decision_rule(role, principal, action, obj)
    if isinstance(obj, CaseRecheck):
        return _recheck_rule(role, action, obj)
    from survivors_justice.partners.models import Organisation
    from survivors_justice.survivors.models import Referral, Survivor

    if isinstance(obj, Survivor):
        return _survivor_rule(role, principal, action, obj)
    if isinstance(obj, Referral):
        return _referral_rule(role, principal, action, obj)
    if isinstance(obj, Organisation):
        own = partner_organisation_id(principal)
        return action is Action.EDIT_DIRECTORY_ENTRY and own == obj.pk
    from survivors_justice.review.models import DocketEntry

    if isinstance(obj, DocketEntry):
        return _packet_rule(principal, action, obj)
    from survivors_justice.courts.models import CourtPlan

    if isinstance(obj, CourtPlan):
        # two people: whoever built a plan never adopts it; only a proposal can be adopted
        return (action is Action.ADOPT_COURT_PLAN and obj.state == "proposed"
                and obj.built_by_id != getattr(principal, "pk", None))
    return False  # an object no rule speaks of is refused, never allowed by default


# --- survivor services: assignment, and consent enforced below every page --------------------


_PARTNER_ORG = "_sj_partner_organisation"


def partner_organisation_id(principal: Principal | Any) -> int | None:
    """The organisation a partner-staff account works for (its ``partners.Membership``), or None."""
    if role_of(principal) != Role.PARTNER_STAFF:
        return None
    from survivors_justice.partners.models import Membership

    # read once per request: the signed-in user object is loaded anew for every request, so a
    # membership ended now still takes effect on the next one
    cached: tuple[int | None] | None = getattr(principal, "__dict__", {}).get(_PARTNER_ORG)
    if cached is not None:
        return cached[0]
    org = (
        Membership.objects.filter(user_id=getattr(principal, "pk", 0))
        .values_list("organisation_id", flat=True)
        .first()
    )
    if hasattr(principal, "__dict__"):
        principal.__dict__[_PARTNER_ORG] = (org,)
    return org


def survivor_work_gap(principal: Principal | Any) -> str | None:
    """Why this person may not take on survivor work now (lapsed training), or None."""
    try:
        # the training app may be absent from a deployment: then nothing lapses
        from survivors_justice.training.rules import (  # type: ignore[import-not-found,unused-ignore]
            training_gap,
        )
    except ImportError:
        return None
    result: str | None = training_gap(principal, "survivor_work")
    return result


def _survivor_rule(role: str, principal: Any, action: Action, survivor: Survivor) -> bool:
    if role == Role.ADVOCATE and action in (Action.VIEW_SURVIVOR, Action.EDIT_SURVIVOR):
        return survivor.advocate_id is not None and survivor.advocate_id == principal.pk
    return False


def _referral_rule(role: str, principal: Any, action: Action, referral: Referral) -> bool:
    if role == Role.ADVOCATE and action is Action.VIEW_REFERRAL:
        return bool(referral.survivor.advocate_id == principal.pk)
    if role == Role.PARTNER_STAFF and action in (Action.VIEW_REFERRAL, Action.RESPOND_REFERRAL):
        from survivors_justice.survivors.consent import has_current_consent

        org = partner_organisation_id(principal)
        return (
            org is not None
            and referral.organisation_id == org
            and has_current_consent(referral.survivor_id, org)
        )
    return False


def visible_survivors(principal: Principal | Any) -> QuerySet[Survivor]:
    """The survivors whose whole record ``principal`` may open (an advocate's own caseload)."""
    from survivors_justice.survivors.models import Survivor

    if role_of(principal) == Role.ADVOCATE:
        return Survivor.objects.filter(advocate_id=getattr(principal, "pk", 0))
    return Survivor.objects.none()


def visible_referrals(principal: Principal | Any) -> QuerySet[Referral]:
    """Referrals ``principal`` may see: an advocate's own; a partner's only with current consent."""
    from survivors_justice.survivors.consent import referrals_visible_to_organisation
    from survivors_justice.survivors.models import Referral

    role = role_of(principal)
    if role == Role.ADVOCATE:
        return Referral.objects.filter(survivor__advocate_id=getattr(principal, "pk", 0))
    if role == Role.PARTNER_STAFF:
        org = partner_organisation_id(principal)
        if org is not None:
            return referrals_visible_to_organisation(org)
    return Referral.objects.none()


def visible_bookings(principal: Principal | Any) -> QuerySet[Booking]:
    """On-site bookings: an advocate's survivors'; a partner's own hours, with current consent."""
    from django.db.models import Exists, OuterRef

    from survivors_justice.survivors.consent import current_q, today
    from survivors_justice.survivors.models import Booking, Consent

    role = role_of(principal)
    if role == Role.ADVOCATE:
        return Booking.objects.filter(survivor__advocate_id=getattr(principal, "pk", 0))
    if role == Role.PARTNER_STAFF:
        org = partner_organisation_id(principal)
        if org is not None:
            consented = Consent.objects.filter(
                current_q(today()), survivor_id=OuterRef("survivor_id"), organisation_id=org
            )
            return Booking.objects.filter(hours__organisation_id=org).filter(Exists(consented))
    return Booking.objects.none()


def partner_view_of(principal: Principal | Any, survivor: Survivor) -> PartnerView | None:
    """What a partner-staff ``principal`` may see of ``survivor`` now (None: nothing)."""
    from survivors_justice.survivors.consent import partner_view

    org = partner_organisation_id(principal)
    if org is None:
        return None
    return partner_view(survivor, org)


def visible_cases(principal: Principal | Any) -> QuerySet[Case]:
    """Exactly the cases ``principal`` may open (agrees with ``can(p, VIEW_CASE, case)``)."""
    from survivors_justice.cases.models import Case

    role = role_of(principal)
    if role is None or Action.VIEW_CASE not in ROLE_ACTIONS[role]:
        return Case.objects.none()
    if role == Role.SUPERVISOR:
        return Case.objects.all()
    if role == Role.INTAKE_ADA:
        return Case.objects.filter(
            Q(state__in=INTAKE_STATES) | open_recheck_filter() | _took_part_filter(principal)
        )
    if role == Role.TRAFFICKING_ADA:
        return Case.objects.filter(trafficking_queue_filter())
    return Case.objects.none()  # pragma: no cover - every role with VIEW_CASE is handled above


def trafficking_queue_filter() -> Q:
    """The cases trafficking prosecutors may open (a ``Case`` query filter): panel cases,
    priority cases decided, cases with an open trafficking lead, and cases in intake whose latest
    screening makes them priority or panel cases. ``Case.trafficking_queue`` keeps its answer per
    case (cases/stored_recommendation.py) so their queue is one indexed query."""
    from survivors_justice.cases.predicates import priority_case_filter

    return (
        Q(state=CaseState.PANEL_REVIEW)
        | priority_case_filter()
        | open_lead_filter()
        | intake_priority_filter()
    )


def _took_part_filter(principal: Any) -> Q:
    from survivors_justice.cases.models import ChargingDecision

    pk = getattr(principal, "pk", None)
    return Q(
        pk__in=ChargingDecision.objects.filter(Q(decided_by_id=pk) | Q(reviewed_by_id=pk)).values(
            "case_id"
        )
    )


def open_lead_filter() -> Q:
    """Cases with an open trafficking lead (a ``Case`` query filter)."""
    from survivors_justice.cases.models import FollowUpTask

    return Q(
        pk__in=FollowUpTask.objects.filter(
            owner_role=Role.TRAFFICKING_ADA, state__in=("open", "in_progress")
        ).values("case_id")
    )


def followup_tasks(principal: Principal | Any) -> QuerySet[FollowUpTask]:
    """The follow-up tasks of ``principal``'s role (none for a role without a queue)."""
    from survivors_justice.cases.models import FollowUpTask

    if not can(principal, Action.FOLLOWUP_QUEUE):
        return FollowUpTask.objects.none()
    return FollowUpTask.objects.filter(owner_role=role_of(principal))


def decided_cases(principal: Principal | Any, *, mine: bool = True) -> QuerySet[ChargingDecision]:
    """Decisions ``principal`` may list: their own (decided or reviewed), or for a supervisor,
    every decision when ``mine`` is False."""
    from survivors_justice.cases.models import ChargingDecision

    if not can(principal, Action.DECIDED_CASES):
        return ChargingDecision.objects.none()
    if mine or role_of(principal) != Role.SUPERVISOR:
        pk = getattr(principal, "pk", None)
        return ChargingDecision.objects.filter(Q(decided_by_id=pk) | Q(reviewed_by_id=pk))
    return ChargingDecision.objects.all()


def open_rechecks(principal: Principal | Any) -> QuerySet[CaseRecheck]:
    """The rechecks nobody has marked reviewed, for a role that may list them (else none)."""
    from survivors_justice.cases.models import CaseRecheck

    if not can(principal, Action.RECHECKS):
        return CaseRecheck.objects.none()
    return CaseRecheck.objects.filter(reviewed_at__isnull=True)


def reviewable_overrides(principal: Principal | Any) -> QuerySet[ChargingDecision]:
    """The overrides waiting for ``principal``'s answer (none unless a supervisor)."""
    from survivors_justice.cases.models import ChargingDecision, DecisionStatus

    if not can(principal, Action.OVERRIDE_QUEUE):
        return ChargingDecision.objects.none()
    return ChargingDecision.objects.filter(status=DecisionStatus.PENDING).exclude(
        decided_by_id=getattr(principal, "pk", None)
    )


# --- view decorators -------------------------------------------------------------------------


REFUSAL_ATTRIBUTE = "sj_refused_action"


def mark_refusal(request: HttpRequest, action: Action | None) -> None:
    """Note on the request which permission refused it (the refusal audit reads it)."""
    setattr(request, REFUSAL_ATTRIBUTE, action.value if action is not None else "")


def forbidden(request: HttpRequest, action: Action | None = None) -> HttpResponse:
    """403 with the site's generic page: names no record."""
    mark_refusal(request, action)
    return defaults.permission_denied(request, exception=PermissionError())


def not_found(request: HttpRequest, action: Action | None = None) -> HttpResponse:
    """404 with the site's generic page: the same whether the record exists or not."""
    from django.http import Http404

    mark_refusal(request, action)
    return defaults.page_not_found(request, exception=Http404())


View = Callable[..., HttpResponseBase]  # a page, or a streamed file


def require(action: Action) -> Callable[[View], View]:
    """Refuse (403) a view to anyone whose role lacks ``action``."""

    def wrap(view: View) -> View:
        @functools.wraps(view)
        def inner(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not can(request.user, action):
                return forbidden(request, action)
            return view(request, *args, **kwargs)

        return inner

    return wrap


def case_view(action: Action = Action.VIEW_CASE) -> Callable[[View], View]:
    """Load the case ``pk`` for a view: 404 unless the principal may see it, 403 unless ``action``.

    The wrapped view receives the :class:`Case` as ``case`` instead of ``pk``.
    """

    def wrap(view: View) -> View:
        @functools.wraps(view)
        def inner(request: HttpRequest, pk: int, *args: Any, **kwargs: Any) -> HttpResponseBase:
            from survivors_justice.cases.models import Case

            if not can(request.user, Action.VIEW_CASE):
                # no role-level access: do not even look it up
                return not_found(request, Action.VIEW_CASE)
            try:
                case = Case.objects.select_related("defendant", "arrest").get(pk=pk)
            except Case.DoesNotExist:
                return not_found(request, Action.VIEW_CASE)
            if not can(request.user, Action.VIEW_CASE, case):
                return not_found(request, Action.VIEW_CASE)
            if action is not Action.VIEW_CASE and not can(request.user, action, case):
                return forbidden(request, action)
            return view(request, *args, case=case, **kwargs)

        return inner

    return wrap
