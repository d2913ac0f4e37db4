"""The typed JSON API (django-ninja), OpenAPI description at ``/api/docs``.

Two ways in, one set of rules:

- a browser session that finished sign-in with its one-time code (CSRF-checked like the pages);
- a bearer token for a machine client (``sj tokens create``), scoped to one role, revocable, kept
  only as a SHA-256 hash.

Every endpoint asks :mod:`survivors_justice.permissions`, the same module the pages use: a case
the caller may not see is a 404 whether or not it exists, and no error names anything of it.
Every read of a defendant's record is audited; every write goes through
the cases services (``cases/decisions.py``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal

from django.core.exceptions import RequestDataTooBig
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import NinjaAPI, Query, Schema, Status
from ninja.errors import HttpError, ValidationError
from ninja.parser import Parser
from ninja.security import APIKeyCookie, HttpBearer
from pydantic import ConfigDict, Field, StringConstraints

from survivors_justice import limits
from survivors_justice.accounts.tokens import TOKEN_PREFIX, hash_token
from survivors_justice.audit.services import actor_label
from survivors_justice.cases import decisions, paging, recommendations
from survivors_justice.cases.flows import CaseState, IllegalTransition
from survivors_justice.cases.models import ApiToken, Case, ChargingDecision
from survivors_justice.permissions import (
    Action,
    NotAllowed,
    can,
    forbidden,
    role_of,
    token_role_allowed,
    visible_cases,
)

# --- principals --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TokenPrincipal:
    """Who an API token speaks for: its role, and the accountable owner's account."""

    token_id: int
    name: str
    role: str
    owner: Any
    is_authenticated: bool = True
    is_active: bool = True

    @property
    def pk(self) -> Any:
        return self.owner.pk

    @property
    def audit_label(self) -> str:
        return f"token:{self.name} ({self.owner.email})"


class TokenAuth(HttpBearer):
    """``Authorization: Bearer sj_…``: a live token of an active owner."""

    def authenticate(self, request: HttpRequest, token: str) -> TokenPrincipal | None:
        if not token.startswith(TOKEN_PREFIX):
            return None
        row = (
            ApiToken.objects.select_related("owner")
            .filter(token_hash=hash_token(token), revoked_at__isnull=True)
            .first()
        )
        if row is None or not token_role_allowed(row.owner, row.role):
            return None  # revoked, owner deactivated, or a role above the owner's
        now = timezone.now()
        if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=1):
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        return TokenPrincipal(token_id=row.pk, name=row.name, role=row.role, owner=row.owner)


class VerifiedSession(APIKeyCookie):
    """The browser's session, only once the one-time code was given (CSRF-checked)."""

    from django.conf import settings as _settings

    param_name: str = _settings.SESSION_COOKIE_NAME

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        from survivors_justice.accounts.middleware import is_verified

        return request.user if is_verified(request) else None


