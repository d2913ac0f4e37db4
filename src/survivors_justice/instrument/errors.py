"""Every way an instrument document, an answer or an instrument scenario can be wrong."""

from __future__ import annotations


class InstrumentError(Exception):
    """Base of every error of the instrument package; the message names the value and the fix."""


class InstrumentDocumentError(InstrumentError):
    """An instrument document is malformed; ``problems`` lists every fault found."""

    def __init__(self, problems: list[str], *, path: str) -> None:
        self.problems = problems
        self.path = path
        body = "\n".join(f"  - {p}" for p in problems)
        super().__init__(
            f"{path}: {len(problems)} problem(s); the instrument was not loaded:\n{body}"
        )


class UnknownQuestionError(InstrumentError):
    """An answer or scenario names a question the instrument does not have."""


class BadAnswerError(InstrumentError):
    """An answer is not one the question offers (or a number out of range)."""


class NotAskedError(InstrumentError):
    """An answer was given to a question the skip logic does not ask."""


class InstrumentScenarioError(InstrumentError):
    """An instrument scenario file is malformed."""
