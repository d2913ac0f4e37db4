"""Every write of the review panel: one transaction per action, its audit record inside it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime

from django.db import transaction

from survivors_justice.accounts.models import User
from survivors_justice.accounts.roles import Role
from survivors_justice.audit.services import record_event
from survivors_justice.cases.models import Case
from survivors_justice.law.speedy_trial import SpeedyTrialError, readiness_deadline, top_class
from survivors_justice.review.models import (
    TEXT_LIMIT,
    Conflict,
    Determination,
    DocketEntry,
    Finding,
    PanelMember,
    PanelSession,
    Position,
    Reason,
    RecommendedOutcome,
    SeatKind,
    SessionSeat,
    SessionState,
)
from survivors_justice.review.packets import personal_values, propose_redaction
from survivors_justice.review.redaction import redact
from survivors_justice.review.rules import quorum_gap, sitting_gap, tally
from survivors_justice.training.rules import training_gap


class ReviewError(ValueError):
    """A panel action that cannot be done; the message says why and what to do."""


class NotAPanelMember(ReviewError):
    pass


class TrainingLapsed(ReviewError):
    """The account's training records do not cover a panel seat (the message names the course)."""


class MemberMayNotSit(ReviewError):
    pass


class SessionNotOpen(ReviewError):
    pass


class Conflicted(ReviewError):
    pass


class NoQuorum(ReviewError):
    pass


class AlreadyDetermined(ReviewError):
    pass


class RedactionNotConfirmed(ReviewError):
    pass


def _now() -> datetime:
    return datetime.now(tz=UTC)


def _audit(actor: User, action: str, obj: object, *, source: str, **details: object) -> None:
    record_event(
        actor=actor.email,
        action=f"review.{action}",
        object_type=type(obj).__name__,
        object_id=str(getattr(obj, "pk", "")),
        source=source,
        details=details,
    )


def _text(value: str, what: str) -> str:
    value = (value or "").strip()
    if len(value) > TEXT_LIMIT:
        raise ReviewError(f"The {what} has {len(value)} characters; keep it to {TEXT_LIMIT}.")
    return value


def enrol_member(
    *,
    actor: User,
    user: User,
    seat: str,
    term_start: date,
    term_end: date,
    training_current_until: date | None,
    source: str = "",
) -> PanelMember:
    """Give an account a panel seat (the account must have the panel member role)."""
    if user.role != Role.PANEL_MEMBER:
        raise ReviewError(
            f"{user.email} has the role {user.role}; only a panel member account can hold a seat."
        )
    if seat not in SeatKind.values:
        raise ReviewError(f"Seat {seat!r} is not one of {', '.join(SeatKind.values)}.")
    if term_end < term_start:
        raise ReviewError(f"The term ends ({term_end}) before it starts ({term_start}).")
    gap = training_gap(user, "panel_seat")
    if gap is not None:
        raise TrainingLapsed(f"{user.email}: {gap}")
    with transaction.atomic():
        member, _ = PanelMember.objects.update_or_create(
            user=user,
            defaults={
                "seat": seat,
                "term_start": term_start,
                "term_end": term_end,
                "training_current_until": training_current_until,
                "active": True,
            },
        )
        _audit(actor, "member.enrol", member, source=source, seat=seat,
               term_start=term_start.isoformat(), term_end=term_end.isoformat())  # fmt: skip
    return member


def member_of(user: User) -> PanelMember:
    try:
        return PanelMember.objects.get(user=user)
    except PanelMember.DoesNotExist:
        raise NotAPanelMember(f"{user.email} holds no panel seat.") from None


def sign_confidentiality(*, actor: User, source: str = "") -> PanelMember:
    """The member signs the confidentiality acknowledgment (before any access)."""
    with transaction.atomic():
        member = member_of(actor)
        if member.confidentiality_signed_at is None:
            member.confidentiality_signed_at = _now()
            member.save(update_fields=["confidentiality_signed_at"])
            _audit(actor, "member.confidentiality", member, source=source)
    return member


def _deadline(case: Case) -> date | None:
    classes = [c.offense_class for c in case.arrest.charges.all() if c.offense_class]
    top = top_class(classes)
    if top is None:
        return None
    try:
        return readiness_deadline(top, case.arrest.arrest_date).deadline
    except SpeedyTrialError:
        return None


