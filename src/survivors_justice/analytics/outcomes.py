"""Screening outcomes from the policy engine, as a column the measures can break down by.

The analytics package never decides an outcome itself: it asks ``survivors_justice.policy`` (the
batch evaluator) and keeps the ``outcome`` column. A frame that already carries ``outcome`` (for
example decisions read from the store) is used as it is.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from survivors_justice.analytics.errors import MissingColumnError


def screen_outcomes(raw: pl.LazyFrame, policy: str | Path | None = None,
                    column: str = "outcome") -> pl.LazyFrame:
    """``raw`` (NYPD-shaped rows) with one more column ``column``: the policy's outcome per row.

    ``policy`` is a policy document path (default: the office's current policy). Raises
    :class:`MissingColumnError` when the policy engine cannot screen the rows.
    """
    from survivors_justice.policy.batch import screen_frame
    from survivors_justice.policy.loader import load_policy

    names = raw.collect_schema().names()
    try:
        document = load_policy(policy)
        screened = screen_frame(document, raw)
    except Exception as exc:  # the engine's own error classes; reported with what to do
        raise MissingColumnError(
            f"the policy engine could not screen these arrests ({exc}); give --policy the path "
            "of a policy document, or report without --by outcome") from exc
    return screened.select(*names, pl.col("outcome").alias(column))


def policy_effective_from(policy: str | Path | None = None) -> str | None:
    """The policy's effective date (ISO), or None when no policy document can be read."""
    from survivors_justice.policy.loader import load_policy

    try:
        return load_policy(policy).effective_from.isoformat()
    except Exception:  # no document yet: the report says so instead of failing
        return None


def policy_label_of(policy: str | Path | None = None) -> str | None:
    """"<id> <version>" of a policy document, or None when it cannot be read."""
    from survivors_justice.policy.loader import load_policy

    try:
        document = load_policy(policy)
    except Exception:  # the label is decoration: the screening itself already reported errors
        return None
    return f"{document.id} {document.version}"
