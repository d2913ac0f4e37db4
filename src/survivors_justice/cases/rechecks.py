"""Decided cases to look at again after a charge-catalog correction (``cases.CaseRecheck``).

``sj import resolve`` adds a recheck when a corrected catalog changes the recommendation of a case
a person already decided; the decision stands. Here: what changed, in plain words, for the case
page and the list of open rechecks, and :func:`mark_reviewed`, one transaction with its audit
record, for a role that may decide cases.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from survivors_justice.audit.services import actor_label
from survivors_justice.cases.models import Case, CaseRecheck
from survivors_justice.cases.recommendations import OUTCOME_LABELS
from survivors_justice.limits import MAX_NOTE_CHARS
from survivors_justice.permissions import Action, NotAllowed, can

MIN_NOTE_CHARS = 10


class RecheckNoteRequired(ValueError):
    """Marking a recheck reviewed without saying what was done."""

    def __init__(self, given: str) -> None:
        super().__init__(
            f"marking a recheck reviewed needs a note of at least {MIN_NOTE_CHARS} characters "
            f"(got {len(given.strip())}); say in a few words what you looked at or did"
        )


class RecheckNoteTooLong(ValueError):
    def __init__(self, given: str) -> None:
        super().__init__(
            f"the note has {len(given.strip()):,} characters; keep it under {MAX_NOTE_CHARS:,} "
            "(a short note: what you looked at or did)"
        )


class RecheckAlreadyReviewed(ValueError):
    """The recheck was marked reviewed already (by someone else, or in another tab)."""

    def __init__(self, recheck: CaseRecheck) -> None:
        when = f"{recheck.reviewed_at:%Y-%m-%d %H:%M}" if recheck.reviewed_at else "before"
        super().__init__(
            f"this recheck of case {recheck.case_id} was marked reviewed on {when} UTC; "
            "nothing more to do"
        )


def _label(outcome: str) -> str:
    return OUTCOME_LABELS.get(outcome, outcome.replace("_", " ") or "not recorded")


@dataclass(frozen=True)
class ChargeChange:
    charge: str  # "Charge 1 (PL 2300400)"
    then: str
    now: str

    @property
    def changed(self) -> bool:
        return self.then != self.now


@dataclass(frozen=True)
class RecheckView:
    """One recheck, in the words the pages show."""

    recheck: CaseRecheck
    decided_on: str  # "2026-11-28"
    decided_by: str  # the email of who decided, or "the office"
    then: str  # the recommendation recorded in the decision
    now: str  # the recommendation with the corrected catalog
    catalog: str  # "d491bac02875 (shipped catalog.yaml)"
    catalog_since: str  # when the catalog was first used
    charges: tuple[ChargeChange, ...]

    @property
    def pk(self) -> int:
        return int(self.recheck.pk)


def describe(recheck: CaseRecheck) -> RecheckView:
    """``recheck`` in plain words (select its decision, decider and catalog with it)."""
    decision = recheck.decision
    who = getattr(decision.decided_by, "email", "") or "the office"
    codes = [
        str(c.get("law_code") or "")
        for c in (decision.recommendation or {}).get("charges") or []
    ]
    charges = []
    then, now = list(recheck.decided_outcomes or []), list(recheck.recommended_outcomes or [])
    for i in range(max(len(then), len(now))):
        code = codes[i] if i < len(codes) and codes[i] else ""
        charges.append(
            ChargeChange(
                charge=f"Charge {i + 1}" + (f" ({code})" if code else ""),
                then=_label(then[i]) if i < len(then) else "not charged then",
                now=_label(now[i]) if i < len(now) else "no longer read",
            )
        )
    catalog = recheck.catalog
    return RecheckView(
        recheck=recheck,
        decided_on=f"{decision.decided_at:%Y-%m-%d}",
        decided_by=who,
        then=_label(recheck.decided_priority),
        now=_label(recheck.recommended_priority),
        catalog=f"{catalog.digest[:12]} ({catalog.source})",
        catalog_since=f"{catalog.first_used_at:%Y-%m-%d}",
        charges=tuple(charges),
    )


def _with_related(qs: Any) -> Any:
    return qs.select_related("catalog", "decision", "decision__decided_by")


def open_for_case(case: Case) -> list[RecheckView]:
    """The case's rechecks nobody has marked reviewed yet, oldest first."""
    qs = CaseRecheck.objects.filter(case=case, reviewed_at__isnull=True)
    qs = qs.order_by("flagged_at", "pk")
    return [describe(r) for r in _with_related(qs)]


def listed(qs: Any, limit: int = 200) -> list[tuple[CaseRecheck, RecheckView]]:
    """Rechecks of ``qs`` (already scoped by the permission module) for the list page."""
    rows = _with_related(qs.select_related("case", "case__defendant")).order_by(
        "flagged_at", "pk"
    )[:limit]
    return [(r, describe(r)) for r in rows]


def mark_reviewed(*, actor: Any, recheck_id: int, note: str, source: str = "") -> CaseRecheck:
    """Mark a recheck reviewed with ``note`` (one transaction, audited). The charging decision
    and the case's state are not touched: to change the decision, a person does so on purpose."""
    text = note.strip()
    if len(text) < MIN_NOTE_CHARS:
        raise RecheckNoteRequired(note)
    if len(text) > MAX_NOTE_CHARS:
        raise RecheckNoteTooLong(note)
    from survivors_justice.audit.services import record_event

    with transaction.atomic():
        recheck = CaseRecheck.objects.select_for_update().get(pk=recheck_id)
        if recheck.reviewed_at is not None:
            raise RecheckAlreadyReviewed(recheck)
        if not can(actor, Action.REVIEW_RECHECK, recheck):
            raise NotAllowed(actor, Action.REVIEW_RECHECK, recheck)
        recheck.reviewed_by = actor if isinstance(actor, get_user_model()) else None
        recheck.reviewed_at = timezone.now()
        recheck.review_note = text
        recheck.save(update_fields=["reviewed_by", "reviewed_at", "review_note"])
        record_event(
            actor=actor_label(actor),
            action="case.recheck.review",
            object_type="case",
            object_id=str(recheck.case_id),
            source=source,
            details={
                "recheck": recheck.pk,
                "decision": recheck.decision_id,
                "catalog": recheck.catalog_id,
                "recommended": [recheck.decided_priority, recheck.recommended_priority],
                # The note is free text a person wrote: kept on the row, not in the log.
                "note_chars": len(text),
            },
        )
    return recheck
