"""The screening instrument as typed data: questions, answers, translations, fact mappings.

An instrument is a versioned YAML document (``instrument/documents/*.yaml``). Each question maps
its answers to the policy's named input facts (``indicators.force``, ``defendant.victim_indicators``
...) and names the statutory elements it speaks to. "I don't know" and "I'd rather not say" are
answers of their own and never read as "no".
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from survivors_justice.instrument.errors import UnknownQuestionError

DONT_KNOW: Final = "dont_know"
PREFER_NOT_TO_SAY: Final = "prefer_not_to_say"
NOT_ANSWERS: Final = frozenset({DONT_KNOW, PREFER_NOT_TO_SAY})
"""Answers that say nothing about the facts: the fact stays unknown (and says why)."""

SOURCE_LANGUAGE: Final = "en"
REQUIRED_LANGUAGES: Final = ("en", "es", "zh-Hans", "ko", "bn", "ru")
"""English and the largest languages of Queens households with limited English."""

# Input facts (DESIGN.md > facts contract) an instrument may answer; each takes true or false.
ANSWERABLE_FACTS: Final = frozenset(
    {
        "defendant.victim_indicators",
        "indicators.force",
        "indicators.threats",
        "indicators.fraud",
        "indicators.debt_bondage",
        "indicators.documents_withheld",
        "indicators.drugs_as_control",
        "co_defendants_sold_together",
    }
)


class TranslationStatus(StrEnum):
    SOURCE = "source"  # the text the instrument was written in
    DRAFT = "draft"  # not yet reviewed by a qualified translator
    REVIEWED = "reviewed"  # reviewed by a qualified translator


class QuestionKind(StrEnum):
    CHOICE = "choice"
    NUMBER = "number"


@dataclass(frozen=True, slots=True)
class Language:
    code: str
    name: str
    status: TranslationStatus
    reviewer: str | None = None
    reviewed_on: str | None = None


@dataclass(frozen=True, slots=True)
class Option:
    value: str
    text: dict[str, str]


@dataclass(frozen=True, slots=True)
class FactMapping:
    """How an answer gives a fact: ``map`` (choice value -> fact value) or ``below`` (number)."""

    fact: str
    map: dict[str, bool] | None = None
    below: int | None = None
    value: bool | None = None  # the fact's value when the number is below ``below``

    def value_for(self, answer: str | int) -> bool | None:
        """The fact value this answer gives, or None when it gives nothing."""
        if self.map is not None:
            return self.map.get(str(answer))
        if self.below is not None and isinstance(answer, int) and answer < self.below:
            return self.value
        return None


@dataclass(frozen=True, slots=True)
class Element:
    statute: str
    element: str


@dataclass(frozen=True, slots=True)
class Condition:
    """Skip logic: ask only when an earlier question was answered with one of ``answer_in``."""

    question: str
    answer_in: tuple[str, ...]

    def holds(self, answers: dict[str, str | int]) -> bool:
        return self.question in answers and str(answers[self.question]) in self.answer_in


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    kind: QuestionKind
    text: dict[str, str]
    options: tuple[Option, ...]
    facts: tuple[FactMapping, ...]
    elements: tuple[Element, ...]
    ask_if: Condition | None = None
    min: int | None = None
    max: int | None = None

    def option_values(self) -> tuple[str, ...]:
        if self.kind is QuestionKind.NUMBER:
            return (DONT_KNOW, PREFER_NOT_TO_SAY)
        return tuple(o.value for o in self.options)


@dataclass(frozen=True, slots=True)
class Instrument:
    id: str
    version: int
    title: str
    languages: dict[str, Language]
    texts: dict[str, dict[str, str]]
    questions: tuple[Question, ...]
    source_text: str  # the YAML as read, kept with every administration

    @property
    def key(self) -> str:
        return f"{self.id}@{self.version}"

    def question(self, qid: str) -> Question:
        for q in self.questions:
            if q.id == qid:
                return q
        known = ", ".join(q.id for q in self.questions)
        raise UnknownQuestionError(f"no question {qid!r} in {self.key}; questions are: {known}")

    def text(self, key: str, language: str) -> str:
        """A fixed text (``consent``, ``done``) in ``language``, falling back to English."""
        texts = self.texts[key]
        return texts.get(language) or texts[SOURCE_LANGUAGE]
