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

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import NinjaAPI, Schema, Status
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from pydantic import ConfigDict

from survivors_justice.accounts.tokens import TOKEN_PREFIX, hash_token
from survivors_justice.cases import decisions, paging, recommendations
from survivors_justice.cases.flows import CaseState, IllegalTransition
from survivors_justice.cases.models import ApiToken, Case, ChargingDecision
from survivors_justice.permissions import (
    Action,
    NotAllowed,
    can,
    forbidden,
    role_of,
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
        if row is None or not row.owner.is_active:
            return None
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
)


def _principal(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]  # set by ninja from the auth classes


def _source(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


def _audit(request: HttpRequest, *, action: str, object_id: str, details: dict[str, Any]) -> None:
    from survivors_justice.audit.services import record_event

    with transaction.atomic():
        record_event(
            actor=decisions.actor_label(_principal(request)),
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


class DecisionIn(Schema):
    action: Literal["accept", "override"]
    policy_version: str
    outcomes: dict[str, str] | None = None
    reason_category: str | None = None
    reason_text: str | None = None


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
    note: str = ""


class FactsIn(Schema):
    """The facts contract of `sj policy evaluate` (null = unknown). Unknown keys are refused by
    the policy's own parser with a message naming them."""

    model_config = ConfigDict(extra="allow")

    decision_date: str | None = None
    charges: list[dict[str, Any] | str]
    defendant: dict[str, Any] | None = None
    victims: list[dict[str, Any]] | None = None
    indicators: dict[str, Any] | None = None
    co_defendants_sold_together: bool | None = None


class ErrorOut(Schema):
    detail: str


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
    response={200: CasePage, 403: ErrorOut},
    summary="List the cases you may see",
    tags=["cases"],
)
def list_cases(
    request: HttpRequest, page: int = 1, state: CaseState | None = None
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
    response={200: CaseDetail, 404: ErrorOut},
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
    response={201: DecisionOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Record a charging decision: accept the recommendation or override it",
    tags=["cases"],
)
def record_decision(
    request: HttpRequest, case_id: int, body: DecisionIn
) -> Status[DecisionOut]:
    """``policy_version`` is the version of the recommendation you read; a decision on an older
    one is refused (409). An override gives ``outcomes`` (charge position -> outcome),
    ``reason_category`` and ``reason_text``; prosecuting a declined selling charge waits for a
    supervisor (status ``pending``)."""
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
    response={200: DecisionOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
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
    response={200: dict[str, Any], 403: ErrorOut, 422: ErrorOut},
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


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


__all__ = ["TokenPrincipal", "api", "role_of"]
