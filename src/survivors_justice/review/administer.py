"""Administering the screening instrument: consent, one answer at a time, facts to the case.

Each action is one transaction with its audit record. The audit log never holds an answer: only
which question was answered (the log is read by administrators for years).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from django.db import transaction

from survivors_justice.accounts.models import User
from survivors_justice.audit.services import record_event
from survivors_justice.cases.facts import record_facts
from survivors_justice.cases.models import Case
from survivors_justice.instrument import (
    FactAnswer,
    Instrument,
    check_answer,
    default_instrument,
    derive_facts,
    next_question,
)
from survivors_justice.instrument.errors import InstrumentError
from survivors_justice.review.models import (
    AdministrationState,
    ConsentMethod,
    InstrumentAdministration,
)


class AdministrationError(ValueError):
    """The administration cannot take this step; the message says why and what to do."""


def _now() -> datetime:
    return datetime.now(tz=UTC)


def answers_of(adm: InstrumentAdministration) -> dict[str, str | int]:
    data: dict[str, str | int] = json.loads(adm.answers or "{}")
    return data


def instrument_for(adm: InstrumentAdministration) -> Instrument:
    ins = default_instrument()
    if ins.key != adm.instrument:
        raise AdministrationError(
            f"This screening was started with {adm.instrument}; the office now uses {ins.key}. "
            "Start a new screening."
        )
    return ins


def _audit(actor: User, action: str, adm: InstrumentAdministration, **details: Any) -> None:
    record_event(
        actor=actor.email,
        action=f"instrument.{action}",
        object_type="InstrumentAdministration",
        object_id=str(adm.pk),
        details={"case": adm.case_id, **details},
    )


def start(
    *, actor: User, case: Case, language: str, consent_method: str, consent: bool
) -> InstrumentAdministration:
    """Record the person's consent and start (consent is required; services never depend on it)."""
    ins = default_instrument()
    if not consent:
        raise AdministrationError(
            "The screening starts only with the person's consent. Services do not depend on it."
        )
    if language not in ins.languages:
        raise AdministrationError(
            f"No {language!r} text; the instrument has {', '.join(ins.languages)}. "
            "Use an interpreter with the English text."
        )
    if consent_method not in ConsentMethod.values:
        raise AdministrationError(f"Say how consent was given: {', '.join(ConsentMethod.values)}.")
    with transaction.atomic():
        now = _now()
        adm = InstrumentAdministration.objects.create(
            case=case,
            advocate=actor,
            instrument=ins.key,
            language=language,
            consent_method=consent_method,
            consent_recorded_at=now,
            answers="{}",
            started_at=now,
        )
        _audit(actor, "start", adm, instrument=ins.key, language=language,
               consent_method=consent_method)  # fmt: skip
    return adm


def answer(*, actor: User, adm: InstrumentAdministration, question: str, value: str) -> None:
    """Keep one answer; an earlier answer to the same question is replaced (going back)."""
    ins = instrument_for(adm)
    if adm.state != AdministrationState.IN_PROGRESS:
        raise AdministrationError("This screening is finished; start a new one to ask again.")
    answers = answers_of(adm)
    answers.pop(question, None)
    # answers to questions after this one in the instrument may no longer be asked: drop them
    order = [q.id for q in ins.questions]
    if question not in order:
        raise AdministrationError(f"No question {question!r} in {ins.key}.")
    later = set(order[order.index(question) + 1 :])
    kept = {k: v for k, v in answers.items() if k not in later}
    try:
        kept[question] = check_answer(ins, question, value, kept)
    except InstrumentError as exc:
        raise AdministrationError(str(exc)) from None
    for qid in order[order.index(question) + 1 :]:
        if qid in answers:
            try:
                kept[qid] = check_answer(ins, qid, answers[qid], kept)
            except InstrumentError:
                continue  # no longer asked after this answer
    with transaction.atomic():
        adm.answers = json.dumps(kept)
        adm.save(update_fields=["answers"])
        _audit(actor, "answer", adm, question=question)


def stop(*, actor: User, adm: InstrumentAdministration) -> None:
    """The person does not want to go on: nothing is sent to the case."""
    with transaction.atomic():
        adm.state = AdministrationState.STOPPED
        adm.finished_at = _now()
        adm.save(update_fields=["state", "finished_at"])
        _audit(actor, "stop", adm, answered=len(answers_of(adm)))


def finish(*, actor: User, adm: InstrumentAdministration) -> dict[str, Any]:
    """Every asked question answered: its facts go to the case (re-screened at once)."""
    ins = instrument_for(adm)
    answers = answers_of(adm)
    pending = next_question(ins, answers)
    if pending is not None:
        raise AdministrationError(
            f"Question {pending.id!r} has no answer yet; answer it (\"I'd rather not say\" is an "
            "answer) or stop the screening."
        )
    derived = derive_facts(ins, answers)
    facts: dict[str, Any] = {}
    for name, d in derived.items():
        if d.answer is FactAnswer.KNOWN:
            facts[name] = d.value
        else:
            facts[name] = d.answer.value  # "unknown" or "prefer_not_to_say": answers of their own
    provenance = "; ".join(f"{n} from {', '.join(d.questions)}" for n, d in derived.items())
    with transaction.atomic():
        adm.state = AdministrationState.COMPLETED
        adm.finished_at = _now()
        adm.save(update_fields=["state", "finished_at"])
        _audit(actor, "finish", adm, facts=sorted(facts))
        result = record_facts(
            actor=actor,
            case=adm.case,
            answers=facts,
            source="screening_instrument",
            note=f"{ins.key} ({adm.language}), {adm.finished_at:%Y-%m-%d}: {provenance}",
        )
    return {"facts": facts, "result": result}
