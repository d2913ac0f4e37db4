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
    from survivors_justice.arrests.models import CaseRecheck
    from survivors_justice.cases.models import Case, ChargingDecision


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
    EVALUATE_POLICY = "policy.evaluate"  # run facts (no person in them) through the policy
    API_DOCS = "api.docs"  # the OpenAPI description of the JSON API
    MANAGE_USERS = "accounts.manage"  # accounts, roles, lockout release
    AUDIT_LOG = "audit.log"  # read the audit log and run its verification
    PANEL_SEAT = "review.seat"  # a panel member's own sessions, packets and positions
    PANEL_PACKET = "review.packet"  # obj: DocketEntry — read a de-identified packet, vote
    PANEL_COORDINATE = "review.coordinate"  # roster, sessions, dockets, redaction, determinations
    ADMINISTER_INSTRUMENT = "review.instrument"  # obj: Case — screen the person, with consent


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
            Action.EVALUATE_POLICY,
            Action.API_DOCS,
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
            Action.EVALUATE_POLICY,
            Action.API_DOCS,
            Action.PANEL_COORDINATE,
        }
    ),
    Role.TRAFFICKING_ADA: frozenset(
        {Action.PRIORITY_LIST, Action.VIEW_CASE, Action.EVALUATE_POLICY, Action.API_DOCS}
    ),
    Role.ADVOCATE: frozenset({Action.ADMINISTER_INSTRUMENT}),
    Role.PARTNER_STAFF: frozenset(),
    Role.PANEL_MEMBER: frozenset({Action.PANEL_SEAT, Action.PANEL_PACKET}),
    Role.ANALYST: frozenset({Action.EVALUATE_POLICY, Action.API_DOCS}),
    Role.ADMIN: frozenset(
        {Action.EVALUATE_POLICY, Action.API_DOCS, Action.MANAGE_USERS, Action.AUDIT_LOG}
    ),
}
assert set(ROLE_ACTIONS) == set(Role.values), "every role needs a row in ROLE_ACTIONS"
# An export is a list: whoever may export may see the list, and the cases in it.
assert all(
    {Action.INTAKE_QUEUE, Action.VIEW_CASE} <= acts
    for acts in ROLE_ACTIONS.values()
    if Action.EXPORT_CASES in acts
)
assert {r for r, acts in ROLE_ACTIONS.items() if Action.EVALUATE_POLICY in acts} <= _OFFICE_STAFF
# Marking a recheck reviewed answers for a charging decision: only a role that may decide cases,
# and one that can find the rechecks.
assert all(
    {Action.DECIDE_CASE, Action.RECHECKS} <= acts
    for acts in ROLE_ACTIONS.values()
    if Action.REVIEW_RECHECK in acts
)
# Whoever lists the rechecks may open those cases (an open recheck makes a decided case visible
# to the roles that see intake, below).
assert all(
    Action.VIEW_CASE in acts for acts in ROLE_ACTIONS.values() if Action.RECHECKS in acts
)


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
    from survivors_justice.cases.services import is_priority_case

    return is_priority_case(case)


def open_recheck_filter() -> Q:
    """Cases with a recheck nobody has marked reviewed yet (a ``Case`` query filter)."""
    from survivors_justice.arrests.models import CaseRecheck

    return Q(pk__in=CaseRecheck.objects.filter(reviewed_at__isnull=True).values("case_id"))


def _has_open_recheck(case: Case) -> bool:
    from survivors_justice.arrests.models import CaseRecheck

    return CaseRecheck.objects.filter(case_id=case.pk, reviewed_at__isnull=True).exists()


def _case_rule(role: str, action: Action, case: Case) -> bool:
    if role in (Role.INTAKE_ADA, Role.SUPERVISOR):
        if action is Action.VIEW_CASE:
            # A decided case comes back into intake's view while a catalog correction asks a
            # person to look at it again (an open CaseRecheck), and only then.
            return case.state in INTAKE_STATES or _has_open_recheck(case)
        if action is Action.DECIDE_CASE:
            return role == Role.INTAKE_ADA and case.state == CaseState.INTAKE
        return False
    if role == Role.TRAFFICKING_ADA and action is Action.VIEW_CASE:
        return case.state == CaseState.PANEL_REVIEW or _is_priority(case)
    return False


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