def _docs_guard(view: Any) -> Any:
    """The OpenAPI description is for signed-in staff whose role may use the API."""

    def inner(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        from django.contrib.auth.views import redirect_to_login

        from survivors_justice.accounts.middleware import is_verified

        if not is_verified(request):
            return redirect_to_login(request.get_full_path())
        if not can(request.user, Action.API_DOCS):
            return forbidden(request)
        response: HttpResponse = view(request, *args, **kwargs)
        return response

    return inner


class LimitedParser(Parser):
    """JSON bodies within the limits: size (Django's DATA_UPLOAD_MAX_MEMORY_SIZE raises
    RequestDataTooBig on reading) and nesting depth (refused before any schema sees them)."""

    def parse_body(self, request: HttpRequest) -> Any:
        body = request.body
        try:
            data = json.loads(body)
        except RecursionError:
            raise limits.LimitExceeded(_too_deep()) from None
        if limits.json_depth(data) > limits.MAX_JSON_DEPTH:
            raise limits.LimitExceeded(_too_deep())
        return data


def _too_deep() -> str:
    return f"the JSON body is nested deeper than {limits.MAX_JSON_DEPTH} levels"


api = NinjaAPI(
    title="Survivor's Justice API",
    version="1",
    description=(
        "Cases in intake, the policy's recommendation, charging decisions, and the policy "
        "evaluator. Sign in with a browser session or a bearer token (`sj tokens create`)."
    ),
    auth=[TokenAuth(), VerifiedSession()],
    urls_namespace="api",
    docs_url="/docs",
    docs_decorator=_docs_guard,
    parser=LimitedParser(),
)


def _principal(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]  # set by ninja from the auth classes


def _source(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


def _audit(request: HttpRequest, *, action: str, object_id: str, details: dict[str, Any]) -> None:
    from survivors_justice.audit.services import record_event

    with transaction.atomic():
        record_event(
            actor=actor_label(_principal(request)),
            action=action,
            object_type="case",
            object_id=object_id,
            source=_source(request),
            details={**details, "via": "api"},
        )


def _require(request: HttpRequest, action: Action) -> Any:
    principal = _principal(request)
    if not can(principal, action):
        raise HttpError(403, "Your role does not allow this.")
    return principal


def _visible_case(request: HttpRequest, case_id: int) -> Case:
    """The case, or a 404 that reads the same whether it exists or not."""
    case = (
        visible_cases(_principal(request))
        .select_related("defendant", "arrest")
        .prefetch_related("arrest__charges")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise HttpError(404, "Not found.")
    return case


# --- schemas -----------------------------------------------------------------------------------


class DefendantOut(Schema):
    given_name: str
    family_name: str


class DefendantDetailOut(DefendantOut):
    date_of_birth: str


class ChargeOut(Schema):
    position: int
    law_code: str
    section: str
    subdivision: str
    role: str
    outcome: str
    rule: str
    reason: str
    rules_evaluated: list[str]
    citations: list[str]
    facts_read: dict[str, Any]
    missing_facts: list[str]


class RecommendationOut(Schema):
    policy_id: str
    policy_version: str
    case_priority: str
    charges: list[ChargeOut]
    missing_facts: list[str]


class CaseSummary(Schema):
    id: int
    number: str
    state: str
    opened_at: datetime
    arrest_date: date
    defendant: DefendantOut


class CaseDetail(CaseSummary):
    defendant: DefendantDetailOut
    recommendation: RecommendationOut
    decisions: list[DecisionOut]


class CasePage(Schema):
    page: int
    has_next: bool
    items: list[CaseSummary]


Code = Annotated[str, StringConstraints(max_length=limits.MAX_CODE_CHARS)]


class DecisionIn(Schema):
    action: Literal["accept", "override"]
    policy_version: Code
    outcomes: Annotated[dict[Code, Code], Field(max_length=limits.MAX_CHARGES)] | None = None
    reason_category: Code | None = None
    reason_text: Annotated[str, StringConstraints(max_length=limits.MAX_REASON_CHARS)] | None = None


class DecisionOut(Schema):
    id: int
    case_id: int
    kind: str
    status: str
    policy_id: str
    policy_version: str
    outcomes: dict[str, str]
    decided_by: str
    decided_at: datetime
    case_state: str


class ReviewIn(Schema):
    approve: bool
    note: Annotated[str, StringConstraints(max_length=limits.MAX_NOTE_CHARS)] = ""


class FactsIn(Schema):
    """The facts contract of `sj policy evaluate` (null = unknown). Unknown keys are refused by
    the policy's own parser with a message naming them."""

    model_config = ConfigDict(extra="allow")

    decision_date: Code | None = None
    # At least one charge: a decision is made on charges, and the policy refuses none.
    charges: Annotated[
        list[dict[str, Any] | Code],
        Field(min_length=1, max_length=limits.MAX_CHARGES),
    ]
    defendant: dict[str, Any] | None = None
    victims: Annotated[list[dict[str, Any]], Field(max_length=limits.MAX_VICTIMS)] | None = None
    indicators: dict[str, Any] | None = None
    co_defendants_sold_together: bool | None = None


class ErrorOut(Schema):
    detail: str


# What any endpoint may answer besides its own: a malformed or oversized request (400, 413),
# no sign-in (401), a refused role (403), a body or parameter the schema refuses (422).
ERRORS: dict[int, type[ErrorOut]] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut,
                                     413: ErrorOut, 422: ErrorOut}


CaseDetail.model_rebuild()


def _defendant(case: Case) -> DefendantOut:
    """Names only, as on the list pages (the list query does not even fetch the rest)."""
    d = case.defendant
    return DefendantOut(given_name=d.given_name, family_name=d.family_name)


def _defendant_detail(case: Case) -> DefendantDetailOut:
    d = case.defendant
    return DefendantDetailOut(
        given_name=d.given_name, family_name=d.family_name, date_of_birth=d.date_of_birth
    )


def _summary(case: Case) -> dict[str, Any]:
    return {
        "id": case.pk,
        "number": case.number,
        "state": case.state,
        "opened_at": case.opened_at,
        "arrest_date": case.arrest.arrest_date,
        "defendant": _defendant(case),
    }


def _recommendation(rec: recommendations.Recommendation) -> RecommendationOut:
    return RecommendationOut(
        policy_id=rec.policy_id,
        policy_version=rec.policy_version,
        case_priority=rec.case_priority,
        missing_facts=rec.missing_facts,
        charges=[
            ChargeOut(
                position=c.position,
                law_code=c.law_code,
                section=c.section,
                subdivision=c.subdivision,
                role=c.role,
                outcome=c.outcome,
                rule=c.rule,
                reason=" ".join(c.reasons),
                rules_evaluated=c.rules,
                citations=c.citations,
                facts_read=c.facts,
                missing_facts=c.missing_facts,
            )
            for c in rec.charges
        ],
    )


def _decision(d: ChargingDecision, case_state: str) -> DecisionOut:
    return DecisionOut(
        id=d.pk,
        case_id=d.case_id,
        kind=d.kind,
        status=d.status,
        policy_id=d.policy_id,
        policy_version=d.policy_version,
        outcomes=d.outcomes,
        decided_by=d.decided_by.email,
        decided_at=d.decided_at,
        case_state=case_state,
    )


# --- endpoints ---------------------------------------------------------------------------------


@api.get(
    "/cases",
    response={200: CasePage, **ERRORS},
    summary="List the cases you may see",
    tags=["cases"],
)
def list_cases(
    request: HttpRequest,
    page: Annotated[int, Query(ge=1, le=limits.MAX_PAGE)] = 1,
    state: CaseState | None = None,
) -> dict[str, Any]:
    """Oldest first, 25 a page. Intake prosecutors and supervisors see cases in intake;
    trafficking prosecutors see priority and panel cases; other roles see none (403)."""
    principal = _principal(request)
    if not can(principal, Action.VIEW_CASE):
        raise HttpError(403, "Your role does not allow this.")
    qs = visible_cases(principal)
    if state is not None:
        qs = qs.filter(state=state)
    result = paging.page_of(
        paging.with_list_data(qs.order_by("pk")), page, paging.API_PAGE_SIZE
    )
    _audit(
        request,
        action="cases.list.read",
        object_id="",
        details={"cases": [c.pk for c in result.items], "page": result.number},
    )
    return {
        "page": result.number,
        "has_next": result.has_next,
        "items": [_summary(c) for c in result.items],
    }


@api.get(
    "/cases/{case_id}",
    response={200: CaseDetail, 404: ErrorOut, **ERRORS},
    summary="Read a case with the policy's recommendation",
    tags=["cases"],
)
def read_case(request: HttpRequest, case_id: int) -> dict[str, Any]:
    case = _visible_case(request, case_id)
    _audit(request, action="case.read", object_id=str(case.pk), details={})
    history = case.decisions.select_related("decided_by").order_by("pk")
    return {
        **_summary(case),
        "defendant": _defendant_detail(case),
        "recommendation": _recommendation(recommendations.recommend(case)),
        "decisions": [_decision(d, case.state) for d in history],
    }


@api.post(
    "/cases/{case_id}/decision",
    response={201: DecisionOut, 404: ErrorOut, 409: ErrorOut, **ERRORS},
    summary="Record a charging decision: accept the recommendation or override it",
    tags=["cases"],
)
def record_decision(
    request: HttpRequest, case_id: int, body: DecisionIn
) -> Status[DecisionOut]:
    """``policy_version`` is the version of the recommendation you read; a decision on an older
    one is refused (409). An override gives ``outcomes`` (charge position -> outcome),
    ``reason_category`` and ``reason_text``; every override waits for a supervisor (status
    ``pending``) and nothing of it is in force until then. A case the policy sends to the review
    panel is not overridden at intake (409)."""
    principal = _principal(request)
    case = _visible_case(request, case_id)
    if not can(principal, Action.DECIDE_CASE, case):
        raise HttpError(403, "Your role does not allow this.")
    try:
        if body.action == "accept":
            decision = decisions.accept_recommendation(
                actor=principal,
                case_id=case.pk,
                source=_source(request),
                policy_version=body.policy_version,
            )
        else:
            decision = decisions.override_recommendation(
                actor=principal,
                case_id=case.pk,
                outcomes=body.outcomes or {},
                reason_category=body.reason_category or "",
                reason_text=body.reason_text or "",
                source=_source(request),
                policy_version=body.policy_version,
            )
    except NotAllowed as exc:
        raise HttpError(403, "Your role does not allow this.") from exc
    except (decisions.IntakeError, IllegalTransition) as exc:
        raise HttpError(409, str(exc)) from exc
    case.refresh_from_db(fields=["state"])
    return Status(201, _decision(decision, case.state))


@api.post(
    "/overrides/{decision_id}/review",
    response={200: DecisionOut, 404: ErrorOut, 409: ErrorOut, **ERRORS},
    summary="Approve or refuse an override waiting for a supervisor",
    tags=["cases"],
)
def review_override(request: HttpRequest, decision_id: int, body: ReviewIn) -> DecisionOut:
    principal = _require(request, Action.REVIEW_OVERRIDE)
    decision = ChargingDecision.objects.select_related("case").filter(pk=decision_id).first()
    if decision is None or not can(principal, Action.REVIEW_OVERRIDE, decision):
        raise HttpError(404, "Not found.")
    try:
        decision = decisions.review_override(
            actor=principal,
            decision_id=decision.pk,
            approve=body.approve,
            note=body.note,
            source=_source(request),
        )
    except NotAllowed as exc:
        raise HttpError(403, "Your role does not allow this.") from exc
    except (decisions.IntakeError, IllegalTransition) as exc:
        raise HttpError(409, str(exc)) from exc
    state = Case.objects.filter(pk=decision.case_id).values_list("state", flat=True).get()
    return _decision(decision, state)


@api.post(
    "/policy/evaluate",
    response={200: dict[str, Any], **ERRORS},
    summary="Evaluate facts against the policy in force",
    tags=["policy"],
)
def evaluate_policy(request: HttpRequest, facts: FactsIn) -> dict[str, Any]:
    """The body is the facts contract of `sj policy evaluate` (DESIGN.md > The policy as data);
    the answer is the explained decision: outcome per charge, rules, citations, missing facts."""
    from survivors_justice.policy import FactsError

    _require(request, Action.EVALUATE_POLICY)
    try:
        return recommendations.evaluate_facts(facts.model_dump(exclude_unset=True))
    except FactsError as exc:
        raise HttpError(422, str(exc)) from exc


class AssignIn(Schema):
    to: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=254)]


