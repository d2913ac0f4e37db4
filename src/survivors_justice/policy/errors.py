"""Every way a policy document, a facts file or a scenario can be wrong: one class per failure.

Each message names the bad value and says what to do about it.
"""

from __future__ import annotations

from pathlib import Path


class PolicyError(Exception):
    """Base of every error of the policy package."""


# --- policy documents ------------------------------------------------------------------------


class PolicyDocumentError(PolicyError):
    """A policy document is malformed. It is refused whole; ``problems`` lists every fault."""

    def __init__(
        self,
        message: str,
        *,
        path: Path | str | None = None,
        line: int | None = None,
        rule_id: str | None = None,
    ) -> None:
        self.message = message
        self.path = str(path) if path is not None else "<document>"
        self.line = line
        self.rule_id = rule_id
        self.problems: list[PolicyDocumentError] = [self]
        super().__init__(self._render())

    def _render(self) -> str:
        where = self.path + (f":{self.line}" if self.line is not None else "")
        rule = f" (rule {self.rule_id})" if self.rule_id else ""
        return f"{where}{rule}: {self.message}"

    def with_others(self, problems: list[PolicyDocumentError]) -> PolicyDocumentError:
        """Attach every problem of the document; the message lists them all."""
        self.problems = problems
        if len(problems) > 1:
            lines = "\n".join(f"  - {p._render()}" for p in problems)
            self.args = (f"{len(problems)} problems; the policy was not loaded:\n{lines}",)
        return self


class PolicySyntaxError(PolicyDocumentError):
    """The file is not YAML, or a part of it has the wrong shape."""


class UnknownFactError(PolicyDocumentError):
    """A condition names a fact the engine does not know."""


class BadFactValueError(PolicyDocumentError):
    """A condition compares a fact with a value outside the fact's type."""


class UnknownOutcomeError(PolicyDocumentError):
    """A rule's outcome is not one of the five outcomes."""


class DuplicateRuleError(PolicyDocumentError):
    """Two rules share an id."""


class UnknownSectionError(PolicyDocumentError):
    """A rule cites a policy section the document does not contain."""


class PrecedenceError(PolicyDocumentError):
    """The precedence list does not name every rule exactly once, or does not end in a catch-all."""


class PolicyNotFoundError(PolicyError):
    """No policy document with the given path, or id and version."""


class PolicyWarning(UserWarning):
    """Something legal but suspicious in a policy document (a rule that can never fire)."""


# --- facts -----------------------------------------------------------------------------------


class FactsError(PolicyError, ValueError):
    """The facts of a case are malformed. ``path`` is where in the facts (``defendant.age``)."""

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        super().__init__(f"facts: {path}: {message}")


class UnknownFactKeyError(FactsError):
    """The facts contain a key the contract does not define."""


class FactTypeError(FactsError):
    """A fact has the wrong type (a string where a number belongs, ...)."""


class NoChargesError(FactsError):
    """A case without any charge cannot be screened."""


class BadLawCodeError(FactsError):
    """A charge's law code cannot be read."""


# --- scenarios -------------------------------------------------------------------------------


class ScenarioFileError(PolicyError):
    """A scenario file is malformed (not YAML, a missing key, bad facts)."""

    def __init__(self, path: Path | str, message: str, *, line: int | None = None) -> None:
        self.path = str(path)
        self.line = line
        where = self.path + (f":{line}" if line is not None else "")
        super().__init__(f"{where}: {message}")


class ScreenInputError(PolicyError):
    """An arrests file lacks a column screening needs."""
