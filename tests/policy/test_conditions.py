"""Kleene's three-valued logic, and its Polars translation."""

from __future__ import annotations

import itertools

import polars as pl

from survivors_justice.policy.conditions import (
    FALSE,
    TRUE,
    All,
    AnyOf,
    Is,
    Not,
    evaluate3,
    restrict,
    to_polars,
)

A = Is("defendant.minor", frozenset({True}))
B = Is("indicators.force", frozenset({True}))
VALUES = (True, False, None)


def test_truth_tables_are_kleene() -> None:
    for a, b in itertools.product(VALUES, VALUES):
        env = {"defendant.minor": a, "indicators.force": b}
        both = evaluate3(All((A, B)), env)
        either = evaluate3(AnyOf((A, B)), env)
        if a is False or b is False:
            assert both is False
        elif a is True and b is True:
            assert both is True
        else:
            assert both is None
        if a is True or b is True:
            assert either is True
        elif a is False and b is False:
            assert either is False
        else:
            assert either is None
    assert evaluate3(Not(A), {}) is None
    assert evaluate3(Not(A), {"defendant.minor": False}) is True


def test_unknown_is_never_false() -> None:
    assert evaluate3(Not(B), {}) is None
    assert evaluate3(Is("charge.role", frozenset({"buyer"})), {"charge.role": None}) is None


def test_restrict_folds_constants() -> None:
    assert restrict(All((A, B)), "defendant.minor", False) == FALSE
    assert restrict(AnyOf((A, B)), "defendant.minor", True) == TRUE
    assert restrict(All((A, B)), "defendant.minor", True) == B


def test_polars_translation_matches_for_every_combination() -> None:
    role = Is("charge.role", frozenset({"buyer", "promoter"}))
    cond = AnyOf((All((A, Not(B))), role))
    rows = list(itertools.product(VALUES, VALUES, ("buyer", "seller", None)))
    frame = pl.DataFrame(
        rows,
        schema={
            "defendant.minor": pl.Boolean,
            "indicators.force": pl.Boolean,
            "charge.role": pl.String,
        },
        orient="row",
    )
    got = frame.select(to_polars(cond, pl.col).alias("r"))["r"].to_list()
    want = [
        evaluate3(cond, {"defendant.minor": a, "indicators.force": b, "charge.role": r})
        for a, b, r in rows
    ]
    assert got == want