class AssignOut(Schema):
    survivor: int
    assigned_to: str


@api.post(
    "/survivors/{survivor_id}/assignment",
    response={200: AssignOut, 404: ErrorOut, 409: ErrorOut, **ERRORS},
    summary="Give a survivor's record to a staff member whose training is current",
    tags=["survivors"],
)
def assign_survivor(request: HttpRequest, survivor_id: int, body: AssignIn) -> AssignOut:
    """``to`` is the staff member's email. A staff member whose role does not work with
    survivors, or whose training for it has lapsed or is missing, is refused (409) and
    ``detail`` names the course and the date it lapsed."""
    from survivors_justice.accounts.models import User
    from survivors_justice.survivors import services as survivor_services
    from survivors_justice.survivors.models import Survivor

    principal = _require(request, Action.ASSIGN_SURVIVOR)
    if not Survivor.objects.filter(pk=survivor_id).exists():
        raise HttpError(404, f"There is no survivor record {survivor_id}; check the number.")
    to = User.objects.filter(email=body.to.lower()).first()
    if to is None:
        raise HttpError(422, f"body.to: no account has the email {body.to}; check it.")
    try:
        survivor = survivor_services.assign_survivor(
            actor=principal, survivor_id=survivor_id, to=to, source=_source(request))
    except NotAllowed as exc:
        raise HttpError(403, "Your role does not allow this.") from exc
    except survivor_services.ServicesError as exc:
        raise HttpError(409, str(exc)) from exc
    return AssignOut(survivor=survivor.pk, assigned_to=to.email)