def schedule_session(
    *,
    actor: User,
    scheduled_for: datetime,
    members: Iterable[PanelMember],
    cases: Iterable[Case],
    source: str = "",
) -> PanelSession:
    """A session with its seats and its docket, cases ordered by CPL 30.30 days left."""
    members = list(members)
    cases = list(cases)
    if not cases:
        raise ReviewError("A session needs at least one case on its docket.")
    on = scheduled_for.date()
    for m in members:
        gap = sitting_gap(m, on=on)
        if gap is not None:
            raise MemberMayNotSit(f"{m.user.email} cannot sit on {on:%d %B %Y}: {gap}")
    dated = sorted(
        ((_deadline(c), c) for c in cases),
        key=lambda dc: (dc[0] is None, dc[0] or date.max, dc[1].pk),
    )
    with transaction.atomic():
        session = PanelSession.objects.create(scheduled_for=scheduled_for, coordinator=actor)
        SessionSeat.objects.bulk_create(SessionSeat(session=session, member=m) for m in members)
        for i, (deadline, case) in enumerate(dated, 1):
            proposal = propose_redaction(case)
            DocketEntry.objects.create(
                session=session,
                case=case,
                position=i,
                readiness_deadline=deadline,
                redacted_narrative=proposal.text,
            )
        _audit(actor, "session.schedule", session, source=source,
               members=len(members), cases=len(dated))  # fmt: skip
    return session


def confirm_redaction(*, actor: User, entry: DocketEntry, text: str, source: str = "") -> None:
    """The coordinator has read the redacted narrative (and may edit it further) and confirms it."""
    proposal = propose_redaction(entry.case)
    # Whatever the coordinator typed is redacted once more: a value put back is taken out again.
    cleaned = redact(text, personal_values(entry.case))
    with transaction.atomic():
        entry.redacted_narrative = cleaned.text
        entry.redaction_confirmed_by = actor
        entry.redaction_confirmed_at = _now()
        entry.save(update_fields=["redacted_narrative", "redaction_confirmed_by",
                                  "redaction_confirmed_at"])  # fmt: skip
        _audit(actor, "docket.redaction_confirmed", entry, source=source,
               removed_automatically=proposal.removed, removed_again=cleaned.removed)  # fmt: skip


_SESSION_MOVES = {
    SessionState.SCHEDULED: {SessionState.OPEN},
    SessionState.OPEN: {SessionState.CLOSED},
    SessionState.CLOSED: set(),
}


def move_session(*, actor: User, session: PanelSession, to: str, source: str = "") -> None:
    """Open or close a session (the explicit table above; anything else is refused)."""
    with transaction.atomic():
        session = PanelSession.objects.select_for_update().get(pk=session.pk)
        current = SessionState(session.state)
        if SessionState(to) not in _SESSION_MOVES[current]:
            raise ReviewError(
                f"Session {session.pk} is {current.label.lower()}; it cannot move to {to}."
            )
        if to == SessionState.OPEN:
            unconfirmed = session.docket.filter(redaction_confirmed_at__isnull=True).count()
            if unconfirmed:
                raise RedactionNotConfirmed(
                    f"Confirm the redacted narrative of {unconfirmed} case(s) before opening."
                )
            session.opened_at = _now()
        else:
            session.closed_at = _now()
        session.state = to
        session.save(update_fields=["state", "opened_at", "closed_at"])
        _audit(actor, f"session.{to}", session, source=source)


def set_attendance(
    *, actor: User, session: PanelSession, present: Sequence[int], source: str = ""
) -> None:
    with transaction.atomic():
        for seat in session.seats.all():
            seat.attended = seat.member_id in present
            seat.save(update_fields=["attended"])
        _audit(actor, "session.attendance", session, source=source, present=len(present))


def declare_conflict(*, actor: User, entry: DocketEntry, reason: str, source: str = "") -> Conflict:
    """The member declares a conflict of interest and is recused from this case."""
    member = member_of(actor)
    with transaction.atomic():
        conflict, _ = Conflict.objects.get_or_create(
            entry=entry, member=member,
            defaults={"declared_at": _now(), "reason": _text(reason, "reason")},
        )  # fmt: skip
        Position.objects.filter(entry=entry, member=member).delete()
        _audit(actor, "docket.conflict", entry, source=source, member=member.pk)
    return conflict


