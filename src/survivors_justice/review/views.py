"""The review panel's pages: the member's sessions and packets; the coordinator's roster, dockets.

Thin: each view asks the permission module, calls one service and renders. A packet is served
only to a seated, unconflicted member while the session is in progress (else 404, the same as for
a packet that does not exist), and every view of one is audited.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from survivors_justice.accounts.models import User
from survivors_justice.audit.reads import audit_read
from survivors_justice.cases.flows import CaseState
from survivors_justice.cases.models import Case
from survivors_justice.permissions import Action, can, not_found, require
from survivors_justice.review import services
from survivors_justice.review.forms import (
    ConfidentialityForm,
    ConflictForm,
    MemberForm,
    PositionForm,
    RedactionForm,
    SessionForm,
)
from survivors_justice.review.models import (
    Determination,
    DocketEntry,
    Finding,
    PanelMember,
    PanelSession,
    Position,
    Reason,
    RecommendedOutcome,
)
from survivors_justice.review.packets import docket_packet, propose_redaction
from survivors_justice.review.rules import quorum_gap, quorum_rules, sitting_gap


def _source(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):  # the decorators let only signed-in accounts through
        raise PermissionError("a signed-in account is required")
    return user


def _labels() -> dict[str, dict[str, str]]:
    return {
        "finding": dict(Finding.choices),
        "outcome": dict(RecommendedOutcome.choices),
        "reason": dict(Reason.choices),
    }


# --- the member --------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@require(Action.PANEL_SEAT)
def member_home(request: HttpRequest) -> HttpResponse:
    """My sessions (and, first of all, the confidentiality acknowledgment)."""
    user = _user(request)
    member = PanelMember.objects.filter(user=user).first()
    form = ConfidentialityForm(request.POST or None)
    if request.method == "POST" and member is not None and form.is_valid():
        services.sign_confidentiality(actor=user, source=_source(request))
        messages.success(request, "Thank you. You have signed the confidentiality acknowledgment.")
        return redirect("review:home")
    sessions: list[dict[str, Any]] = []
    gap = None
    if member is not None:
        gap = sitting_gap(member, on=timezone.localdate())
        for session in (
            PanelSession.objects.filter(seats__member=member)
            .annotate(cases=Count("docket", distinct=True))
            .order_by("-scheduled_for")
        ):
            sessions.append({"session": session, "cases": session.cases})
    return render(
        request,
        "review/member_home.html",
        {"member": member, "gap": gap, "form": form, "sessions": sessions},
    )


@require_GET
@require(Action.PANEL_SEAT)
def member_session(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    member = PanelMember.objects.filter(user=user).first()
    session = PanelSession.objects.filter(pk=pk, seats__member=member).first() if member else None
    if session is None or member is None:
        return not_found(request)
    rows = []
    for entry in session.docket.select_related("case").prefetch_related("conflicts"):
        conflicted = any(c.member_id == member.pk for c in entry.conflicts.all())
        rows.append(
            {
                "entry": entry,
                "conflicted": conflicted,
                "readable": can(user, Action.PANEL_PACKET, entry),
                "position": Position.objects.filter(entry=entry, member=member).first(),
                "determined": Determination.objects.filter(entry=entry).exists(),
            }
        )
    return render(
        request,
        "review/member_session.html",
        {"session": session, "rows": rows, "member": member, "labels": _labels(),
         "gap": sitting_gap(member, on=timezone.localdate())},
    )  # fmt: skip


def _entry_for_member(request: HttpRequest, pk: int) -> DocketEntry | None:
    entry = (
        DocketEntry.objects.select_related("session", "case", "case__arrest").filter(pk=pk).first()
    )
    if entry is None or not can(request.user, Action.PANEL_PACKET, entry):
        return None
    return entry


@require_http_methods(["GET", "HEAD", "POST"])
@require(Action.PANEL_SEAT)
def packet(request: HttpRequest, pk: int) -> HttpResponseBase:
    """One de-identified packet, and the member's position on it."""
    entry = _entry_for_member(request, pk)
    if entry is None:
        return not_found(request)
    user = _user(request)
    member = services.member_of(user)
    existing = Position.objects.filter(entry=entry, member=member).first()
    initial = (
        {"finding": existing.finding, "recommended_outcome": existing.recommended_outcome,
         "reasons": existing.reasons, "text": existing.text}
        if existing else None
    )  # fmt: skip
    form = PositionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_position(
                actor=user,
                entry=entry,
                finding=form.cleaned_data["finding"],
                recommended_outcome=form.cleaned_data["recommended_outcome"],
                reasons=form.cleaned_data["reasons"],
                text=form.cleaned_data["text"],
                source=_source(request),
            )
        except services.ReviewError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                "Your position is recorded. You can change it until the panel determines the case.",
            )
            return redirect("review:session", pk=entry.session_id)
    data = docket_packet(entry)
    audit_read(request, entry, action="review.packet.read", details={"session": entry.session_id})
    return render(
        request,
        "review/packet.html",
        {"entry": entry, "packet": data, "form": form, "conflict_form": ConflictForm(),
         "determined": Determination.objects.filter(entry=entry).exists(),
         "votes": member.votes},
    )  # fmt: skip