class SeatIn(Schema):
    email: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=254)]
    seat: Literal["lived_experience", "advocate", "expert", "prosecutor"]
    term_start: date
    term_end: date
    training_current_until: date | None = None


class SeatOut(Schema):
    member: int
    email: str
    seat: str
    term_start: date
    term_end: date


@api.post(
    "/panel/members",
    response={201: SeatOut, 409: ErrorOut, **ERRORS},
    summary="Give a review panel seat to an account whose panel training is current",
    tags=["panel"],
)
def give_seat(request: HttpRequest, body: SeatIn) -> Status[SeatOut]:
    """The account must have the panel member role; one whose training for a panel seat has
    lapsed or is missing is refused (409) and ``detail`` names the course and the date."""
    from survivors_justice.accounts.models import User
    from survivors_justice.cases.decisions import principal_user
    from survivors_justice.review import services as review_services

    principal = _require(request, Action.PANEL_COORDINATE)
    user = User.objects.filter(email=body.email.lower(), is_active=True).first()
    if user is None:
        raise HttpError(422, f"body.email: no active account has the email {body.email}; "
                             "check it.")
    try:
        member = review_services.enrol_member(
            actor=principal_user(principal), user=user, seat=body.seat,
            term_start=body.term_start, term_end=body.term_end,
            training_current_until=body.training_current_until, source=_source(request))
    except review_services.ReviewError as exc:
        raise HttpError(409, str(exc)) from exc
    return Status(201, SeatOut(member=member.pk, email=user.email, seat=member.seat,
                               term_start=member.term_start, term_end=member.term_end))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # ninja wraps whatever the body parser raised in a 400 "Cannot parse request body"
    cause = exc.__cause__ if exc.status_code == 400 else None
    if isinstance(cause, RequestDataTooBig):
        return _too_big(request, cause)
    if isinstance(cause, limits.LimitExceeded):
        return _error(request, 400, str(cause))
    if isinstance(cause, ValueError):  # not JSON, or not UTF-8
        return _error(request, 400, "the request body is not valid JSON")
    return _error(request, exc.status_code, str(exc))


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return _error(request, 413, f"the request body is larger than "
                                f"{limits.MAX_REQUEST_BYTES:,} bytes; send less")


@api.exception_handler(limits.LimitExceeded)
def _limit_exceeded(request: HttpRequest, exc: limits.LimitExceeded) -> HttpResponse:
    return _error(request, 400, str(exc))


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """One sentence per refused value, where and why (never the value: it may be personal)."""
    problems = []
    for error in exc.errors:
        where = ".".join(str(part) for part in error.get("loc", ()))
        problems.append(f"{where}: {error.get('msg', 'invalid')}")
    return _error(request, 422, "; ".join(problems) or "the request does not match the schema")


def _error(request: HttpRequest, status: int, detail: str) -> HttpResponse:
    return api.create_response(request, {"detail": detail}, status=status)


__all__ = ["TokenPrincipal", "api", "role_of"]
