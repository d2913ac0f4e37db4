"""The trafficking and coercion screening instrument as data (no Django).

A versioned, multilingual YAML document of questions; each answer gives policy facts with
provenance, "I don't know" and "I'd rather not say" kept apart from "no".
"""

from survivors_justice.instrument.administer import (
    DerivedFact,
    FactAnswer,
    check_answer,
    check_answers,
    derive_facts,
    next_question,
    progress,
)
from survivors_justice.instrument.loader import default_instrument, load_instrument
from survivors_justice.instrument.model import Instrument, Question

__all__ = [
    "DerivedFact",
    "FactAnswer",
    "Instrument",
    "Question",
    "check_answer",
    "check_answers",
    "default_instrument",
    "derive_facts",
    "load_instrument",
    "next_question",
    "progress",
]