def _voting_member(actor: User, entry: DocketEntry) -> PanelMember:
    member = member_of(actor)
    if entry.session.state != SessionState.OPEN:
        raise SessionNotOpen("Positions are recorded only while the session is in progress.")
    if not entry.session.seats.filter(member=member).exists():
        raise MemberMayNotSit("You are not seated on this session.")
    if entry.conflicts.filter(member=member).exists():
        raise Conflicted("You declared a conflict of interest on this case and are recused.")
    gap = sitting_gap(member, on=_now().date())
    if gap is not None:
        raise MemberMayNotSit(gap)
    if not member.votes:
        raise MemberMayNotSit(
            "The prosecutor's seat takes part in the discussion but does not vote."
        )
    return member


def record_position(
    *,
    actor: User,
    entry: DocketEntry,
    finding: str,
    recommended_outcome: str,
    reasons: Sequence[str],
    text: str = "",
    source: str = "",
) -> Position:
    """A voting member's position on one case (changeable until the determination)."""
    member = _voting_member(actor, entry)
    if finding not in Finding.values:
        raise ReviewError(f"Position {finding!r} is not one of {', '.join(Finding.values)}.")
    if recommended_outcome not in RecommendedOutcome.values:
        raise ReviewError(
            f"Outcome {recommended_outcome!r} is not one of {', '.join(RecommendedOutcome.values)}."
        )
    bad = [r for r in reasons if r not in Reason.values]
    if bad:
        raise ReviewError(f"Reasons {bad} are not in the list: {', '.join(Reason.values)}.")
    with transaction.atomic():
        if Determination.objects.filter(entry=entry).exists():
            raise AlreadyDetermined("The panel has already determined this case.")
        position, _ = Position.objects.update_or_create(
            entry=entry,
            member=member,
            defaults={
                "finding": finding,
                "recommended_outcome": recommended_outcome,
                "reasons": sorted(set(reasons)),
                "text": _text(text, "reasons text"),
                "recorded_at": _now(),
            },
        )
        # Who took which position is not in the audit details either: only that one was recorded.
        _audit(actor, "docket.position", entry, source=source)
    return position


def record_determination(*, actor: User, entry: DocketEntry, source: str = "") -> Determination:
    """The panel's determination from the positions of eligible voters, if there is quorum.

    It becomes the case's ``panel.determination`` and ``panel.recommendation`` facts (source
    ``panel_determination``); the case is screened again at once and the policy's rules read them.
    When the new recommendation no longer sends any charge to the panel (a finding of involuntary,
    or voluntary with an outcome), a case with the panel returns to intake, where a prosecutor
    decides it; a departure from the determination waits for a supervisor.
    """
    from survivors_justice.cases.decisions import return_from_panel
    from survivors_justice.cases.facts import record_facts

    with transaction.atomic():
        entry = (
            DocketEntry.objects.select_for_update()
            .select_related("session", "case")
            .get(pk=entry.pk)
        )
        if entry.session.state != SessionState.OPEN:
            raise SessionNotOpen("A determination is recorded while the session is in progress.")
        if Determination.objects.filter(entry=entry).exists():
            raise AlreadyDetermined("The panel has already determined this case.")
        conflicted = set(entry.conflicts.values_list("member_id", flat=True))
        seated = set(entry.session.seats.values_list("member_id", flat=True))
        positions = [
            p
            for p in entry.positions.select_related("member")
            if p.member_id in seated and p.member_id not in conflicted and p.member.votes
        ]
        gap = quorum_gap(p.member.seat for p in positions)
        if gap is not None:
            raise NoQuorum(gap)
        result = tally([(p.finding, p.recommended_outcome, p.reasons) for p in positions])
        determination = Determination.objects.create(
            entry=entry,
            finding=result.finding,
            recommended_outcome=result.recommended_outcome,
            votes_voluntary=result.voluntary,
            votes_involuntary=result.involuntary,
            votes_cannot_tell=result.cannot_tell,
            reasons=result.reasons,
            recorded_by=actor,
            recorded_at=_now(),
        )
        _audit(actor, "docket.determination", entry, source=source, finding=result.finding,
               recommended_outcome=result.recommended_outcome, voters=len(positions))  # fmt: skip
        record_facts(
            actor=actor,
            case=entry.case,
            answers={
                "panel.determination": result.finding,
                "panel.recommendation": result.recommended_outcome,
            },
            source="panel_determination",
            note=f"Review panel session {entry.session_id}: {result.voluntary} voluntary, "
            f"{result.involuntary} involuntary, {result.cannot_tell} cannot tell.",
        )
        return_from_panel(
            actor=actor,
            case_id=entry.case_id,
            note=f"The review panel determined the case in session {entry.session_id}: "
            f"{Finding(result.finding).label.lower()}.",
            source=source,
        )
    return determination