@require_POST
@require(Action.PANEL_SEAT)
def declare_conflict(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A member steps aside from one case; from then on its packet answers 404 to them."""
    user = _user(request)
    member = PanelMember.objects.filter(user=user).first()
    entries = DocketEntry.objects.filter(pk=pk, session__seats__member=member)
    entry = entries.select_related("session").first() if member else None
    if entry is None:
        return not_found(request)
    form = ConflictForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The reason is too long; keep it short.")
        return redirect("review:session", pk=entry.session_id)
    services.declare_conflict(
        actor=user, entry=entry, reason=form.cleaned_data["reason"], source=_source(request)
    )
    messages.success(request, f"You have stepped aside from item {entry.position}.")
    return redirect("review:session", pk=entry.session_id)


@require_GET
@require(Action.PANEL_SEAT)
def my_positions(request: HttpRequest) -> HttpResponse:
    member = PanelMember.objects.filter(user=_user(request)).first()
    positions = (
        Position.objects.filter(member=member).select_related("entry", "entry__session")
        .order_by("-recorded_at")
        if member else Position.objects.none()
    )  # fmt: skip
    return render(
        request, "review/my_positions.html", {"positions": positions, "labels": _labels()}
    )


# --- the coordinator ---------------------------------------------------------------------------


@require_GET
@require(Action.PANEL_COORDINATE)
def roster(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    members = [
        {"member": m, "gap": sitting_gap(m, on=today)}
        for m in PanelMember.objects.select_related("user").order_by("seat", "user__email")
    ]
    sessions = PanelSession.objects.annotate(
        cases=Count("docket", distinct=True),
        determined=Count("docket__determination", distinct=True),
    ).order_by("-scheduled_for")
    return render(
        request,
        "review/roster.html",
        {"members": members, "sessions": sessions,
         "quorum": [r.describe() for r in quorum_rules()]},
    )  # fmt: skip


@require_http_methods(["GET", "HEAD", "POST"])
@require(Action.PANEL_COORDINATE)
def member_new(request: HttpRequest) -> HttpResponseBase:
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.enrol_member(
                actor=_user(request),
                user=form.cleaned_data["user"],
                seat=form.cleaned_data["seat"],
                term_start=form.cleaned_data["term_start"],
                term_end=form.cleaned_data["term_end"],
                training_current_until=form.cleaned_data["training_current_until"],
                source=_source(request),
            )
        except services.TrainingLapsed as exc:
            form.add_error("user", str(exc))
        except services.ReviewError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "The seat is recorded.")
            return redirect("review:roster")
    return render(request, "review/member_form.html", {"form": form})


def _panel_cases() -> list[tuple[str, str]]:
    cases = (
        Case.objects.filter(state=CaseState.PANEL_REVIEW)
        .exclude(pk__in=Determination.objects.values("entry__case_id"))
        .select_related("arrest")
        .order_by("arrest__arrest_date")[:200]
    )
    return [(str(c.pk), f"{c.number} · arrested {c.arrest.arrest_date:%d %b %Y}") for c in cases]


@require_http_methods(["GET", "HEAD", "POST"])
@require(Action.PANEL_COORDINATE)
def session_new(request: HttpRequest) -> HttpResponseBase:
    form = SessionForm(request.POST or None, case_choices=_panel_cases())
    if request.method == "POST" and form.is_valid():
        scheduled = form.cleaned_data["scheduled_for"]
        try:
            session = services.schedule_session(
                actor=_user(request),
                scheduled_for=scheduled,
                members=form.cleaned_data["members"],
                cases=Case.objects.filter(pk__in=[int(p) for p in form.cleaned_data["cases"]]),
                source=_source(request),
            )
        except services.ReviewError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, "The session is scheduled. Check each redacted narrative next."
            )
            return redirect("review:docket", pk=session.pk)
    return render(request, "review/session_form.html", {"form": form})


@require_http_methods(["GET", "HEAD", "POST"])
@require(Action.PANEL_COORDINATE)
def docket(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A session's docket: redaction to confirm, attendance, positions so far, determinations."""
    session = PanelSession.objects.filter(pk=pk).first()
    if session is None:
        return not_found(request)
    user = _user(request)
    if request.method == "POST":
        return _docket_action(request, session, user)
    seated = {s.member_id for s in session.seats.all()}
    rows = []
    for entry in session.docket.select_related("case").prefetch_related(
        "conflicts", "positions__member"
    ):
        conflicted = {c.member_id for c in entry.conflicts.all()}
        voters = [
            p for p in entry.positions.all()
            if p.member_id in seated and p.member_id not in conflicted and p.member.votes
        ]  # fmt: skip
        proposal = propose_redaction(entry.case) if entry.redaction_confirmed_at is None else None
        rows.append(
            {
                "entry": entry,
                "form": RedactionForm(initial={"text": entry.redacted_narrative}),
                "removed": proposal.removed if proposal else None,
                "voters": len(voters),
                "conflicts": len(conflicted),
                "quorum": quorum_gap(p.member.seat for p in voters),
                "determination": Determination.objects.filter(entry=entry).first(),
            }
        )
    seats = session.seats.select_related("member__user").order_by("member__seat")
    return render(
        request,
        "review/docket.html",
        {"session": session, "rows": rows, "seats": seats, "labels": _labels()},
    )


def _docket_action(request: HttpRequest, session: PanelSession, user: User) -> HttpResponseBase:
    action = request.POST.get("action", "")
    source = _source(request)
    try:
        if action in ("open", "closed"):
            services.move_session(actor=user, session=session, to=action, source=source)
            messages.success(
                request, "The session is open." if action == "open" else "The session is closed."
            )
        elif action == "attendance":
            present = [int(p) for p in request.POST.getlist("present") if p.isdigit()]
            services.set_attendance(actor=user, session=session, present=present, source=source)
            messages.success(request, "Attendance is recorded.")
        elif action in ("redaction", "determine"):
            entry = (
                session.docket.filter(pk=request.POST.get("entry", "")).first()
                if request.POST.get("entry", "").isdigit()
                else None
            )
            if entry is None:
                return not_found(request)
            if action == "redaction":
                form = RedactionForm(request.POST)
                form.is_valid()
                services.confirm_redaction(
                    actor=user, entry=entry, text=form.cleaned_data.get("text", ""), source=source
                )
                messages.success(
                    request, f"Item {entry.position}: the redacted narrative is confirmed."
                )
            else:
                d = services.record_determination(actor=user, entry=entry, source=source)
                messages.success(
                    request,
                    f"Item {entry.position}: determined {Finding(d.finding).label.lower()} "
                    f"({d.votes_involuntary} involuntary, {d.votes_voluntary} voluntary, "
                    f"{d.votes_cannot_tell} cannot tell). The case was screened again.",
                )
        else:
            messages.error(request, "That action is not known; reload the page and try again.")
    except services.ReviewError as exc:
        messages.error(request, str(exc))
    return redirect("review:docket", pk=session.pk)
