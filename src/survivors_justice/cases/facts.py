"""Facts with provenance and charge amendments: record what a person learned, re-screen at once.

Each write is one transaction: the answers (older ones kept, the newest current), the case's
current facts for the policy (``Case.known_facts`` / ``Case.amended_charges``), a new stored
screening (the old one kept), the follow-up tasks the new recommendation asks for, and the audit
record. The result says what changed in the recommendation and why.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from survivors_justice.audit.services import actor_label
from survivors_justice.cases.decisions import IntakeError, principal_user
from survivors_justice.cases.flows import CaseState
from survivors_justice.cases.models import (
    AmendmentAction,
    Case,
    CaseFact,
    ChargeAmendment,
    FactAnswer,
    FactSource,
)
from survivors_justice.cases.recommendations import (
    OUTCOME_LABELS,
    Recommendation,
    current_charges,
    recommend,
)
from survivors_justice.cases.stored_recommendation import store_case
from survivors_justice.permissions import Action, NotAllowed, Principal, can
from survivors_justice.policy import FACTS

MIN_AMENDMENT_REASON_CHARS = 20
MAX_AGE = 120
UNKNOWN = FactAnswer.UNKNOWN.value
PREFER_NOT_TO_SAY = FactAnswer.PREFER_NOT_TO_SAY.value
NOBODY = "none"  # victims.min_age: nobody else was exploited


@dataclass(frozen=True)
class Question:
    """One question the policy asks about a case, as the case page asks it."""

    fact: str  # the CaseFact key
    text: str
    kind: str  # "bool" or "age"
    policy_fact: str  # the named fact the policy reads ("victim.minor" for victims.min_age)


def _from_policy(fact: str) -> Question:
    return Question(fact=fact, text=FACTS[fact].question, kind="bool", policy_fact=fact)


QUESTIONS: tuple[Question, ...] = (
    _from_policy("defendant.victim_indicators"),
    Question(
        fact="victims.min_age",
        text="How old is the youngest person exploited in the case?",
        kind="age",
        policy_fact="victim.minor",
    ),
    *(
        _from_policy(f"indicators.{name}")
        for name in (
            "force",
            "threats",
            "fraud",
            "debt_bondage",
            "documents_withheld",
            "drugs_as_control",
        )
    ),
    _from_policy("co_defendants_sold_together"),
)
QUESTION_BY_FACT: dict[str, Question] = {q.fact: q for q in QUESTIONS}
# The review panel's determination and its recommended outcome: read by the policy, written
# only by the panel (not questions of the case page).
OTHER_FACTS = frozenset({"panel.determination", "panel.recommendation"})


class FactError(IntakeError):
    """An answer that cannot be recorded; the message names it and says what to give."""


@dataclass(frozen=True)
class Change:
    charge: str  # "Charge 1 (PL 2300400)"
    before: str
    after: str
    why: str  # the deciding rule's reason now


@dataclass(frozen=True)
class Rescreened:
    """What a new answer or an amendment did to the recommendation."""

    case: Case
    before: Recommendation
    after: Recommendation
    changes: tuple[Change, ...]
    facts: tuple[CaseFact, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.changes) or self.before.case_priority != self.after.case_priority

    def summary(self) -> str:
        if not self.changed:
            return "The recommendation is unchanged."
        parts = [
            f"{c.charge}: {c.before} \N{RIGHTWARDS ARROW} {c.after} ({c.why})" for c in self.changes
        ]
        return "The recommendation changed. " + "; ".join(parts)


def _label(outcome: str) -> str:
    return OUTCOME_LABELS.get(outcome, outcome)


def compare(before: Recommendation, after: Recommendation) -> tuple[Change, ...]:
    """Charge by charge, what changed from ``before`` to ``after`` and the reason now."""
    old = {c.position: c for c in before.charges}
    new = {c.position: c for c in after.charges}
    changes = []
    for position in sorted(set(old) | set(new)):
        was, now = old.get(position), new.get(position)
        if was and now and was.outcome == now.outcome and was.law_code == now.law_code:
            continue
        either = now or was
        code = either.law_code if either else ""
        changes.append(
            Change(
                charge=f"Charge {position}" + (f" ({code})" if code else ""),
                before=_label(was.outcome) if was else "not charged",
                after=_label(now.outcome) if now else "removed",
                why=(now.reasons[0] if now and now.reasons else "")
                or (f"rule {now.rule}" if now else "the charge was removed"),
            )
        )
    return tuple(changes)


def _check_source(source: str) -> None:
    if source not in FactSource.values:
        raise FactError(
            f"unknown source {source!r}; say where the answer comes from: "
            f"{', '.join(FactSource.values)}"
        )


def parse_answer(fact: str, raw: Any) -> tuple[str, Any]:
    """(answer, value) for ``raw``: "unknown" and "prefer_not_to_say" are answers of their own
    (value None); anything else must be a value of the question's type."""
    if fact not in QUESTION_BY_FACT and fact not in OTHER_FACTS:
        raise FactError(
            f"unknown question {fact!r}; answer one of {', '.join(QUESTION_BY_FACT)} "
            "or panel.determination / panel.recommendation"
        )
    if raw in (UNKNOWN, PREFER_NOT_TO_SAY):
        return str(raw), None
    if fact in OTHER_FACTS:
        allowed = [str(v) for v in FACTS[fact].domain]
        if not isinstance(raw, str) or raw.strip() not in allowed:
            raise FactError(f"{fact}: give one of {', '.join(allowed)}, got {raw!r}")
        return FactAnswer.KNOWN, raw.strip()
    kind = QUESTION_BY_FACT[fact].kind
    if kind == "bool":
        if raw in (True, "true", "yes"):
            return FactAnswer.KNOWN, True
        if raw in (False, "false", "no"):
            return FactAnswer.KNOWN, False
        raise FactError(f"{fact}: answer yes, no, unknown or prefer_not_to_say, got {raw!r}")
    if raw == NOBODY:
        return FactAnswer.KNOWN, NOBODY
    try:
        age = int(raw)
    except (TypeError, ValueError):
        raise FactError(
            f"{fact}: give an age in whole years (0-{MAX_AGE}), 'none', unknown or "
            f"prefer_not_to_say, got {raw!r}"
        ) from None
    if isinstance(raw, bool) or not 0 <= age <= MAX_AGE:
        raise FactError(f"{fact}: an age is a whole number from 0 to {MAX_AGE}, got {raw!r}")
    return FactAnswer.KNOWN, age