def _packet_rule(principal: Any, action: Action, entry: Any) -> bool:
    """A packet is read only by a seated, unconflicted member who may sit, while in session."""
    from django.utils import timezone

    from survivors_justice.review.models import PanelMember
    from survivors_justice.review.rules import may_read_packet

    if action is not Action.PANEL_PACKET:
        return False
    pk = getattr(principal, "pk", None)
    member = PanelMember.objects.filter(user_id=pk).first() if pk is not None else None
    return member is not None and may_read_packet(member, entry, at=timezone.now())


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
    if role is None or action not in ROLE_ACTIONS[role]:
        return False
    if obj is None:
        return True
    from survivors_justice.arrests.models import CaseRecheck
    from survivors_justice.cases.models import Case, ChargingDecision

    if isinstance(obj, Case) and action is Action.ADMINISTER_INSTRUMENT:
        return _instrument_rule(principal, obj)
    if isinstance(obj, Case):
        return _case_rule(role, action, obj)
    if isinstance(obj, ChargingDecision):
        return _decision_rule(role, principal, action, obj)
    if isinstance(obj, CaseRecheck):
        return _recheck_rule(role, action, obj)
    from survivors_justice.review.models import DocketEntry

    if isinstance(obj, DocketEntry):
        return _packet_rule(principal, action, obj)

    return False  # an object no rule speaks of is refused, never allowed by default


def visible_cases(principal: Principal | Any) -> QuerySet[Case]:
    """Exactly the cases ``principal`` may open (agrees with ``can(p, VIEW_CASE, case)``)."""
    from survivors_justice.cases.models import Case
    from survivors_justice.cases.services import priority_case_filter

    role = role_of(principal)
    if role is None or Action.VIEW_CASE not in ROLE_ACTIONS[role]:
        return Case.objects.none()
    if role in (Role.INTAKE_ADA, Role.SUPERVISOR):
        return Case.objects.filter(Q(state__in=INTAKE_STATES) | open_recheck_filter())
    if role == Role.TRAFFICKING_ADA:
        return Case.objects.filter(Q(state=CaseState.PANEL_REVIEW) | priority_case_filter())
    return Case.objects.none()  # pragma: no cover - every role with VIEW_CASE is handled above


def open_rechecks(principal: Principal | Any) -> QuerySet[CaseRecheck]:
    """The rechecks nobody has marked reviewed, for a role that may list them (else none)."""
    from survivors_justice.arrests.models import CaseRecheck

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


def forbidden(request: HttpRequest) -> HttpResponse:
    """403 with the site's generic page: names no record."""
    return defaults.permission_denied(request, exception=PermissionError())


def not_found(request: HttpRequest) -> HttpResponse:
    """404 with the site's generic page: the same whether the record exists or not."""
    from django.http import Http404

    return defaults.page_not_found(request, exception=Http404())


View = Callable[..., HttpResponseBase]  # a page, or a streamed file


def require(action: Action) -> Callable[[View], View]:
    """Refuse (403) a view to anyone whose role lacks ``action``."""

    def wrap(view: View) -> View:
        @functools.wraps(view)
        def inner(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not can(request.user, action):
                return forbidden(request)
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
                return not_found(request)  # no role-level access: do not even look it up
            try:
                case = Case.objects.select_related("defendant", "arrest").get(pk=pk)
            except Case.DoesNotExist:
                return not_found(request)
            if not can(request.user, Action.VIEW_CASE, case):
                return not_found(request)
            if action is not Action.VIEW_CASE and not can(request.user, action, case):
                return forbidden(request)
            return view(request, *args, case=case, **kwargs)

        return inner

    return wrap
