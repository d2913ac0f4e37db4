"""Administering an instrument: which question comes next, checking answers, answers -> facts.

Answers are a mapping of question id -> the answer's value (a choice's ``value``, a whole number
for a number question, or ``dont_know`` / ``prefer_not_to_say``). The administration is resumable:
the next question depends only on the answers so far.

Facts from answers (three-valued, never guessing):

* a fact is **true** when any answered question gives it true;
* otherwise, when a question that could give it was answered "I don't know" or "I'd rather not
  say", it stays **unknown** and says which (``prefer_not_to_say`` only when every such answer was);
* otherwise **false** when an answered question gives it false;
* otherwise the instrument says nothing of it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from survivors_justice.instrument.errors import BadAnswerError, NotAskedError
from survivors_justice.instrument.model import (
    DONT_KNOW,
    NOT_ANSWERS,
    PREFER_NOT_TO_SAY,
    Instrument,
    Question,
    QuestionKind,
)

Answer = str | int


class FactAnswer(StrEnum):
    """The provenance vocabulary of case facts: how the fact is held."""

    KNOWN = "known"
    UNKNOWN = "unknown"
    PREFER_NOT_TO_SAY = "prefer_not_to_say"


@dataclass(frozen=True, slots=True)
class DerivedFact:
    fact: str
    value: bool | None  # None: unknown
    answer: FactAnswer
    questions: tuple[str, ...]  # the questions whose answers decided it


def is_asked(question: Question, answers: Mapping[str, Answer]) -> bool:
    """Does the skip logic ask this question, given the answers so far?"""
    return question.ask_if is None or question.ask_if.holds(dict(answers))


def asked_questions(instrument: Instrument, answers: Mapping[str, Answer]) -> list[Question]:
    return [q for q in instrument.questions if is_asked(q, answers)]


def next_question(instrument: Instrument, answers: Mapping[str, Answer]) -> Question | None:
    """The first question the skip logic asks that has no answer yet; None when done."""
    for q in asked_questions(instrument, answers):
        if q.id not in answers:
            return q
    return None


def progress(instrument: Instrument, answers: Mapping[str, Answer]) -> tuple[int, int]:
    """(answered, to ask in all) given the answers so far: for "question 3 of 11"."""
    asked = asked_questions(instrument, answers)
    return sum(1 for q in asked if q.id in answers), len(asked)


def check_answer(
    instrument: Instrument, qid: str, raw: str | int, answers: Mapping[str, Answer]
) -> Answer:
    """The answer as stored (a choice value or a whole number); raises with what to give instead."""
    q = instrument.question(qid)
    cond = q.ask_if
    if cond is not None and not cond.holds(dict(answers)):
        raise NotAskedError(
            f"question {qid!r} is only asked when {cond.question!r} was answered "
            f"{' or '.join(cond.answer_in)}; answer that question first"
        )
    text = str(raw).strip()
    if text in NOT_ANSWERS:
        return text
    if q.kind is QuestionKind.NUMBER:
        try:
            number = int(text)
        except ValueError:
            raise BadAnswerError(
                f"question {qid!r} takes a whole number, {DONT_KNOW!r} or {PREFER_NOT_TO_SAY!r}, "
                f"not {text!r}"
            ) from None
        if q.min is not None and q.max is not None and not q.min <= number <= q.max:
            raise BadAnswerError(
                f"question {qid!r} takes a number from {q.min} to {q.max}, not {number}"
            )
        return number
    values = q.option_values()
    if text not in values:
        raise BadAnswerError(f"question {qid!r} takes one of {', '.join(values)}, not {text!r}")
    return text


def check_answers(instrument: Instrument, answers: Mapping[str, str | int]) -> dict[str, Answer]:
    """Check a whole set of answers in the instrument's order (skip logic applied as it goes)."""
    for qid in answers:
        instrument.question(qid)  # names an unknown question before anything else
    checked: dict[str, Answer] = {}
    for q in instrument.questions:
        if q.id in answers:
            checked[q.id] = check_answer(instrument, q.id, answers[q.id], checked)
    return checked


def derive_facts(
    instrument: Instrument, answers: Mapping[str, str | int]
) -> dict[str, DerivedFact]:
    """The policy facts the answers give, by fact name (see the module's rule)."""
    checked = check_answers(instrument, answers)
    trues: dict[str, list[str]] = {}
    falses: dict[str, list[str]] = {}
    withheld: dict[str, list[tuple[str, str]]] = {}
    for q in instrument.questions:
        if q.id not in checked:
            continue
        answer = checked[q.id]
        for m in q.facts:
            if answer in NOT_ANSWERS:
                withheld.setdefault(m.fact, []).append((q.id, str(answer)))
                continue
            value = m.value_for(answer)
            if value is True:
                trues.setdefault(m.fact, []).append(q.id)
            elif value is False:
                falses.setdefault(m.fact, []).append(q.id)
    out: dict[str, DerivedFact] = {}
    for fact in sorted({*trues, *falses, *withheld}):
        if fact in trues:
            out[fact] = DerivedFact(fact, True, FactAnswer.KNOWN, tuple(trues[fact]))
        elif fact in withheld:
            kinds = {a for _, a in withheld[fact]}
            answer = (
                FactAnswer.PREFER_NOT_TO_SAY if kinds == {PREFER_NOT_TO_SAY} else FactAnswer.UNKNOWN
            )
            out[fact] = DerivedFact(fact, None, answer, tuple(q for q, _ in withheld[fact]))
        else:
            out[fact] = DerivedFact(fact, False, FactAnswer.KNOWN, tuple(falses[fact]))
    return out