def current_answers(case: Case) -> dict[str, CaseFact]:
    """The current answer to each question asked of ``case`` (fact key -> row)."""
    rows = case.facts.filter(current=True).select_related("given_by").order_by("fact")
    return {row.fact: row for row in rows}


def _rescreen(
    *, actor: Principal, case: Case, before: Recommendation, source: str
) -> tuple[Recommendation, tuple[Change, ...]]:
    """Store a new screening of ``case`` and bring its follow-ups in line (inside the caller's
    transaction); the new recommendation and what changed."""
    from survivors_justice.cases.followups import sync_followups
    from survivors_justice.screening.services import screen_case

    after = recommend(case)
    screen_case(case_id=case.pk, actor=actor_label(actor), source=source or "web")
    sync_followups(actor=actor, case=case, rec=after)
    return after, compare(before, after)


def record_facts(
    *,
    actor: Principal,
    case: Case,
    answers: Mapping[str, Any],
    source: str,
    note: str = "",
    origin: str = "",
) -> Rescreened:
    """Record ``answers`` (fact key -> value, or "unknown" / "prefer_not_to_say") given from
    ``source``; re-screen the case at once (the old screening is kept) and audit it all.

    ``origin`` is where the request came from (an address), for the audit record.
    """
    _check_source(source)
    if not answers:
        raise FactError("no answers given; answer at least one question")
    parsed = {fact: parse_answer(fact, raw) for fact, raw in answers.items()}
    with transaction.atomic():
        locked = Case.objects.select_for_update().select_related("arrest").get(pk=case.pk)
        if not can(actor, Action.RECORD_FACTS, locked):
            raise NotAllowed(actor, Action.RECORD_FACTS, locked)
        before = recommend(locked)
        now = timezone.now()
        user = principal_user(actor)
        CaseFact.objects.filter(case=locked, fact__in=list(parsed), current=True).update(
            current=False
        )
        rows = []
        known = dict(locked.known_facts or {})
        for fact, (answer, value) in parsed.items():
            rows.append(
                CaseFact.objects.create(
                    case=locked,
                    fact=fact,
                    value=value,
                    answer=answer,
                    source=source,
                    given_by=user,
                    given_at=now,
                    note=note.strip(),
                )
            )
            if fact in QUESTION_BY_FACT or fact in OTHER_FACTS:
                if answer == FactAnswer.KNOWN:
                    known[fact] = value
                else:
                    known.pop(fact, None)
        locked.known_facts = known
        locked.save(update_fields=["known_facts"])
        after, changes = _rescreen(actor=actor, case=locked, before=before, source=origin)
        store_case(locked)
        _audit(
            actor=actor,
            action="case.facts.record",
            case=locked,
            source=origin,
            details={
                "facts": {f: {"answer": a, "value": v} for f, (a, v) in parsed.items()},
                "source": source,
                "note_chars": len(note.strip()),
                "before": before.outcomes,
                "after": after.outcomes,
                "priority": [before.case_priority, after.case_priority],
            },
        )
    return Rescreened(
        case=locked, before=before, after=after, changes=changes, facts=tuple(rows)
    )


