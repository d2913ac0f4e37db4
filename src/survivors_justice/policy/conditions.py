"""Rule conditions: a small boolean language over named facts, with three-valued logic.

A condition is one of

* ``Const(True)`` (written ``always`` in a document),
* ``Is(fact, values)``: the fact's value is one of ``values`` (``charge.role: [buyer, promoter]``),
* ``All(items)``, ``AnyOf(items)``, ``Not(item)``.

Evaluated over facts that may be unknown (``None``), a condition is ``True``, ``False`` or
``None`` (unknown) under Kleene's logic: ``False and unknown`` is ``False``, ``True or unknown`` is
``True``, anything else involving unknown is unknown. Kleene's logic is *sound*: a condition that
comes out ``True`` (or ``False``) does so for every way the unknown facts could turn out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import polars as pl

from survivors_justice.policy.facts import FactValue

Truth = bool | None
Env = Mapping[str, FactValue | None]


@dataclass(frozen=True, slots=True)
class Const:
    value: bool


@dataclass(frozen=True, slots=True)
class Is:
    fact: str
    values: frozenset[FactValue]


# The compound conditions keep their hash: the policy compiler memoises on tuples of them, and a
# dataclass would otherwise rehash the whole tree at every lookup.


@dataclass(frozen=True, slots=True)
class All:
    items: tuple[Cond, ...]
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hash", hash((All, self.items)))

    def __hash__(self) -> int:
        return self._hash


@dataclass(frozen=True, slots=True)
class AnyOf:
    items: tuple[Cond, ...]
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hash", hash((AnyOf, self.items)))

    def __hash__(self) -> int:
        return self._hash


@dataclass(frozen=True, slots=True)
class Not:
    item: Cond
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hash", hash((Not, self.item)))

    def __hash__(self) -> int:
        return self._hash


Cond = Const | Is | All | AnyOf | Not

TRUE = Const(True)
FALSE = Const(False)


def evaluate3(cond: Cond, env: Env) -> Truth:
    """Kleene three-valued evaluation; a fact missing from ``env`` is unknown."""
    if isinstance(cond, Is):
        value = env.get(cond.fact)
        return None if value is None else value in cond.values
    if isinstance(cond, All):
        result: Truth = True
        for item in cond.items:
            r = evaluate3(item, env)
            if r is False:
                return False
            if r is None:
                result = None
        return result
    if isinstance(cond, AnyOf):
        result = False
        for item in cond.items:
            r = evaluate3(item, env)
            if r is True:
                return True
            if r is None:
                result = None
        return result
    if isinstance(cond, Not):
        r = evaluate3(cond.item, env)
        return None if r is None else not r
    return cond.value


@lru_cache(maxsize=65536)
def facts_of(cond: Cond) -> frozenset[str]:
    """Every fact the condition reads (memoised: conditions are immutable)."""
    if isinstance(cond, Is):
        return frozenset({cond.fact})
    if isinstance(cond, All | AnyOf):
        out: frozenset[str] = frozenset()
        for item in cond.items:
            out |= facts_of(item)
        return out
    if isinstance(cond, Not):
        return facts_of(cond.item)
    return frozenset()


def make_all(items: tuple[Cond, ...] | list[Cond]) -> Cond:
    """``All`` with constants folded and nested ``All`` flattened."""
    kept: list[Cond] = []
    for item in items:
        if item == FALSE:
            return FALSE
        if item == TRUE:
            continue
        if isinstance(item, All):
            kept.extend(item.items)
        else:
            kept.append(item)
    if not kept:
        return TRUE
    if len(kept) == 1:
        return kept[0]
    return All(tuple(kept))


def make_any(items: tuple[Cond, ...] | list[Cond]) -> Cond:
    """``AnyOf`` with constants folded and nested ``AnyOf`` flattened."""
    kept: list[Cond] = []
    for item in items:
        if item == TRUE:
            return TRUE
        if item == FALSE:
            continue
        if isinstance(item, AnyOf):
            kept.extend(item.items)
        else:
            kept.append(item)
    if not kept:
        return FALSE
    if len(kept) == 1:
        return kept[0]
    return AnyOf(tuple(kept))


def make_not(item: Cond) -> Cond:
    if isinstance(item, Const):
        return Const(not item.value)
    if isinstance(item, Not):
        return item.item
    return Not(item)


@lru_cache(maxsize=65536)
def restrict(cond: Cond, fact: str, value: FactValue) -> Cond:
    """The condition once ``fact`` is known to be ``value``, simplified."""
    if isinstance(cond, Is):
        if cond.fact != fact:
            return cond
        return TRUE if value in cond.values else FALSE
    if isinstance(cond, All):
        return make_all([restrict(i, fact, value) for i in cond.items])
    if isinstance(cond, AnyOf):
        return make_any([restrict(i, fact, value) for i in cond.items])
    if isinstance(cond, Not):
        return make_not(restrict(cond.item, fact, value))
    return cond


def restrict_env(cond: Cond, env: Env) -> Cond:
    """Restrict by every known fact of ``env`` at once."""
    if isinstance(cond, Is):
        value = env.get(cond.fact)
        if value is None:
            return cond
        return TRUE if value in cond.values else FALSE
    if isinstance(cond, All):
        return make_all([restrict_env(i, env) for i in cond.items])
    if isinstance(cond, AnyOf):
        return make_any([restrict_env(i, env) for i in cond.items])
    if isinstance(cond, Not):
        return make_not(restrict_env(cond.item, env))
    return cond


def to_polars(cond: Cond, column: Callable[[str], pl.Expr]) -> pl.Expr:
    """The condition as a nullable Boolean Polars expression (null = unknown).

    Polars' ``&``, ``|``, ``~``, ``==`` and ``is_in`` follow Kleene's logic on nulls, so the
    expression computes exactly what `evaluate3` computes.
    """
    if isinstance(cond, Is):
        col = column(cond.fact)
        values = sorted(cond.values, key=str)
        if len(values) == 1:
            (v,) = values
            if isinstance(v, bool):
                return col if v else ~col
            return col == pl.lit(v)
        if all(isinstance(v, bool) for v in values):  # both true and false: known at all
            return col.is_not_null() | col  # true when known, null when unknown
        return col.is_in([str(v) for v in values])
    if isinstance(cond, All):
        exprs = [to_polars(i, column) for i in cond.items]
        out = exprs[0]
        for e in exprs[1:]:
            out = out & e
        return out
    if isinstance(cond, AnyOf):
        exprs = [to_polars(i, column) for i in cond.items]
        out = exprs[0]
        for e in exprs[1:]:
            out = out | e
        return out
    if isinstance(cond, Not):
        return ~to_polars(cond.item, column)
    return pl.lit(cond.value, dtype=pl.Boolean)


def describe(cond: Cond) -> str:
    """A condition in the document's own notation, for explanations and error messages."""
    if isinstance(cond, Is):
        values = sorted(cond.values, key=str)
        shown = ", ".join(str(v).lower() if isinstance(v, bool) else str(v) for v in values)
        return f"{cond.fact} is {shown}" if len(values) == 1 else f"{cond.fact} in [{shown}]"
    if isinstance(cond, All):
        return "(" + " and ".join(describe(i) for i in cond.items) + ")"
    if isinstance(cond, AnyOf):
        return "(" + " or ".join(describe(i) for i in cond.items) + ")"
    if isinstance(cond, Not):
        return f"not {describe(cond.item)}"
    return "always" if cond.value else "never"