_LAW_CODE = re.compile(r"^[A-Z]{2,4} ?[0-9]{3,7}[0-9A-Z]{0,4}$")


def amend_charge(
    *,
    actor: Principal,
    case: Case,
    action: str,
    reason: str,
    position: int | None = None,
    law_code: str = "",
    origin: str = "",
) -> Rescreened:
    """Add, replace or remove a charge of ``case`` with a reason; re-screen the same way."""
    if action not in AmendmentAction.values:
        raise FactError(f"unknown amendment {action!r}; use add, replace or remove")
    if len(reason.strip()) < MIN_AMENDMENT_REASON_CHARS:
        raise FactError(
            f"a charge amendment needs a reason of at least {MIN_AMENDMENT_REASON_CHARS} "
            f"characters (got {len(reason.strip())}); say in plain words why"
        )
    code = " ".join(law_code.upper().split())
    if action != AmendmentAction.REMOVE and not _LAW_CODE.match(code):
        raise FactError(
            f"{law_code!r} is not a law code; write it as the NYPD does, e.g. PL 2300000 "
            "(law, section and subdivision)"
        )
    with transaction.atomic():
        locked = Case.objects.select_for_update().select_related("arrest").get(pk=case.pk)
        if not can(actor, Action.RECORD_FACTS, locked):
            raise NotAllowed(actor, Action.RECORD_FACTS, locked)
        if locked.state != CaseState.INTAKE:
            raise FactError(
                f"case {locked.number} is {locked.get_state_display().lower()}; charges change "
                "only in intake (a supervisor can reopen a decided case)"
            )
        before = recommend(locked)
        charges = dict(current_charges(locked))
        previous = ""
        if action == AmendmentAction.ADD:
            position = max(charges, default=0) + 1
            charges[position] = code
        else:
            if position not in charges:
                raise FactError(
                    f"case {locked.number} has no charge {position!r}; its charges are "
                    f"{', '.join(str(p) for p in sorted(charges))}"
                )
            previous = charges[position]
            if action == AmendmentAction.REPLACE:
                charges[position] = code
            else:
                if len(charges) == 1:
                    raise FactError(
                        f"case {locked.number}: charge {position} is its only charge; replace it "
                        "instead of removing it"
                    )
                del charges[position]
        amendment = ChargeAmendment.objects.create(
            case=locked,
            action=action,
            position=position,
            law_code="" if action == AmendmentAction.REMOVE else code,
            previous_law_code=previous,
            reason=reason.strip(),
            amended_by=principal_user(actor),
            amended_at=timezone.now(),
        )
        locked.amended_charges = [[p, c] for p, c in sorted(charges.items())]
        locked.save(update_fields=["amended_charges"])
        after, changes = _rescreen(actor=actor, case=locked, before=before, source=origin)
        store_case(locked)
        _audit(
            actor=actor,
            action="case.charge.amend",
            case=locked,
            source=origin,
            details={
                "amendment": amendment.pk,
                "action": action,
                "position": position,
                "law_code": amendment.law_code,
                "previous": previous,
                "before": before.outcomes,
                "after": after.outcomes,
            },
        )
    return Rescreened(case=locked, before=before, after=after, changes=changes)


def _audit(
    *, actor: Principal, action: str, case: Case, source: str, details: dict[str, Any]
) -> None:
    from survivors_justice.audit.services import record_event

    record_event(
        actor=actor_label(actor),
        action=action,
        object_type="case",
        object_id=str(case.pk),
        source=source,
        outcome="success",
        details=details,
    )
